/**
 * `npm run teardown`, the effects: the steps of scripts/teardown-plan.ts run as the very AWS CLI and CDK CLI
 * commands the dry run prints (the project has no KMS or CloudWatch Logs SDK client, and an operator can replay
 * or audit each line), through a small `CommandRunner` a test replaces. Also reads the deployed stacks (template
 * and physical IDs) so the plan describes what is deployed, not what this checkout would synthesize.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwarderStackName } from '../lib/guardrail-app';
import { commandLine, coveredRegionsOf, stepCommands, type CfnTemplate, type TeardownStack, type TeardownStep } from './teardown-plan';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command (no shell); `inherit` shows its output as it comes (cdk destroy) instead of capturing it. */
export type CommandRunner = (command: readonly string[], options?: { readonly inherit?: boolean }) => Promise<CommandResult>;

export function spawnRunner(env: NodeJS.ProcessEnv): CommandRunner {
  return (command, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(command[0] as string, command.slice(1), { env, stdio: options.inherit === true ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new Error(`${command[0]} is not installed or not on PATH (the teardown runs the AWS CLI and npx cdk)`, { cause: error }) : error),
      );
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

/** A command failed in a way the teardown cannot go on from. */
export class TeardownCommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly result: CommandResult,
  ) {
    super(`${commandLine(command)} exited ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' ') || '(no message)'}`);
    this.name = 'TeardownCommandError';
  }
}

/** The AWS CLI's error code from its message: `An error occurred (ResourceNotFoundException) when calling …`. */
export function awsCliErrorCode(result: CommandResult): string | undefined {
  return /An error occurred \(([\w.]+)\)/.exec(result.stderr)?.[1];
}

