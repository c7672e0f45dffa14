#!/usr/bin/env node
// Entry of the `bucket-guardrail` binary: runs the TypeScript CLI through tsx, so no build step is needed.
'use strict';
require('tsx/cjs');
const nodeWarning = require('./node-version.ts').nodeVersionWarning(process.versions.node, require('../package.json').engines.node);
if (nodeWarning !== undefined) {
  process.stderr.write(`${nodeWarning}\n`);
  // Said once, in one line: the SDK's own multi-line notice would repeat it.
  if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }
}
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
