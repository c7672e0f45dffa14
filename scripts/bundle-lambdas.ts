/**
 * Pre-bundles every Lambda handler for the published package: dist/handlers/<name>/index.js (+ source map),
 * with the construct's own esbuild settings (lib/lambda-bundling.ts), so an installed construct needs neither
 * esbuild nor Docker at synth (see lib/lambda-code.ts). Run by `npm run build`, after tsc.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_ENTRIES, LAMBDA_ESBUILD } from '../lib/lambda-bundling';
import { HANDLER_BUNDLES_DIR, type LambdaName } from '../lib/lambda-code';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', HANDLER_BUNDLES_DIR);

async function main(): Promise<void> {
  fs.rmSync(OUT, { recursive: true, force: true });
  for (const [name, entry] of Object.entries(LAMBDA_ENTRIES) as Array<[LambdaName, string]>) {
    const outfile = path.join(OUT, name, 'index.js');
    await build({
      entryPoints: [path.join(ROOT, entry)],
      outfile,
      bundle: true,
      platform: LAMBDA_ESBUILD.platform,
      target: LAMBDA_ESBUILD.target,
      format: LAMBDA_ESBUILD.format,
      minify: LAMBDA_ESBUILD.minify,
      sourcemap: LAMBDA_ESBUILD.sourceMap,
      sourcesContent: LAMBDA_ESBUILD.sourcesContent,
      mainFields: [...LAMBDA_ESBUILD.mainFields],
      external: [...LAMBDA_ESBUILD.externalModules],
      logLevel: 'warning',
    });
    process.stdout.write(`bundled ${entry} -> ${path.relative(ROOT, outfile)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bundle-lambdas: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
