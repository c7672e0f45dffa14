/**
 * `bucket-guardrail scan [--region R] [--json] [--fix [--yes]] [--strategy S] [--concurrency N]`
 *
 * Lists every bucket with the caller's credentials and runs each through the guardrail's remediation pipeline
 * in report-only mode (same reads, same engine, same client setup and endpoint handling as the Lambdas), then
 * reports the public buckets (what the public can do and why), whether a CloudTrail trail feeds the
 * guardrail in each region, and totals. `--fix` shows the plan, then applies the configured remediation
 * after a confirmation (`--yes` without a terminal), honouring the deployed guardrail's exemptions.
 *
 * Exit codes: 0 nothing public (or every public bucket exempt or fixed), 1 a bucket is still public,
 * 2 an error (bad flags, AWS errors, a bucket that could not be checked).
 */
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { AccountBlockCache } from '../../lambda/remediate/adapters/account-block-cache';
import { S3StateAdapter } from '../../lambda/remediate/adapters/s3-state';
import { REMEDIATE_ENV, REMEDIATION_STRATEGIES, type Exemption, type RemediateConfig, type RemediationStrategy } from '../../lambda/remediate/environment';
import type { PipelineDeps } from '../../lambda/remediate/pipeline';
import { createAwsClients, type AwsClients, type AwsEnvironment } from '../../lambda/shared/aws/clients';
import type { DecodedExemptions } from '../../lambda/shared/exemptions/exemptions-table';
import type { AccessLevel } from '../../lambda/shared/exposure/types';
import { s3BucketLister } from '../../lambda/sweep/adapters/bucket-listing';
import { readRegionCoverage } from '../../lambda/sweep/adapters/cloudtrail';
import { judgeForeignDoors, readDoorInventory } from '../../lambda/sweep/adapters/door-listing';
import type { DoorVerdict } from '../../lambda/sweep/doors';
import { fixBuckets, inMemoryPorts, scanAccount, type ScanDeps, type ScanResult, type ScannedBucket } from '../../lambda/sweep/scan-account';
import { scanExemptions } from '../../lambda/shared/exemptions/exemptions-store';
import { describeStackOutputs } from '../audit/aws';
import { stsCallerIdentity, type CallerIdentityResolver } from '../audit/caller-identity';
import { DEFAULT_STACK_NAME, resolveResources } from '../audit/stack-outputs';
import { defineCommand, type Command, type FlagValues } from '../command';
import { withHint } from '../hints';
import { EXIT, UsageError, confirm, type CliIo } from '../io';
import { loadExemptions, type LoadedExemptions } from '../scan-exemptions';
import { SCAN_SPEC } from '../specs';

export interface ScanCommandDeps {
  readonly callerIdentity: CallerIdentityResolver;
  readonly clients: (env: AwsEnvironment) => AwsClients;
  readonly now: () => number;
  /** The directory holding the app's cdk.json. @default - the process's working directory */
  readonly cwd?: () => string;
}

const DEFAULT_DEPS: ScanCommandDeps = { callerIdentity: stsCallerIdentity, clients: (env) => createAwsClients(env), now: () => Date.now(), cwd: () => process.cwd() };

interface ScanFlags {
  readonly region?: string;
  readonly json: boolean;
  readonly fix: boolean;
  readonly yes: boolean;
  readonly strategy?: RemediationStrategy;
  readonly concurrency: number;
}

function checkFlags(values: FlagValues<typeof SCAN_SPEC.options>): ScanFlags {
  if (values.yes && !values.fix) {
    throw new UsageError('--yes only confirms --fix; add --fix to change buckets');
  }
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(values.region)) {
    throw new UsageError(`--region "${values.region}" is not a Region code such as eu-west-1`);
  }
  if (values.strategy !== undefined && !(REMEDIATION_STRATEGIES as readonly string[]).includes(values.strategy)) {
    throw new UsageError(`--strategy "${values.strategy}": use ${REMEDIATION_STRATEGIES.join(' or ')}`);
  }
  const concurrency = values.concurrency === undefined ? 16 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new UsageError(`--concurrency "${values.concurrency ?? ''}" is not a whole number from 1 to 256`);
  }
  return {
    ...(values.region !== undefined ? { region: values.region } : {}),
    json: values.json ?? false,
    fix: values.fix ?? false,
    yes: values.yes ?? false,
    ...(values.strategy !== undefined ? { strategy: values.strategy as RemediationStrategy } : {}),
    concurrency,
  };
}

