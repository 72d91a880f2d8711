import { ZlsError } from '../errors';
import type { Registries } from '../registry/registries';

/** Bumped when Registries or the component interfaces change incompatibly. */
export const PLUGIN_API_VERSION = 2;

/** What a plugin package exports (as `default` or as `plugin`). */
export interface ZlsPlugin {
  name: string;
  apiVersion: number;
  register(registries: Registries): void;
}

export class PluginError extends ZlsError {}

function isPlugin(value: unknown): value is ZlsPlugin {
  const p = value as ZlsPlugin;
  return !!p && typeof p.name === 'string' && typeof p.apiVersion === 'number' && typeof p.register === 'function';
}

/**
 * Imports each named plugin package (resolved from `fromDir`, so a package installed beside the
 * experiment is found) and lets it register its components. Runs before the config is validated.
 */
export async function loadPlugins(names: readonly string[], registries: Registries, fromDir = process.cwd()): Promise<ZlsPlugin[]> {
  const loaded: ZlsPlugin[] = [];
  for (const name of names) {
    // An ablation loads its configs' plugins once, then each run names them again: registering twice would fail.
    if (registries.plugins.some((p) => p.name === name)) continue;
    let resolved: string;
    try {
      resolved = require.resolve(name, { paths: [fromDir, __dirname] });
    } catch {
      throw new PluginError(`plugin "${name}" not found (looked from ${fromDir}); install it or check plugins: in the config`);
    }
    const mod = (await import(resolved)) as Record<string, unknown>;
    const candidate = [mod['default'], mod['plugin'], (mod['default'] as Record<string, unknown> | undefined)?.['default']].find(isPlugin);
    if (!candidate) {
      throw new PluginError(`plugin "${name}" (${resolved}) exports no { name, apiVersion, register } as default or "plugin"`);
    }
    if (candidate.apiVersion !== PLUGIN_API_VERSION) {
      throw new PluginError(
        `plugin "${candidate.name}" targets plugin API ${candidate.apiVersion}; this zls provides ${PLUGIN_API_VERSION}`,
      );
    }
    candidate.register(registries);
    registries.plugins.push({ name, fromDir });
    loaded.push(candidate);
  }
  return loaded;
}
