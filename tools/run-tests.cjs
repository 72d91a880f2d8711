#!/usr/bin/env node
// `npm test`: every project's test, lint and typecheck targets through Nx, then one closing line that
// adds up the jest counts of all projects ("tests: N passed, N failed").
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const results = path.join(root, '.jest-results');
fs.rmSync(results, { recursive: true, force: true });

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['test', 'lint', 'typecheck'];
const nx = spawnSync(
  process.execPath,
  [require.resolve('nx/bin/nx.js', { paths: [root] }), 'run-many', '-t', ...targets, '--parallel=2', '--outputStyle=static', '--skipNxCache'],
  { cwd: root, stdio: 'inherit', env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...process.env } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
let suitesFailed = 0;
const summary = path.join(results, 'summary.jsonl');
if (fs.existsSync(summary)) {
  for (const line of fs.readFileSync(summary, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    suitesFailed += r.suitesFailed;
  }
}
if (targets.includes('test')) {
  if (suitesFailed) console.log(`${suitesFailed} test suite(s) failed to run`);
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
process.exit(nx.status ?? 1);