/** The remediation the CLI applies: the same variables the remediator reads, where the caller sets them. */
function remediationFrom(env: AwsEnvironment, flags: ScanFlags, account: string, region: string, exemptions: readonly Exemption[]): RemediateConfig {
  const strategyText = flags.strategy ?? (env[REMEDIATE_ENV.strategy]?.trim() || 'block-public-access');
  if (!(REMEDIATION_STRATEGIES as readonly string[]).includes(strategyText)) {
    throw new UsageError(`${REMEDIATE_ENV.strategy} "${strategyText}": use ${REMEDIATION_STRATEGIES.join(' or ')}`);
  }
  return {
    // The CLI's audit and alert ports are in memory: no topic or table is written, these two only fill the type.
    alertTopicArn: `arn:aws:sns:${region}:${account}:bucket-guardrail-cli`,
    auditTableName: 'bucket-guardrail-cli',
    mode: 'enforce',
    strategy: strategyText as RemediationStrategy,
    exemptions,
    selfRoleArn: `arn:aws:iam::${account}:role/bucket-guardrail-cli`,
    sensitiveTagKeys: (env[REMEDIATE_ENV.sensitiveTagKeys] ?? '').split(',').map((key) => key.trim()).filter(Boolean),
    enforceAccountBlockPublicAccess: false,
  };
}

const ACCESS_WORDS: Record<AccessLevel, string> = {
  read: 'read objects',
  list: 'list objects',
  write: 'write objects',
  readAcp: 'read the ACL',
  writeAcp: 'change the ACL',
};

function whatThePublicCanDo(bucket: ScannedBucket): string {
  const access = bucket.report?.access ?? [];
  return access.length > 0 ? access.map((level) => ACCESS_WORDS[level]).join(', ') : 'per S3: the policy is public';
}

function why(bucket: ScannedBucket): string {
  const active = (bucket.report?.findings ?? []).filter((finding) => finding.neutralisedBy === undefined).map((finding) => finding.why);
  return active.length > 0 ? active.join('; ') : 'S3 GetBucketPolicyStatus reports the bucket policy as public';
}

function actionText(bucket: ScannedBucket): string {
  if (bucket.outcome === 'exempt') return `exempt (${bucket.exemption?.reason ?? 'exemption'}, until ${bucket.exemption?.expires ?? '?'})`;
  if (bucket.action === undefined) return '';
  return bucket.action.outcome === 'remediated' ? `fixed: ${bucket.action.reason ?? 'contained'}` : `${bucket.action.outcome.toUpperCase()}: ${bucket.action.reason ?? ''}`;
}

function table(rows: string[][], maxWidth: number): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) => {
      const line = row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
      return line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line;
    })
    .join('\n');
}

