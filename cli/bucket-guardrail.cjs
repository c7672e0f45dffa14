#!/usr/bin/env node
// Entry of the `bucket-guardrail` binary. In this repository (cli/main.ts present) it runs the TypeScript CLI
// through tsx, so no build step is needed; in the installed package (only dist/ shipped) it runs the compiled
// JavaScript and needs no tsx.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
let main;
if (fs.existsSync(path.join(__dirname, 'main.ts'))) {
  require('tsx/cjs');
  ({ main } = require('./main.ts'));
} else {
  ({ main } = require('../dist/cli/main.js'));
}
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
