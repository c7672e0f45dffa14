/**
 * The integration test's offline form, without deploying: synthesize test/integ/integ.guardrail.ts (with tsx,
 * as integ-runner's `app` in integ.config.json does) and compare its stack templates with the committed
 * snapshot in integ-runner's layout (integ.guardrail.js.snapshot/<stack>.template.json).
 *
 * Why not integ-runner itself: its latest release (@aws-cdk/integ-runner 2.197.10) reads cloud assembly schema
 * 53 at most and this project's aws-cdk-lib writes 55, so it stops with AssemblyVersionMismatch before
 * comparing. This module does the comparison integ-runner does by default (asset hashes ignored, diffAssets
 * false), on the same snapshot files, so the snapshot stays usable by integ-runner once it reads schema 55.
 *
 * `npm run integ:update-snapshot` rewrites the snapshot (templates, manifest and integ.json; no assets).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
export const INTEG_APP = path.join(__dirname, 'integ.guardrail.ts');
export const SNAPSHOT_DIR = path.join(__dirname, 'integ.guardrail.js.snapshot');
/** Files of a cloud assembly kept in the snapshot: everything but assets and the construct tree. */
const SNAPSHOT_FILE = /^(.+\.template\.json|manifest\.json|integ\.json|cdk\.out)$/;
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

export class IntegSynthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntegSynthError';
  }
}

/** Synthesizes the integ app into a new temporary folder (no credentials, no lookups) and returns it. */
export function synthIntegApp(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-integ-'));
  const { CDK_DEFAULT_ACCOUNT: _account, CDK_DEFAULT_REGION: _region, ...env } = process.env;
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [INTEG_APP], {
    cwd: ROOT,
    env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: '{}' },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new IntegSynthError(`synthesizing ${INTEG_APP} failed (exit ${String(result.status)}):\n${result.stderr}`, { cause: result.error });
  }
  return outdir;
}

/**
 * A stack template as compared: parsed, every asset hash (bucket keys, asset paths) replaced by a marker, and the
 * `salt` of each assertion custom resource (integ-tests sets it to the synth time so the calls re-run on every
 * deploy) dropped. Nothing else is touched.
 */
export function normalizedTemplate(text: string): unknown {
  const template = JSON.parse(text.replace(ASSET_HASH, '<asset-hash>')) as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type?.startsWith('Custom::DeployAssert@') && resource.Properties !== undefined) {
      delete resource.Properties.salt;
    }
  }
  return template;
}

/** The stack templates of an assembly folder, by file name, normalized. */
export function templatesIn(dir: string): Record<string, unknown> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.template.json'))
      .sort()
      .map((file) => [file, normalizedTemplate(fs.readFileSync(path.join(dir, file), 'utf8'))]),
  );
}

/** Replaces the committed snapshot with the assembly in `outdir` (templates, manifest, integ.json). */
export function writeSnapshot(outdir: string): string[] {
  fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const files = fs.readdirSync(outdir).filter((file) => SNAPSHOT_FILE.test(file)).sort();
  for (const file of files) {
    fs.copyFileSync(path.join(outdir, file), path.join(SNAPSHOT_DIR, file));
  }
  return files;
}

if (require.main === module) {
  const outdir = synthIntegApp();
  try {
    const files = writeSnapshot(outdir);
    process.stdout.write(`integ snapshot updated: ${files.join(', ')} in ${path.relative(ROOT, SNAPSHOT_DIR)}\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
