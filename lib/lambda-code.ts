/**
 * Where each Lambda's code comes from, so the construct works both from this repository's TypeScript and from
 * the installed package's compiled JavaScript.
 *
 * - Installed package (`dist/lib/*.js`): the handlers ship pre-bundled in `dist/handlers/<name>/index.js`,
 *   built by `npm run build` with the same esbuild settings as below (`LAMBDA_ESBUILD`). The construct uses
 *   them as they are: a consumer's `cdk synth` needs neither esbuild nor Docker, and their tsconfig, lock file
 *   and dependency versions cannot change what the function runs.
 * - This repository (`lib/*.ts` under tsx or ts-jest): no pre-bundled handler next to the module, so
 *   `NodejsFunction` bundles the TypeScript entry with esbuild at synth, as it always has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_ENTRIES } from './lambda-bundling';

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** Folder of the pre-bundled handlers, relative to the package root (`dist/lib/..`). */
export const HANDLER_BUNDLES_DIR = 'handlers';

/** The NodejsFunction props that name the code: a pre-bundled asset, or the TypeScript entry to bundle. */
export type LambdaCodeProps =
  | { readonly code: lambda.Code; readonly handler: string; readonly entry?: undefined }
  | { readonly entry: string; readonly handler: string; readonly code?: undefined };

export class LambdaCodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaCodeError';
  }
}

/**
 * `moduleDir` is the directory of the calling construct module (`__dirname`), one level below the root
 * that holds `lambda/` (sources) or `handlers/` (bundles).
 */
export function lambdaCodeProps(name: LambdaName, moduleDir: string): LambdaCodeProps {
  const root = path.join(moduleDir, '..');
  const bundleDir = path.join(root, HANDLER_BUNDLES_DIR, name);
  if (fs.existsSync(path.join(bundleDir, 'index.js'))) {
    return { code: lambda.Code.fromAsset(bundleDir), handler: 'index.handler' };
  }
  const entry = path.join(root, LAMBDA_ENTRIES[name]);
  if (fs.existsSync(entry)) {
    return { entry, handler: 'handler' };
  }
  throw new LambdaCodeError(
    `No code for the ${name} Lambda: neither the pre-bundled ${path.join(bundleDir, 'index.js')} nor the source ${entry} exists. ` +
      'A package built without `npm run build` is incomplete: rebuild it (npm run build) or reinstall bucket-guardrail.',
  );
}