export function renderScan(result: ScanResult, options: { readonly width: number; readonly fixed: boolean }): string {
  const out: string[] = [];
  const { totals } = result;
  out.push(`Account ${result.account}: ${totals.checked} bucket${totals.checked === 1 ? '' : 's'} checked.`, '');
  const publicBuckets = result.buckets.filter((bucket) => bucket.public);
  if (publicBuckets.length === 0) {
    out.push('No public buckets.');
  } else {
    out.push(`Public buckets (${publicBuckets.length}):`);
    const header = ['BUCKET', 'REGION', 'THE PUBLIC CAN', 'ACTION', 'WHY'];
    const rows = publicBuckets.map((bucket) => [bucket.bucket, bucket.region, whatThePublicCanDo(bucket), actionText(bucket) || (options.fixed ? '' : 'none (read-only scan)'), why(bucket)]);
    out.push(table([header, ...rows], options.width));
  }
  out.push(...renderDoors(result, options.width));
  const errors = result.buckets.filter((bucket) => bucket.error !== undefined);
  if (errors.length > 0) {
    out.push('', `Could not check (${errors.length}):`);
    for (const bucket of errors) {
      out.push(`  ${bucket.bucket} (${bucket.region}): ${bucket.error?.code ?? bucket.error?.name}: ${bucket.error?.message}`);
    }
  }
  out.push('', 'CloudTrail coverage (the guardrail only sees exposure events where a trail logs write management events):');
  for (const region of result.trails) {
    out.push(`  ${region.region.padEnd(16)} ${(region.status === 'covered' ? 'covered' : region.status === 'blind' ? 'BLIND' : 'unknown').padEnd(8)} ${region.why}`);
  }
  out.push(
    '',
    `Totals: ${totals.checked} checked, ${totals.public} public (${totals.exempt} exempt), ${totals.fixed} fixed, ${totals.failed} failed, ${totals.errors} could not be checked.`,
  );
  if (totals.stillPublic > 0 && !options.fixed) {
    out.push('Run again with --fix to apply the configured remediation (Block Public Access; reversible, removes nothing by default).');
  }
  return `${out.join('\n')}\n`;
}

const DOOR_KIND: Record<DoorVerdict['kind'], string> = { accessPoint: 'access point', multiRegionAccessPoint: 'Multi-Region Access Point' };

function doorState(door: DoorVerdict): string {
  return door.public === null ? 'UNKNOWN' : door.public ? 'PUBLIC' : 'private';
}

const HELD_BY: Record<NonNullable<DoorVerdict['neutralisedBy']>, string> = {
  NetworkOriginVpc: 'public policy, but its network origin is VPC',
  RestrictPublicBuckets: 'public policy, but RestrictPublicBuckets is on',
  BucketDoesNotAllow: 'public policy, but the bucket does not let the public through it',
};

/** One short line for a person (the JSON has the full explanation in `why`). */
function doorLine(door: DoorVerdict): string {
  if (door.public === null) return door.error !== undefined ? `${door.error.code ?? door.error.name}: ${door.why}` : door.why;
  if (door.public) return `${door.access.length > 0 ? `the public can ${door.access.map((level) => ACCESS_WORDS[level]).join(', ')}` : 'public'}: ${door.why}`;
  if (door.neutralisedBy !== undefined) return HELD_BY[door.neutralisedBy];
  return door.policyIsPublic === false ? 'its policy grants the public nothing' : door.why;
}

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Every bucket's access points and Multi-Region Access Points, indented under it; then the doors to other accounts' buckets. */
function renderDoors(result: ScanResult, width: number): string[] {
  const out: string[] = [];
  const withDoors = result.buckets.filter((bucket) => (bucket.doors ?? []).length > 0);
  if (withDoors.length > 0) {
    const count = withDoors.reduce((sum, bucket) => sum + (bucket.doors?.length ?? 0), 0);
    out.push('', `Access points and Multi-Region Access Points (${count}, on ${withDoors.length} bucket${withDoors.length === 1 ? '' : 's'}):`);
    const labelWidth = Math.max(...withDoors.flatMap((bucket) => (bucket.doors ?? []).map((door) => `${DOOR_KIND[door.kind]} ${door.name}`.length)));
    for (const bucket of withDoors) {
      out.push(clip(`  ${bucket.bucket} (${bucket.region})${bucket.public ? ' PUBLIC' : ''}`, width));
      for (const door of bucket.doors ?? []) {
        out.push(clip(`    ${`${DOOR_KIND[door.kind]} ${door.name}`.padEnd(labelWidth)}  ${doorState(door).padEnd(7)}  ${doorLine(door)}`, width));
      }
    }
  }
  if (result.foreignDoors.length > 0) {
    out.push('', `Access points of this account on buckets of other accounts (${result.foreignDoors.length}), judged on their own side and never changed by the guardrail:`);
    for (const door of result.foreignDoors) {
      out.push(clip(`  ${DOOR_KIND[door.kind]} ${door.name} (${door.region}) -> bucket ${door.bucket} of account ${door.bucketAccount}: ${doorState(door)}  ${doorLine(door)}`, width));
    }
  }
  if (result.doorListingErrors.length > 0) {
    out.push('', `Could not list access points (${result.doorListingErrors.length}); the buckets there were checked without them:`);
    for (const failure of result.doorListingErrors) {
      out.push(`  ${failure.scope}: ${failure.error.code ?? failure.error.name}: ${failure.error.message}`);
    }
  }
  return out;
}

