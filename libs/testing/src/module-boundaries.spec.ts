import { createProjectGraphAsync } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Lints source text as if it sat at a given path in the workspace, so the boundary rules are proven to bite
// without committing a file that breaks `nx lint`. ESLint runs in a child process: its config loader needs
// dynamic import(), which jest's module sandbox does not offer.
const root = path.resolve(__dirname, '../../..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

beforeAll(async () => {
  process.env['NX_DAEMON'] = 'false';
  // @nx/enforce-module-boundaries silently skips itself when no project graph is cached.
  await createProjectGraphAsync({ exitOnError: false });
}, 60_000);

async function ruleIds(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', file], {
    cwd: root,
    input: code,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it('rejects a component library importing another component library', async () => {
    const messages = await ruleIds('libs/metrics/src/fixture.ts', "import { TableClassSpace } from '@zls/data';\nexport const x = TableClassSpace;\n");
    expect(messages.join('\n')).toMatch(/enforce-module-boundaries: A project tagged with "scope:component" can only depend on/);
  });

  it('rejects core importing any library of ours', async () => {
    const messages = await ruleIds('libs/core/src/fixture.ts', "import { createTempDir } from '@zls/backend';\nexport const x = createTempDir;\n");
    expect(messages.join('\n')).toMatch(/enforce-module-boundaries/);
  });

  it('rejects the engine importing a component library', async () => {
    const messages = await ruleIds('libs/engine/src/fixture.ts', "import { x } from '@zls/models';\nexport const y = x;\n");
    expect(messages.join('\n')).toMatch(/A project tagged with "scope:engine" can only depend on/);
  });

  it('allows @zls/testing in spec files only', async () => {
    const code = "import { useTempDir } from '@zls/testing';\nexport const y = useTempDir;\n";
    expect((await ruleIds('libs/data/src/fixture.ts', code)).join('\n')).toMatch(/@zls\/testing is for spec files only/);
    expect(await ruleIds('libs/data/src/fixture.spec.ts', code)).toEqual([]);
  });

  it('accepts an allowed import', async () => {
    expect(await ruleIds('libs/metrics/src/fixture.ts', "import { ZlsError } from '@zls/core';\nexport const x = ZlsError;\n")).toEqual([]);
  });
});
