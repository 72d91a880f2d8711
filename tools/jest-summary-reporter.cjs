// Appends each jest run's counts to .jest-results/summary.jsonl so .ci/run can print one closing line
// ("tests: N passed, N failed") over every project that nx ran.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '.jest-results');
    fs.mkdirSync(dir, { recursive: true });
    const line = JSON.stringify({
      project: path.relative(path.join(__dirname, '..'), this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    });
    fs.appendFileSync(path.join(dir, 'summary.jsonl'), line + '\n');
  }
}
module.exports = SummaryReporter;
