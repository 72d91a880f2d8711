import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Lints source text as if it sat at given paths (like module-boundaries.spec.ts), to prove that the file-length
// limits and the test-helper rule of eslint.config.mjs bite. One child process lints every case, so the config
// loads once; ESLint runs outside jest because its config loader needs dynamic import().
const root = path.resolve(__dirname, '../../..');

interface LintCase {
  file: string;
  code: string;
}

const LINT_CASES = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ overrideConfig: { rules: { '@nx/enforce-module-boundaries': 'off' } } });
(async () => {
  const out = [];
  for (const c of cases) out.push((await eslint.lintText(c.code, { filePath: c.file }))[0].messages.map((m) => m.ruleId + ': ' + m.message));
  process.stdout.write(JSON.stringify(out));
})();
`;

function lint(cases: LintCase[]): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINT_CASES], { cwd: root, input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

/** `n` lines of code, with blank and comment lines between them that the limits do not count. */
const codeLines = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};\n\n// why\n`).join('');
const helperImport = "import { randomClasses } from '../testing/class-embeddings';\nexport const x = randomClasses;\n";

const CASES: Record<string, LintCase> = {
  prod320: { file: 'libs/metrics/src/fixture.ts', code: codeLines(320) },
  prod321: { file: 'libs/metrics/src/fixture.ts', code: codeLines(321) },
  spec300: { file: 'libs/metrics/src/fixture.spec.ts', code: codeLines(300) },
  spec301: { file: 'libs/metrics/src/fixture.spec.ts', code: codeLines(301) },
  helperInProduction: { file: 'libs/models/src/model/fixture.ts', code: helperImport },
  helperInSpec: { file: 'libs/models/src/model/fixture.spec.ts', code: helperImport },
  helperInHelper: { file: 'libs/models/src/testing/fixture.ts', code: "import { maxAbsDiff } from './naive';\nexport const x = maxAbsDiff;\n" },
};

let found: Record<string, string>;
beforeAll(() => {
  const names = Object.keys(CASES);
  const results = lint(names.map((n) => CASES[n]));
  found = Object.fromEntries(names.map((n, i) => [n, results[i].join('\n')]));
}, 60_000);

describe('file-length limits', () => {
  it('allow 320 code lines in a production file and refuse 321, not counting blank lines and comments', () => {
    expect(found['prod320']).toBe('');
    expect(found['prod321']).toMatch(/max-lines: File has too many lines \(321\)\. Maximum allowed is 320/);
  });

  it('allow 300 code lines in a spec file and refuse 301', () => {
    expect(found['spec300']).toBe('');
    expect(found['spec301']).toMatch(/max-lines: File has too many lines \(301\)\. Maximum allowed is 300/);
  });
});

describe('test helpers in src/testing/', () => {
  it('may be imported from spec files and other helpers only', () => {
    expect(found['helperInProduction']).toMatch(/no-restricted-imports: .*src\/testing\/ holds test helpers, for spec files only/);
    expect(found['helperInSpec']).toBe('');
    expect(found['helperInHelper']).toBe('');
  });
});
