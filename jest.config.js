/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // Every core: Jest's default (cores − 1) runs the suite on one worker on a 2-core machine, and the stack tests
  // (esbuild bundling, cdk-nag and cfn-guard on every synth) are CPU-bound.
  maxWorkers: '100%',
  // Quiet output: no SDK Node-version notice, no CDK bundling progress lines (see the file).
  setupFiles: ['<rootDir>/test/support/quiet-output.ts'],
  // After the summary: every skipped test and the reason it gave (test/support/skip.ts).
  reporters: ['default', '<rootDir>/test/support/skip-summary-reporter.cjs'],
};
