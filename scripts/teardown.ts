/**
 * `npm run teardown -- [--stack S] [--region R] [--dry-run] [--yes] [--cdk-out DIR] [--state FILE] [--key-pending-days N]`:
 * removes a production deployment, the steps of docs/cost-and-teardown.md: `cdk destroy` of the stacks, then what
 * they retain (tables, buckets, log groups, and the keys last). A bucket under Object Lock COMPLIANCE is refused
 * with the date it can be deleted, and then the keys are kept too (the records would become unreadable).
 *
 * `--dry-run` works offline: it reads the synthesized templates in cdk.out (`npx cdk synth` first) and prints every
 * command with `<LogicalId>` for the names. Without it the plan comes from the deployed stacks (their templates
 * and physical IDs), is saved to the state file (a later run goes on from it once the stacks are gone), printed,
 * confirmed (type the stack name, or `--yes`), then run.
 *
 * Exit codes: 0 done (or dry run), 1 something was refused or failed (what remains is said), 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { forwarderStackName } from '../lib/guardrail-app';
import { readDeployedApp, runStep, spawnRunner, type CommandRunner } from './teardown-aws';
import { coveredRegionsOf, KEY_PENDING_WINDOW_DAYS, renderPlan, teardownSteps, TeardownPlanError, type CfnTemplate, type TeardownStack } from './teardown-plan';

export interface TeardownArgs {
  readonly stackName: string;
  /** undefined: AWS_REGION, else (dry run) the template's HomeRegion output. */
  readonly region?: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly cdkOut: string;
  readonly state?: string;
  readonly pendingWindowDays: number;
}

/** Bad arguments or environment: exit 2 with this message. */
export class TeardownUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeardownUsageError';
  }
}

const USAGE = 'usage: npm run teardown -- [--stack S] [--region R] [--dry-run] [--yes] [--cdk-out DIR] [--state FILE] [--key-pending-days 7-30]';
const VALUE_OPTIONS = ['--stack', '--region', '--cdk-out', '--state', '--key-pending-days'] as const;

function defaultStackName(): string {
  const context = (JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: { stackName?: unknown } }).context;
  return typeof context?.stackName === 'string' ? context.stackName : 'BucketGuardrail';
}

export function parseTeardownArgs(argv: readonly string[], env: NodeJS.ProcessEnv): TeardownArgs {
  const values: Partial<Record<(typeof VALUE_OPTIONS)[number], string>> = {};
  const flags = { '--dry-run': false, '--yes': false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--dry-run' || arg === '--yes') {
      flags[arg] = true;
    } else if ((VALUE_OPTIONS as readonly string[]).includes(arg)) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new TeardownUsageError(`${arg} needs a value; ${USAGE}`);
      values[arg as (typeof VALUE_OPTIONS)[number]] = value;
      index += 1;
    } else {
      throw new TeardownUsageError(`unknown argument ${arg}; ${USAGE}`);
    }
  }
  const stackName = values['--stack'] ?? defaultStackName();
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new TeardownUsageError(`--stack "${stackName}" is not a CloudFormation stack name`);
  const region = values['--region'] ?? (env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined);
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new TeardownUsageError(`--region "${region}" is not a region such as us-east-1`);
  if (region === undefined && !flags['--dry-run']) throw new TeardownUsageError('no region: pass --region (the home region of the stack) or set AWS_REGION');
  const days = Number(values['--key-pending-days'] ?? KEY_PENDING_WINDOW_DAYS.default);
  if (!Number.isInteger(days) || days < KEY_PENDING_WINDOW_DAYS.min || days > KEY_PENDING_WINDOW_DAYS.max) {
    throw new TeardownUsageError(`--key-pending-days "${values['--key-pending-days']}" is not a whole number of days from ${KEY_PENDING_WINDOW_DAYS.min} to ${KEY_PENDING_WINDOW_DAYS.max} (KMS's limits)`);
  }
  return {
    stackName,
    ...(region !== undefined ? { region } : {}),
    dryRun: flags['--dry-run'],
    yes: flags['--yes'],
    cdkOut: values['--cdk-out'] ?? 'cdk.out',
    ...(values['--state'] !== undefined ? { state: values['--state'] } : {}),
    pendingWindowDays: days,
  };
}

