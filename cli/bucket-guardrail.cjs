#!/usr/bin/env node
// Entry of the `bucket-guardrail` binary. In this repository (cli/main.ts present) it runs the TypeScript CLI
// through tsx, so no build step is needed; in the installed package (only dist/ shipped) it runs the compiled
// JavaScript and needs no tsx.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
// In this repository the TypeScript sources are beside this file; the installed package ships only dist/.
const fromSource = fs.existsSync(path.join(__dirname, 'main.ts'));
if (fromSource) {
  require('tsx/cjs');
}
const load = (name) => require(fromSource ? `./${name}.ts` : `../dist/cli/${name}.js`);
const nodeWarning = load('node-version').nodeVersionWarning(process.versions.node, require('../package.json').engines.node);
if (nodeWarning !== undefined) {
  process.stderr.write(`${nodeWarning}\n`);
  // Said once, in one line: the SDK's own multi-line notice would repeat it.
  if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }
}
const { main } = load('main');
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
