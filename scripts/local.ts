/**
 * `npm run local [-- --dry-run] [--region R] [--account A] [--bucket B]`: recreates on a local emulator what the
 * guardrail stack creates for the Lambdas and the CLI (every DynamoDB table with its keys and indexes, the
 * audit archive bucket, the alert topic; all derived from the synthesized template), makes a demo bucket
 * public, runs the real remediation handler on a CloudTrail PutBucketPolicy event for it, and checks that
 * the bucket's Block Public Access is back on.
 *
 * Against an emulator the endpoint must be set (AWS_ENDPOINT_URL, e.g. http://localhost:4566 for LocalStack):
 * without it the script refuses to run, so it never creates anything in a real account. `--dry-run` prints
 * every call as the equivalent AWS CLI command and makes none.
 *
 * Exit codes: 0 done (or dry run), 1 the handler did not contain the bucket or a call failed, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUARDRAIL_STACK_OUTPUTS } from '../lib/stack-outputs';
import { GLOBAL_ENDPOINT_ENV, SERVICE_ENDPOINT_ENV, type AwsEnvironment } from '../lambda/shared/aws/clients';
import { dryRunEmulator, runLocalSteps, sdkEmulator, type LocalEmulator } from './local-emulator';
import { LOCAL_DEFAULTS, localPlan, localSampleEvent, type CfnTemplate, type LocalPlanOptions } from './local-plan';

export const SAMPLE_EVENT_FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'events', 'put-bucket-policy.new.json');

export interface LocalArgs extends LocalPlanOptions {
  readonly dryRun: boolean;
}

/** Bad arguments or environment: exit 2 with this message. */
export class LocalUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalUsageError';
  }
}

export function parseLocalArgs(argv: readonly string[], env: AwsEnvironment): LocalArgs {
  const values: Record<string, string> = {};
  let dryRun = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--dry-run') {
      dryRun = true;
    } else if (['--region', '--account', '--bucket'].includes(arg)) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new LocalUsageError(`${arg} needs a value`);
      values[arg] = value;
      index += 1;
    } else {
      throw new LocalUsageError(`unknown argument ${arg}; usage: npm run local -- [--dry-run] [--region R] [--account 000000000000] [--bucket B]`);
    }
  }
  const account = values['--account'] ?? LOCAL_DEFAULTS.account;
  if (!/^\d{12}$/.test(account)) throw new LocalUsageError(`--account "${account}" is not a 12-digit account ID`);
  const demoBucket = values['--bucket'] ?? LOCAL_DEFAULTS.demoBucket;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(demoBucket)) throw new LocalUsageError(`--bucket "${demoBucket}" is not a bucket name`);
  const region = values['--region'] ?? (env.AWS_REGION?.trim() || LOCAL_DEFAULTS.region);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new LocalUsageError(`--region "${region}" is not a region such as us-east-1`);
  const endpointSet = [GLOBAL_ENDPOINT_ENV, ...Object.values(SERVICE_ENDPOINT_ENV)].some((name) => env[name]?.trim());
  if (!dryRun && !endpointSet) {
    throw new LocalUsageError(`${GLOBAL_ENDPOINT_ENV} is not set: point it at the emulator (e.g. http://localhost:4566), or use --dry-run; the script never runs against real AWS`);
  }
  return { dryRun, account, region, demoBucket, prefix: LOCAL_DEFAULTS.prefix };
}

export interface LocalIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: AwsEnvironment;
}

export interface LocalDeps {
  /** @default synthesizeGuardrailTemplate (scripts/local-template.ts) */
  readonly template?: (region: string) => CfnTemplate;
  /** @default dryRunEmulator with --dry-run, else sdkEmulator(env) */
  readonly emulator?: (args: LocalArgs, io: LocalIo) => LocalEmulator;
}

export async function runLocal(argv: readonly string[], io: LocalIo, deps: LocalDeps = {}): Promise<number> {
  let args: LocalArgs;
  try {
    args = parseLocalArgs(argv, io.env);
  } catch (error) {
    if (error instanceof LocalUsageError) {
      io.stderr.write(`npm run local: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const synthesize = deps.template ?? ((region: string) => (require('./local-template') as typeof import('./local-template')).synthesizeGuardrailTemplate({ region }));
  const template = synthesize(args.region);
  const event = localSampleEvent(JSON.parse(readFileSync(SAMPLE_EVENT_FIXTURE, 'utf8')), args);
  const plan = localPlan(template, event, args);
  const environment = { ...io.env, AWS_REGION: args.region };
  const emulator = deps.emulator?.(args, io) ?? (args.dryRun ? dryRunEmulator((line) => io.stdout.write(`${line}\n`)) : sdkEmulator(environment));

  let result;
  try {
    result = await runLocalSteps(plan.steps, emulator);
  } catch (error) {
    io.stderr.write(`npm run local: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const cli = `node cli/bucket-guardrail.cjs audit --since 1d --table ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditTableName]} --archive-bucket ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName]} --exemptions-table ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.exemptionsTableName]}`;
  if (args.dryRun) {
    io.stdout.write(`# then the CLI: ${cli}\n# dry run: ${plan.steps.length} calls printed, none made\n`);
    return 0;
  }
  io.stdout.write(`${Object.entries(plan.outputs).map(([output, value]) => `${output}: ${value}`).join('\n')}\n`);
  io.stdout.write(`the CLI against the emulator: ${cli}\n`);
  io.stdout.write(`remediate handler: ${JSON.stringify(result.remediate)}\n`);
  const block = result.publicAccessBlock;
  const contained = block !== undefined && block.BlockPublicAcls === true && block.IgnorePublicAcls === true && block.BlockPublicPolicy === true && block.RestrictPublicBuckets === true;
  io.stdout.write(`${args.demoBucket} Block Public Access: ${JSON.stringify(block ?? null)}${contained ? ' (contained)' : ''}\n`);
  if (!contained) {
    io.stderr.write(`npm run local: ${args.demoBucket} was not contained; see the handler's logs above\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  runLocal(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`npm run local failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
