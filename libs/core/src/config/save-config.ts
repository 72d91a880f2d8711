import * as path from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../atomic-write';
import { configHash } from './config-hash';
import type { Plain } from './merge';

/**
 * Saves the resolved config beside a run's outputs (config.yaml, plus its hash and source files in
 * config.json), so every result can be traced to the exact settings that produced it.
 */
export function saveResolvedConfig(runDir: string, config: Plain, sourceFiles: readonly string[] = []): string {
  const hash = configHash(config);
  writeFileAtomic(path.join(runDir, 'config.yaml'), `# resolved config ${hash}\n${stringify(config)}`);
  writeFileAtomic(path.join(runDir, 'config.json'), JSON.stringify({ hash, sourceFiles, config }, null, 2) + '\n');
  return hash;
}