function isUnreadable(bucket: ScannedBucket): boolean {
  return bucket.error !== undefined && bucket.report === undefined;
}

/** What --fix will do, said before it asks: the strategy, and each bucket it will change. */
export function renderPlan(result: ScanResult, strategy: RemediationStrategy): string {
  const targets = result.buckets.filter((bucket) => bucket.public && bucket.outcome !== 'exempt');
  const lines = [`Plan: apply ${strategy} to ${targets.length} public bucket${targets.length === 1 ? '' : 's'} in account ${result.account}:`];
  for (const bucket of targets) {
    lines.push(`  - ${bucket.bucket} (${bucket.region}): the public can ${whatThePublicCanDo(bucket)}`);
  }
  const exempt = result.buckets.filter((bucket) => bucket.public && bucket.outcome === 'exempt');
  if (exempt.length > 0) {
    lines.push(`  Left alone (exempt): ${exempt.map((bucket) => bucket.bucket).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function toJson(result: ScanResult): unknown {
  return {
    account: result.account,
    buckets: result.buckets.map((bucket) => ({
      bucket: bucket.bucket,
      region: bucket.region,
      ...(bucket.report !== undefined ? { report: bucket.report } : {}),
      // Unreadable: neither public nor private is known, so null (with the error below), counted in totals.errors.
      public: isUnreadable(bucket) ? null : bucket.public,
      ...(bucket.outcome !== undefined ? { outcome: bucket.outcome } : {}),
      ...(bucket.exemption !== undefined ? { exemption: bucket.exemption } : {}),
      ...(bucket.action !== undefined ? { action: bucket.action } : {}),
      ...(bucket.error !== undefined ? { error: bucket.error } : {}),
      // Each door with its verdict: true or false, or null with the error when it (or its bucket) could not be read.
      ...(bucket.doors !== undefined ? { accessPoints: bucket.doors } : {}),
    })),
    foreignAccessPoints: result.foreignDoors,
    accessPointListingErrors: result.doorListingErrors,
    trails: result.trails,
    totals: result.totals,
  };
}

/** A one-line progress bar on a terminal's stderr; nothing when not a terminal. */
function progressBar(io: CliIo, enabled: boolean): { update(label: string, done: number, total: number): void; clear(): void } {
  let shown = false;
  return {
    update(label, done, total) {
      if (!enabled) return;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      shown = true;
    },
    clear() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** The exemptions table through the stack outputs (or --exemptions-table), read once for the whole scan. */
function tableReader(values: FlagValues<typeof SCAN_SPEC.options>, clients: AwsClients, env: AwsEnvironment): () => Promise<DecodedExemptions> {
  const region = values['stack-region'] ?? clients.homeRegion;
  return async () => {
    const { exemptionsTable } = await resolveResources(
      ['exemptionsTable'],
      { exemptionsTable: values['exemptions-table'] },
      values.stack ?? DEFAULT_STACK_NAME,
      (name) => describeStackOutputs(new CloudFormationClient(clients.baseConfig('cloudformation', region)), name),
      region,
    );
    try {
      return await scanExemptions(clients.dynamoDbDocument(region), exemptionsTable);
    } catch (error) {
      throw new Error(`${exemptionsTable}: ${withHint(error, { env, region })}`, { cause: error });
    }
  };
}

export function createScanCommand(deps: ScanCommandDeps = DEFAULT_DEPS): Command {
  return defineCommand(SCAN_SPEC, async ({ values }, io) => {
    const flags = checkFlags(values);
    const clients = deps.clients(io.env);
    const home = flags.region ?? clients.homeRegion ?? 'us-east-1';
    // The deployed guardrail's exemptions: all of them before --fix may change anything (else exit 2).
    const wantsTable = flags.fix || values.stack !== undefined || values['exemptions-table'] !== undefined;
    const exemptions: LoadedExemptions = await loadExemptions({
      env: io.env,
      cdkJsonPath: values['cdk-json'] ?? join((deps.cwd ?? (() => process.cwd()))(), 'cdk.json'),
      cdkJsonExplicit: values['cdk-json'] !== undefined,
      readTable: wantsTable ? tableReader(values, clients, io.env) : undefined,
      required: flags.fix,
    });
    for (const note of exemptions.notes) io.stderr.write(`note: ${note}\n`);
    const caller = await deps.callerIdentity(clients);
    const config = remediationFrom(io.env, flags, caller.account, home, exemptions.configured);
    const ports = inMemoryPorts();
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    // Access points are regional (S3 Control in their Region); Multi-Region Access Points are served from us-west-2.
    const controlIn = (region: string) => clients.s3Control(region);
    const s3 = new S3StateAdapter({ s3: (region) => clients.s3(region), s3Control: () => clients.s3Control(home), s3ControlIn: controlIn }, new AccountBlockCache());
    const table = exemptions.table;
    const pipeline = (mode: 'report-only' | 'enforce'): PipelineDeps => ({
      config: { ...config, mode },
      s3,
      audit: ports.audit,
      alerts: ports.alerts,
      clock: { now: deps.now },
      logger: quiet,
      metrics: { addMetric: () => undefined },
      ...(table !== undefined ? { exemptions: { readExemptions: async () => table } } : {}),
    });
    const scanDeps: ScanDeps = {
      listPage: s3BucketLister(clients.s3(home), { pageSize: 1000, ...(flags.region !== undefined ? { bucketRegion: flags.region } : {}) }),
      pipeline,
      readCoverage: (region) => readRegionCoverage(new CloudTrailClient(clients.baseConfig('cloudtrail', region)), region),
      now: deps.now,
      readDoors: (regions) => readDoorInventory(controlIn, caller.account, regions),
      judgeForeignDoors: (inventory) => judgeForeignDoors(controlIn, inventory),
    };
    const bar = progressBar(io, io.stderr.isTTY === true && !flags.json);
    let result = await scanAccount(scanDeps, {
      account: caller.account,
      concurrency: flags.concurrency,
      fallbackRegion: home,
      ...(flags.region !== undefined ? { trailRegions: [flags.region] } : {}),
      onListed: (count) => bar.update('Listing buckets ', count, count),
      onChecked: (done, total) => bar.update('Checking buckets', done, total),
    });
    bar.clear();

    let fixed = false;
    if (flags.fix && result.totals.stillPublic > 0) {
      // The plan first (on stderr under --json, so stdout stays one JSON document), then the question.
      const plan = renderPlan(result, config.strategy);
      (flags.json ? io.stderr : io.stdout).write(plan);
      if (!flags.yes && io.stdin.isTTY !== true) {
        throw new UsageError('standard input is not a terminal, so --fix cannot ask; nothing changed. Pass --yes to apply the plan above');
      }
      const question = `Apply ${config.strategy} to ${result.totals.stillPublic} public bucket${result.totals.stillPublic === 1 ? '' : 's'} in account ${result.account}?`;
      if (flags.yes || (await confirm(io, question))) {
        result = await fixBuckets(scanDeps, result, { concurrency: flags.concurrency, onChecked: (done, total) => bar.update('Fixing buckets  ', done, total) });
        bar.clear();
        fixed = true;
      } else {
        io.stderr.write('Nothing changed.\n');
      }
    }

    io.stdout.write(flags.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : renderScan(result, { width: io.stdout.columns ?? 160, fixed }));
    if (result.totals.errors > 0) return EXIT.error;
    return result.totals.stillPublic > 0 ? EXIT.findings : EXIT.ok;
  });
}

export const scanCommand: Command = createScanCommand();