async function json(run: CommandRunner, command: readonly string[]): Promise<Record<string, unknown>> {
  const result = await run([...command, '--output', 'json']);
  if (result.code !== 0) throw new TeardownCommandError(command, result);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

/** One deployed stack: its original template and the physical ID of each resource; undefined when it does not exist. */
export async function readDeployedStack(run: CommandRunner, stackName: string, region: string): Promise<TeardownStack | undefined> {
  const at = ['--stack-name', stackName, '--region', region];
  const described = await run(['aws', 'cloudformation', 'describe-stacks', ...at, '--output', 'json']);
  if (described.code !== 0) {
    if (/does not exist/.test(described.stderr)) return undefined;
    throw new TeardownCommandError(['aws', 'cloudformation', 'describe-stacks', ...at], described);
  }
  const body = (await json(run, ['aws', 'cloudformation', 'get-template', ...at, '--template-stage', 'Original'])).TemplateBody;
  const template = (typeof body === 'string' ? JSON.parse(body) : body) as CfnTemplate;
  const summaries = (await json(run, ['aws', 'cloudformation', 'list-stack-resources', ...at])).StackResourceSummaries as
    | { LogicalResourceId?: string; PhysicalResourceId?: string }[]
    | undefined;
  const physicalIds: Record<string, string> = {};
  for (const summary of summaries ?? []) {
    if (summary.LogicalResourceId !== undefined && summary.PhysicalResourceId !== undefined) physicalIds[summary.LogicalResourceId] = summary.PhysicalResourceId;
  }
  return { stackName, region, template, physicalIds };
}

/** The home stack and the forwarder stacks of its covered regions that exist; undefined when the home stack does not. */
export async function readDeployedApp(run: CommandRunner, stackName: string, region: string): Promise<TeardownStack[] | undefined> {
  const home = await readDeployedStack(run, stackName, region);
  if (home === undefined) return undefined;
  const forwarders = await Promise.all(
    coveredRegionsOf(home.template)
      .filter((covered) => covered !== region)
      .map((covered) => readDeployedStack(run, forwarderStackName(stackName, covered), covered)),
  );
  return [home, ...forwarders.filter((stack): stack is TeardownStack => stack !== undefined)];
}

export type StepOutcome =
  | { readonly status: 'done' | 'gone'; readonly message: string }
  | { readonly status: 'refused' | 'kept'; readonly message: string };

const GONE = {
  table: ['ResourceNotFoundException'],
  bucket: ['NoSuchBucket'],
  'log-group': ['ResourceNotFoundException'],
  key: ['NotFoundException'],
} as const;

interface ObjectVersion {
  readonly Key: string;
  readonly VersionId: string;
}

/** At most this many `get-object-retention` calls at once. */
const RETENTION_READS_AT_ONCE = 8;
/** DeleteObjects takes at most 1,000 keys a call. */
const DELETE_BATCH = 1000;

/** The latest COMPLIANCE retain-until date among `versions`, or undefined when none is under COMPLIANCE retention. */
async function latestComplianceRetention(run: CommandRunner, bucket: string, region: string, versions: readonly ObjectVersion[]): Promise<Date | undefined> {
  let latest: Date | undefined;
  for (let start = 0; start < versions.length; start += RETENTION_READS_AT_ONCE) {
    const dates = await Promise.all(
      versions.slice(start, start + RETENTION_READS_AT_ONCE).map(async (version) => {
        const command = ['aws', 's3api', 'get-object-retention', '--region', region, '--bucket', bucket, '--key', version.Key, '--version-id', version.VersionId];
        const result = await run([...command, '--output', 'json']);
        if (result.code !== 0) {
          if (awsCliErrorCode(result) === 'NoSuchObjectLockConfiguration') return undefined;
          throw new TeardownCommandError(command, result);
        }
        const retention = (JSON.parse(result.stdout) as { Retention?: { Mode?: string; RetainUntilDate?: string } }).Retention;
        return retention?.Mode === 'COMPLIANCE' && retention.RetainUntilDate !== undefined ? new Date(retention.RetainUntilDate) : undefined;
      }),
    );
    for (const date of dates) if (date !== undefined && (latest === undefined || date > latest)) latest = date;
  }
  return latest;
}

async function removeBucket(run: CommandRunner, bucket: string, region: string, now: Date): Promise<StepOutcome> {
  const at = ['--region', region, '--bucket', bucket];
  const lockCommand = ['aws', 's3api', 'get-object-lock-configuration', ...at];
  const lockResult = await run([...lockCommand, '--output', 'json']);
  const lockCode = awsCliErrorCode(lockResult);
  if (lockResult.code !== 0 && lockCode !== 'ObjectLockConfigurationNotFoundError') {
    if (lockCode !== undefined && (GONE.bucket as readonly string[]).includes(lockCode)) return { status: 'gone', message: `bucket ${bucket} no longer exists` };
    throw new TeardownCommandError(lockCommand, lockResult);
  }
  const locked = lockResult.code === 0;
  const listed = await json(run, ['aws', 's3api', 'list-object-versions', ...at]);
  const versions = [...((listed.Versions as ObjectVersion[] | undefined) ?? []), ...((listed.DeleteMarkers as ObjectVersion[] | undefined) ?? [])].map(({ Key, VersionId }) => ({ Key, VersionId }));
  if (locked) {
    const until = await latestComplianceRetention(run, bucket, region, (listed.Versions as ObjectVersion[] | undefined) ?? []);
    if (until !== undefined && until > now) {
      return {
        status: 'refused',
        message: `bucket ${bucket} holds records under Object Lock COMPLIANCE retention until ${until.toISOString()}: no one can delete them before; run the teardown again after that date`,
      };
    }
  }
  const directory = mkdtempSync(join(tmpdir(), 'bucket-guardrail-teardown-'));
  try {
    for (let start = 0; start < versions.length; start += DELETE_BATCH) {
      const file = join(directory, 'versions.json');
      writeFileSync(file, JSON.stringify({ Objects: versions.slice(start, start + DELETE_BATCH), Quiet: true }));
      // GOVERNANCE retention (a construct user's choice) is bypassed: the operator is deleting the archive on purpose.
      const deleted = await json(run, ['aws', 's3api', 'delete-objects', ...at, '--delete', `file://${file}`, ...(locked ? ['--bypass-governance-retention'] : [])]);
      const errors = (deleted.Errors as { Key?: string; Code?: string }[] | undefined) ?? [];
      if (errors.length > 0) return { status: 'refused', message: `bucket ${bucket}: ${errors.length} versions could not be deleted (${errors[0]?.Code} on ${errors[0]?.Key})` };
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  await json(run, ['aws', 's3api', 'delete-bucket', ...at]);
  return { status: 'done', message: `bucket ${bucket} emptied (${versions.length} versions and delete markers) and deleted` };
}

/**
 * Runs one step. Resources already gone count as done (a second run after a refusal goes on where the first
 * stopped); a bucket under COMPLIANCE retention is refused, never half emptied.
 */
export async function runStep(step: TeardownStep, run: CommandRunner, now: Date): Promise<StepOutcome> {
  if (step.kind === 'destroy') {
    const [command] = stepCommands(step) as [string[]];
    const result = await run(command, { inherit: true });
    if (result.code !== 0) throw new TeardownCommandError(command, result);
    return { status: 'done', message: `deleted ${step.stacks.join(', ')}` };
  }
  const { name, region } = step.resource;
  if (step.kind === 'bucket') return removeBucket(run, name, region, now);
  for (const command of stepCommands(step)) {
    const result = await run([...command, '--output', 'json']);
    if (result.code === 0) {
      if (step.kind === 'key') {
        const date = (JSON.parse(result.stdout) as { DeletionDate?: string }).DeletionDate;
        return { status: 'done', message: `key ${name} scheduled for deletion on ${date ?? `in ${step.pendingWindowDays} days`}` };
      }
      continue;
    }
    const code = awsCliErrorCode(result);
    if (code !== undefined && (GONE[step.kind] as readonly string[]).includes(code)) return { status: 'gone', message: `${step.kind} ${name} no longer exists` };
    if (step.kind === 'key' && code === 'KMSInvalidStateException') return { status: 'gone', message: `key ${name} is already pending deletion` };
    throw new TeardownCommandError(command, result);
  }
  return { status: 'done', message: `${step.kind} ${name} deleted` };
}