/** The synthesized home stack and its forwarders from `cdkOut`, in the home region (the template's HomeRegion output). */
export function readSynthesizedApp(cdkOut: string, stackName: string, region: string | undefined): { stacks: TeardownStack[]; region: string } {
  const read = (name: string): CfnTemplate => {
    const file = join(cdkOut, `${name}.template.json`);
    if (!existsSync(file)) throw new TeardownUsageError(`${file} does not exist: run \`npx cdk synth\` (offline) first, with the -c values you deploy with`);
    return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  };
  const template = read(stackName);
  const homeRegion = template.Outputs?.HomeRegion?.Value;
  if (typeof homeRegion !== 'string') throw new TeardownUsageError(`${stackName}.template.json has no HomeRegion output: is it the guardrail's home stack?`);
  if (region !== undefined && region !== homeRegion) throw new TeardownUsageError(`the synthesized ${stackName} is for ${homeRegion}, not ${region}: synthesize with -c homeRegion=${region}`);
  const forwarders = coveredRegionsOf(template)
    .filter((covered) => covered !== homeRegion)
    .map((covered) => ({ stackName: forwarderStackName(stackName, covered), region: covered, template: read(forwarderStackName(stackName, covered)) }));
  return { stacks: [{ stackName, region: homeRegion, template }, ...forwarders], region: homeRegion };
}

export interface TeardownIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

export interface TeardownDeps {
  /** @default spawnRunner(env): the AWS CLI and `npx cdk` */
  readonly run?: CommandRunner;
  /** Asks the operator to confirm; undefined when no one can be asked. @default - standard input, when a terminal */
  readonly confirm?: ((question: string) => Promise<string>) | undefined;
  readonly now?: () => Date;
}

function terminalConfirm(): ((question: string) => Promise<string>) | undefined {
  if (process.stdin.isTTY !== true) return undefined;
  return async (question) => {
    const reader = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await reader.question(question);
    } finally {
      reader.close();
    }
  };
}

/**
 * The deployed app (saved to the state file), or, once the home stack is gone, the app the state file kept:
 * `cdk destroy` deletes the forwarders before the home stack, so with the home stack gone every stack is.
 */
async function deployedOrSaved(run: CommandRunner, args: TeardownArgs & { region: string }, stateFile: string): Promise<{ stacks: TeardownStack[]; deployed: boolean }> {
  const deployed = await readDeployedApp(run, args.stackName, args.region);
  if (deployed !== undefined) {
    writeFileSync(stateFile, `${JSON.stringify(deployed, null, 2)}\n`);
    return { stacks: deployed, deployed: true };
  }
  if (existsSync(stateFile)) return { stacks: JSON.parse(readFileSync(stateFile, 'utf8')) as TeardownStack[], deployed: false };
  throw new TeardownUsageError(`${args.stackName} does not exist in ${args.region} and there is no state file ${stateFile} from an earlier run`);
}

export async function runTeardown(argv: readonly string[], io: TeardownIo, deps: TeardownDeps = {}): Promise<number> {
  try {
    const args = parseTeardownArgs(argv, io.env);
    if (args.dryRun) {
      const { stacks, region } = readSynthesizedApp(args.cdkOut, args.stackName, args.region);
      const steps = teardownSteps(stacks, { stackName: args.stackName, region, pendingWindowDays: args.pendingWindowDays });
      io.stdout.write(`# teardown of ${args.stackName} in ${region}: dry run from the synthesized templates, names shown as <LogicalId>, nothing called\n`);
      io.stdout.write(`${renderPlan(steps)}\n`);
      return 0;
    }
    const region = args.region as string;
    const run = deps.run ?? spawnRunner(io.env);
    const stateFile = args.state ?? `bucket-guardrail-teardown-${args.stackName}-${region}.json`;
    const { stacks, deployed } = await deployedOrSaved(run, { ...args, region }, stateFile);
    const steps = teardownSteps(stacks, { stackName: args.stackName, region, pendingWindowDays: args.pendingWindowDays }).filter((step) => step.kind !== 'destroy' || deployed);
    io.stdout.write(`# teardown of ${args.stackName} in ${region} (plan saved to ${stateFile})\n${renderPlan(steps)}\n`);
    if (!args.yes) {
      const confirm = 'confirm' in deps ? deps.confirm : terminalConfirm();
      if (confirm === undefined) throw new TeardownUsageError('standard input is not a terminal: pass --yes to run the steps above');
      const answer = await confirm(`Type the stack name (${args.stackName}) to run the steps above: `);
      if (answer.trim() !== args.stackName) {
        io.stderr.write('npm run teardown: not confirmed; nothing was changed\n');
        return 2;
      }
    }
    const now = (deps.now ?? (() => new Date()))();
    let blocked = false;
    for (const step of steps) {
      if (step.kind === 'key' && blocked) {
        io.stdout.write(`kept key ${step.resource.name}: a bucket it may encrypt was not deleted\n`);
        continue;
      }
      const outcome = await runStep(step, run, now);
      io.stdout.write(`${outcome.status}: ${outcome.message}\n`);
      if (outcome.status === 'refused') blocked = true;
    }
    if (blocked) {
      io.stderr.write(`npm run teardown: not everything could be removed; run it again after the date above (it goes on from ${stateFile})\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof TeardownUsageError || error instanceof TeardownPlanError) {
      io.stderr.write(`npm run teardown: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`npm run teardown: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  runTeardown(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
