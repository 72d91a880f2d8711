import { Command } from 'commander';
import { loadPlugins, type Registries } from '@zls/core';
import { createRegistries } from '@zls/runtime';
import { collect } from './collect';

/** Components registered by zls's own libraries are listed without an origin tag; plugins show theirs. */
const BUILT_IN = /^(zls|@zls\/(core|backend|data|models|pseudo-label|metrics|engine|report))$/;

/** Text listing of every registered component of every kind, with its options and defaults. */
export function formatRegistries(registries: Registries): string {
  const lines: string[] = [];
  for (const registry of registries.all()) {
    lines.push(`${registry.kind}:`);
    const entries = registry.list();
    if (entries.length === 0) lines.push('  (none registered)');
    for (const entry of entries) {
      const origin = BUILT_IN.test(entry.origin) ? '' : ` [${entry.origin}]`;
      lines.push(`  ${entry.type}${origin} — ${entry.description}`);
      for (const option of registry.describeOptions(entry.type)) {
        const value = JSON.stringify(option.default) ?? (option.optional ? '(optional)' : '(required)');
        lines.push(`      ${option.name}: ${value}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

export function listCommand(): Command {
  return new Command('list')
    .description('list every registered component of every kind, with its options and defaults')
    .option('--plugin <package>', 'import a plugin package first (repeatable)', collect, [])
    .action(async (opts: { plugin: string[] }) => {
      const registries = createRegistries();
      await loadPlugins(opts.plugin, registries);
      process.stdout.write(formatRegistries(registries));
    });
}
