/**
 * Lambda bundle bench: bundles each Lambda entry with esbuild using the construct's own settings
 * (LAMBDA_ESBUILD, shared with `NodejsFunction`), then measures
 *   lambda.<name>.bundleBytes  size of the minified index.js (the source map ships beside it, not counted)
 *   lambda.<name>.coldLoadMs   median over 20 fresh `node` processes of the time to require the bundle,
 *                              module initialisation included (SDK clients built, environment validated),
 *                              with the function's NODE_OPTIONS. Target: ≤ 150 ms.
 * For the record of the bundle-vs-external SDK decision it also measures the same entry with the AWS SDK
 * left external and resolved from node_modules, as `lambda.<name>.sdkExternal.*`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { toRemediateEnvironment } from '../lambda/remediate/environment';
import { DEFAULT_MAX_ATTEMPTS, toListerEnvironment, toWorkerSweepEnvironment } from '../lambda/sweep/environment';
import { DEFAULT_TUNING } from '../lambda/sweep/plan';
import { esbuildHandlerOptions, LAMBDA_ENTRIES, LAMBDA_ESBUILD, LAMBDA_NODE_OPTIONS } from '../lib/lambda-bundling';

const ROOT = resolve(__dirname, '..');
const RUNS = 20;
export const COLD_LOAD_TARGET_MS = 150;

const REMEDIATE_SAMPLE = {
  alertTopicArn: 'arn:aws:sns:us-east-1:111122223333:bench-alerts',
  auditTableName: 'bench-audit',
  auditArchiveBucket: 'bench-audit-archive',
  mode: 'enforce',
  strategy: 'block-public-access',
  exemptions: [{ bucket: 'site-*', reason: 'bench', owner: 'bench', expires: '2099-01-01' }],
  selfRoleArn: 'arn:aws:iam::111122223333:role/bench-remediate',
  sensitiveTagKeys: ['data-classification'],
  enforceAccountBlockPublicAccess: false,
  exemptionsTableName: 'bench-exemptions',
} as const;
const WORK_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/bench-sweep-work';

/** A valid environment per function, so module initialisation runs as it does in Lambda (no AWS call is made). */
const SAMPLE_ENVIRONMENTS: Record<keyof typeof LAMBDA_ENTRIES, Record<string, string>> = {
  remediate: toRemediateEnvironment(REMEDIATE_SAMPLE),
  sweepList: toListerEnvironment({
    alertTopicArn: REMEDIATE_SAMPLE.alertTopicArn,
    workQueueUrl: WORK_QUEUE_URL,
    listingQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/bench-sweep-listing',
    progressTableName: 'bench-sweep-progress',
    regions: ['us-east-1', 'eu-west-1'],
    pageSize: DEFAULT_TUNING.pageSize,
    bucketsPerMessage: DEFAULT_TUNING.bucketsPerMessage,
    selfRoleArns: [REMEDIATE_SAMPLE.selfRoleArn],
  }),
  sweepWork: {
    ...toRemediateEnvironment({ ...REMEDIATE_SAMPLE, selfRoleArn: 'arn:aws:iam::111122223333:role/bench-sweep-worker' }),
    ...toWorkerSweepEnvironment({
      workQueueUrl: WORK_QUEUE_URL,
      progressTableName: 'bench-sweep-progress',
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      recordPrivateBuckets: false,
    }),
  },
};

/** Targets for bench/run.ts: cold load ≤ 150 ms for every Lambda. */
export function bundleBenchTargets(): Record<string, ['<=', number]> {
  return Object.fromEntries(Object.keys(LAMBDA_ENTRIES).map((name) => [`lambda.${name}.coldLoadMs`, ['<=', COLD_LOAD_TARGET_MS]]));
}

async function bundle(entry: string, outdir: string, external: readonly string[]): Promise<string> {
  const outfile = join(outdir, 'index.js');
  await build(esbuildHandlerOptions(join(ROOT, entry), outfile, { external, logLevel: 'silent' }));
  return outfile;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Milliseconds to require `file` in a fresh node process (after Node.js itself has started). */
function loadOnce(file: string, environment: Record<string, string>, nodePath?: string): number {
  const script =
    'const t=process.hrtime.bigint();require(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const output = execFileSync(process.execPath, ['-e', script, file], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      ...(nodePath ? { NODE_PATH: nodePath } : {}),
      ...environment,
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(output.trim());
  if (!Number.isFinite(ms)) throw new Error(`could not time loading ${file}: got "${output}"`);
  return ms;
}

async function measure(name: string, entry: string, environment: Record<string, string>, external: readonly string[]): Promise<{ bytes: number; ms: number }> {
  const outdir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  try {
    const file = await bundle(entry, outdir, external);
    const nodePath = external.length > 0 ? join(ROOT, 'node_modules') : undefined;
    const times = Array.from({ length: RUNS }, () => loadOnce(file, environment, nodePath));
    return { bytes: statSync(file).size, ms: Math.round(median(times) * 10) / 10 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export async function runBundleBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const [name, entry] of Object.entries(LAMBDA_ENTRIES) as Array<[keyof typeof LAMBDA_ENTRIES, string]>) {
    const environment = SAMPLE_ENVIRONMENTS[name];
    const bundled = await measure(name, entry, environment, LAMBDA_ESBUILD.externalModules);
    figures[`lambda.${name}.bundleBytes`] = bundled.bytes;
    figures[`lambda.${name}.coldLoadMs`] = bundled.ms;
    const external = await measure(name, entry, environment, ['@aws-sdk/*', '@smithy/*']);
    figures[`lambda.${name}.sdkExternal.bundleBytes`] = external.bytes;
    figures[`lambda.${name}.sdkExternal.coldLoadMs`] = external.ms;
  }
  return figures;
}

if (require.main === module) {
  runBundleBench().then(
    (figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`bundle bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
