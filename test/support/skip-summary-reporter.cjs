// Jest reporter: after the default reporter's summary, one line per skipped (or todo) test group with the
// reason the test gave (`[skipped: …]` in a describe or test title, see test/support/skip.ts).
'use strict';
const { relative } = require('node:path');

const MARK = /\[skipped: ([^\]]+)\]/;

/** Groups skipped tests by file and reason: [{ file, reason, count }]. Exported for its test. */
function summariseSkips(testResults, rootDir) {
  const groups = new Map();
  for (const file of testResults) {
    for (const test of file.testResults) {
      if (test.status !== 'pending' && test.status !== 'todo') continue;
      const titles = [...test.ancestorTitles, test.title];
      const reason = titles.map((title) => MARK.exec(title)?.[1]).find((found) => found !== undefined) ?? (test.status === 'todo' ? 'todo' : 'no reason given');
      const path = relative(rootDir, file.testFilePath);
      const key = `${path}\u0000${reason}`;
      const group = groups.get(key) ?? { file: path, reason, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

class SkipSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const groups = summariseSkips(results.testResults, this.rootDir);
    if (groups.length === 0) return;
    const total = groups.reduce((sum, group) => sum + group.count, 0);
    const lines = groups.map((group) => `  ${group.file}: ${group.count} test(s) skipped: ${group.reason}`);
    process.stderr.write(`Skipped ${total} test(s):\n${lines.join('\n')}\n`);
  }
}

module.exports = SkipSummaryReporter;
module.exports.summariseSkips = summariseSkips;
