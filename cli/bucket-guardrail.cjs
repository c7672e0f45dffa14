#!/usr/bin/env node
// Entry of the `bucket-guardrail` binary: runs the TypeScript CLI through tsx, so no build step is needed.
'use strict';
require('tsx/cjs');
const { main } = require('./main.ts');
main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bucket-guardrail: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
