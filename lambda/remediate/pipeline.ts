/**
 * The remediation pipeline: one implementation, two entry points (a CloudTrail event through
 * `processEvent`, or one bucket from a sweep through `remediateBucket`). It talks to the world only through
 * the ports in ports.ts.
 *
 * Bucket path, in sequential round trips:
 *   1. claim the audit record  ∥  read the bucket's live state (ACL, policy, BPA, ownership, policy status,
 *      tags, account BPA — all in parallel)
 *   2. contain: PutBucketPublicAccessBlock with all four settings on   (∥ save the exact removal, strip only)
 *   3. strip only: remove the public ACL grants and policy statements
 *   4. verify: read and evaluate again (re-read a little later while S3 catches up, if still public)
 *   5. complete the audit record  ∥  archive copy  ∥  SNS alert
 *
 * Expected, terminal conditions are outcomes. Anything unknown is alerted, the claim released, and the
 * error rethrown (as RemediationError with the cause) so Lambda's retry and failure destination keep it.
 */
import { randomUUID } from 'node:crypto';
import {
  auditIdForCloudTrailEvent,
  type AuditAction,
  type AuditActor,
  type AuditExemption,
  type AuditOutcome,
  type AuditRecord,
  type AuditRemoval,
  type AuditVerdict,
  type Severity,
  type StateSnapshot,
  AUDIT_SCHEMA_VERSION,
} from '../shared/audit/record';
import { awsErrorCode, describeError, hasErrorCode, isAccessDenied, type ErrorDescription } from '../shared/aws/errors';
import { evaluateExposure } from '../shared/exposure';
import type { PublicAccessBlock } from '../shared/exposure/types';
import { renderAlert, shouldAlert } from './alert';
import { ALL_BLOCKED, allFourOn, combineVerdict, settingsOff } from './decide';
import type { RemediateConfig } from './environment';
import { interpretEvent, type AccountChangeEvent, type BucketChangeEvent } from './event';
import { findExemption, type ExemptionMatch } from './exemptions';
import type {
  AccountLevelChange,
  AccountLevelChangePort,
  AlertPort,
  AuditPort,
  BucketState,
  BucketTarget,
  ClaimResult,
  Clock,
  Delivery,
  LoggerPort,
  MetricsPort,
  S3StatePort,
  WriteAction,
} from './ports';
import { METRICS } from './ports';
import { bucketSeverity, sensitiveTagsOf } from './severity';
import { planStrip, type StripPlan } from './strip';

/** Re-read delays while a write settles (S3 bucket configuration is eventually consistent). */
export const DEFAULT_VERIFY_RETRY_DELAYS_MS: readonly number[] = [250, 1000];
/** Lease on an audit claim when the caller gives no deadline. */
export const DEFAULT_LEASE_MS = 60_000;

export interface PipelineDeps {
  readonly config: RemediateConfig;
  readonly s3: S3StatePort;
  readonly audit: AuditPort;
  readonly alerts: AlertPort;
  readonly clock: Clock;
  readonly logger: LoggerPort;
  readonly metrics: MetricsPort;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default DEFAULT_VERIFY_RETRY_DELAYS_MS */
  readonly verifyRetryDelaysMs?: readonly number[];
  /** The seam the sweep plugs into to re-check every bucket after an account-level change. @default - none */
  readonly accountLevelChange?: AccountLevelChangePort;
  /** @default crypto.randomUUID */
  readonly newClaimToken?: () => string;
}

export interface RemediationResult {
  readonly outcome: AuditOutcome;
  readonly reason?: string;
  readonly auditId?: string;
  /** True when this was a second delivery of work already done (or under way). */
  readonly duplicate?: boolean;
  /** The record written, when one was. */
  readonly record?: AuditRecord;
}

/** Who and what started the work, shared by both paths. */
interface TriggerFields {
  readonly auditId: string;
  readonly trigger: 'event' | 'sweep';
  /** CloudTrail eventTime; for a sweep, when the sweep started. */
  readonly eventTime: string;
  /** Epoch ms when the work started. */
  readonly receivedAt: number;
  /** Epoch ms: this invocation's deadline (the claim's lease). */
  readonly leaseUntil: number;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly actor?: AuditActor;
  /** The Block Public Access settings the triggering call asked for, when it carried them. */
  readonly requestedPublicAccessBlock?: PublicAccessBlock;
  readonly sweepId?: string;
}

export interface BucketRemediationRequest extends TriggerFields {
  readonly target: BucketTarget;
}

export interface AccountChangeRequest extends TriggerFields {
  readonly account: string;
  readonly region: string;
}

/** An unexpected failure, alerted and rethrown so Lambda retries the event. */
export class RemediationError extends Error {
  constructor(
    readonly auditId: string,
    readonly stage: string,
    options: { cause: unknown },
  ) {
    super(`${auditId}: unexpected error during ${stage}: ${describeError(options.cause).message}`, options);
    this.name = 'RemediationError';
  }
}

type ErrorKind = 'bucket-gone' | 'refused' | 'unknown';

/** AccessDenied (IAM, an SCP, an organization policy, ExpectedBucketOwner) and ACL refusals are terminal. */
export function classifyError(error: unknown): ErrorKind {
  if (hasErrorCode(error, 'NoSuchBucket')) return 'bucket-gone';
  if (isAccessDenied(error) || hasErrorCode(error, 'AccessControlListNotSupported')) return 'refused';
  return 'unknown';
}

function refusalReason(what: string, error: unknown): string {
  const description = describeError(error);
  return `${what} was refused (${awsErrorCode(error) ?? description.name}: ${description.message}); an IAM policy, SCP or organization policy may deny it`;
}

/** Mutable state of one run, and the steps every path shares. */
class Run {
  readonly actions: AuditAction[] = [];
  readonly claimToken: string;
  containedAt?: number;
  claimed = false;

  constructor(
    readonly deps: PipelineDeps,
    readonly fields: TriggerFields,
    readonly scope: 'bucket' | 'account',
    readonly account: string,
    readonly region: string,
    readonly bucket?: string,
  ) {
    this.claimToken = (deps.newClaimToken ?? randomUUID)();
  }

  iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  claim(): Promise<ClaimResult> {
    const { fields } = this;
    return this.deps.audit.claim({
      id: fields.auditId,
      claimToken: this.claimToken,
      leaseUntil: fields.leaseUntil,
      trigger: fields.trigger,
      scope: this.scope,
      eventTime: fields.eventTime,
      receivedAt: this.iso(fields.receivedAt),
      account: this.account,
      region: this.region,
      ...(this.bucket !== undefined ? { bucket: this.bucket } : {}),
      ...(fields.eventId !== undefined ? { eventId: fields.eventId } : {}),
      ...(fields.eventName !== undefined ? { eventName: fields.eventName } : {}),
      ...(fields.sweepId !== undefined ? { sweepId: fields.sweepId } : {}),
    });
  }

  /** Sends one write and records it as an action, whatever happens. */
  async write(action: WriteAction): Promise<{ ok: true } | { ok: false; error: unknown }> {
    const started = this.deps.clock.now();
    try {
      await this.deps.s3.write(action);
      this.actions.push({ api: action.api, request: action.request as unknown as Record<string, unknown>, result: 'succeeded', at: this.iso(started), durationMs: this.deps.clock.now() - started });
      return { ok: true };
    } catch (error) {
      this.actions.push({
        api: action.api,
        request: action.request as unknown as Record<string, unknown>,
        result: 'failed',
        at: this.iso(started),
        durationMs: this.deps.clock.now() - started,
        error: describeError(error),
      });
      return { ok: false, error };
    }
  }

  notSent(action: WriteAction): void {
    this.actions.push({ api: action.api, request: action.request as unknown as Record<string, unknown>, result: 'not-sent' });
  }

  markContained(): void {
    this.containedAt = this.deps.clock.now();
    const sinceChange = this.containedAt - Date.parse(this.fields.eventTime);
    this.deps.metrics.addMetric(METRICS.timeToContainMs, 'Milliseconds', Math.max(0, sinceChange));
  }

  buildRecord(fields: {
    outcome: AuditOutcome;
    severity: Severity;
    reason?: string;
    verdict?: AuditVerdict;
    exemption?: AuditExemption;
    removed?: AuditRemoval;
    before?: StateSnapshot;
    after?: StateSnapshot;
    error?: ErrorDescription;
  }): AuditRecord {
    const { config, clock } = this.deps;
    const finishedAt = clock.now();
    const f = this.fields;
    return {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      id: f.auditId,
      trigger: f.trigger,
      scope: this.scope,
      ...(f.eventId !== undefined ? { eventId: f.eventId } : {}),
      ...(f.eventName !== undefined ? { eventName: f.eventName } : {}),
      eventTime: f.eventTime,
      ...(f.sweepId !== undefined ? { sweepId: f.sweepId } : {}),
      receivedAt: this.iso(f.receivedAt),
      ...(this.containedAt !== undefined ? { containedAt: this.iso(this.containedAt) } : {}),
      finishedAt: this.iso(finishedAt),
      ...(this.bucket !== undefined ? { bucket: this.bucket } : {}),
      account: this.account,
      region: this.region,
      ...(f.actor !== undefined ? { actor: f.actor } : {}),
      ...(f.requestedPublicAccessBlock !== undefined ? { requestedPublicAccessBlock: f.requestedPublicAccessBlock } : {}),
      ...(fields.verdict !== undefined ? { verdict: fields.verdict } : {}),
      severity: fields.severity,
      mode: config.mode,
      strategy: config.strategy,
      ...(fields.exemption !== undefined ? { exemption: fields.exemption } : {}),
      actions: [...this.actions],
      ...(fields.removed !== undefined ? { removed: fields.removed } : {}),
      ...(fields.before !== undefined ? { before: fields.before } : {}),
      ...(fields.after !== undefined ? { after: fields.after } : {}),
      outcome: fields.outcome,
      ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
      ...(this.containedAt !== undefined ? { timeToContainMs: Math.max(0, this.containedAt - Date.parse(f.eventTime)) } : {}),
      durationMs: finishedAt - f.receivedAt,
      ...(fields.error !== undefined ? { error: fields.error } : {}),
    };
  }

  /** Step 5: the final record, its archive copy, the alert (and the account-level seam) in parallel. */
  async finish(record: AuditRecord): Promise<RemediationResult> {
    const { audit, alerts, metrics, logger, accountLevelChange } = this.deps;
    if (record.outcome === 'remediated') metrics.addMetric(METRICS.remediated, 'Count', 1);
    if (record.outcome === 'failed') metrics.addMetric(METRICS.failed, 'Count', 1);

    const deliveries: [Delivery, Promise<unknown>][] = [['archive', audit.archive(record)]];
    if (shouldAlert(record)) deliveries.push(['alert', alerts.publish(renderAlert(record))]);
    if (this.scope === 'account' && accountLevelChange !== undefined) {
      deliveries.push(['account-level-change', accountLevelChange.onAccountLevelChange(accountChangeOf(record))]);
    }
    const [completed, ...delivered] = await Promise.allSettled([audit.complete(record, this.claimToken), ...deliveries.map(([, promise]) => promise)]);
    if (completed?.status === 'rejected') {
      await this.releaseQuietly(completed.reason);
      throw new RemediationError(record.id, 'writing the audit record', { cause: completed.reason });
    }
    const failed = deliveries.flatMap(([name], index) => (delivered[index]?.status === 'rejected' ? [name] : []));
    if (failed.length > 0) {
      const cause = (delivered.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as unknown;
      logger.error('delivery failed after the audit record was written; a retry will send it', { auditId: record.id, undelivered: failed, error: cause });
      await audit.markUndelivered(record.id, failed).catch((error: unknown) => {
        logger.error('could not note the failed delivery on the audit record', { auditId: record.id, error });
      });
      throw new RemediationError(record.id, `delivering ${failed.join(' and ')}`, { cause });
    }
    logger.info('remediation finished', {
      auditId: record.id,
      outcome: record.outcome,
      bucket: record.bucket,
      account: record.account,
      severity: record.severity,
      timeToContainMs: record.timeToContainMs,
      durationMs: record.durationMs,
    });
    return { outcome: record.outcome, ...(record.reason !== undefined ? { reason: record.reason } : {}), auditId: record.id, record };
  }

  /** A second delivery: nothing new to do, except re-sending what failed to go out the first time. */
  async duplicate(claim: Exclude<ClaimResult, { claimed: true }>): Promise<RemediationResult> {
    const { logger, audit, alerts, accountLevelChange } = this.deps;
    const auditId = this.fields.auditId;
    if (claim.existing.status === 'in-progress') {
      logger.info('duplicate delivery while another invocation handles the event; nothing to do', { auditId });
      return { outcome: 'ignored', reason: 'duplicate delivery: another invocation is handling this event', auditId, duplicate: true };
    }
    const { record, undelivered } = claim.existing;
    if (undelivered.length > 0) {
      logger.info('duplicate delivery; re-sending what failed the first time', { auditId, undelivered });
      const redo = await Promise.allSettled(
        undelivered.map((delivery) => {
          if (delivery === 'archive') return audit.archive(record);
          if (delivery === 'alert') return shouldAlert(record) ? alerts.publish(renderAlert(record)) : Promise.resolve();
          return accountLevelChange !== undefined ? accountLevelChange.onAccountLevelChange(accountChangeOf(record)) : Promise.resolve();
        }),
      );
      const failure = redo.find((result) => result.status === 'rejected');
      if (failure !== undefined) {
        throw new RemediationError(auditId, 're-sending undelivered alert or archive', { cause: (failure as PromiseRejectedResult).reason });
      }
      await audit.clearUndelivered(auditId);
    } else {
      logger.info('duplicate delivery of an event already handled; nothing to do', { auditId, outcome: record.outcome });
    }
    return { outcome: record.outcome, reason: 'duplicate delivery: already handled', auditId, duplicate: true, record };
  }

  /** Anything unknown: alert (critical), give the claim back, rethrow for Lambda's retry. */
  async unexpected(stage: string, error: unknown, partial: { before?: StateSnapshot; verdict?: AuditVerdict } = {}): Promise<never> {
    const { logger, metrics, alerts } = this.deps;
    const description = describeError(error);
    logger.error('unexpected error; alerting and rethrowing so Lambda retries the event', { auditId: this.fields.auditId, stage, error });
    metrics.addMetric(METRICS.failed, 'Count', 1);
    const record = this.buildRecord({
      outcome: 'failed',
      severity: 'critical',
      reason: `unexpected error during ${stage}; Lambda will retry the event`,
      error: description,
      ...partial,
    });
    const [alerted] = await Promise.allSettled([alerts.publish(renderAlert(record)), this.releaseQuietly(error)]);
    if (alerted?.status === 'rejected') {
      logger.error('the alert about an unexpected error could not be sent either', { auditId: record.id, error: alerted.reason });
    }
    throw new RemediationError(record.id, stage, { cause: error });
  }

  private async releaseQuietly(cause: unknown): Promise<void> {
    if (!this.claimed) return;
    try {
      await this.deps.audit.release(this.fields.auditId, this.claimToken, describeError(cause));
    } catch (error) {
      this.deps.logger.warn('could not release the audit claim; it expires with the lease', { auditId: this.fields.auditId, error });
    }
  }
}

function accountChangeOf(record: AuditRecord): AccountLevelChange {
  return {
    account: record.account,
    region: record.region,
    ...(record.eventId !== undefined ? { eventId: record.eventId } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventTime: record.eventTime,
    outcome: record.outcome,
    auditId: record.id,
  };
}

function snapshotOf(state: BucketState): StateSnapshot {
  return {
    acl: state.acl,
    policy: state.policy,
    bucketPublicAccessBlock: state.bucketPublicAccessBlock,
    accountPublicAccessBlock: state.accountPublicAccessBlock,
    ownership: state.ownership,
    tags: state.tags,
  };
}

function verdictOf(target: BucketTarget, state: BucketState, sensitiveTagKeys: readonly string[]): AuditVerdict {
  const report = evaluateExposure({
    bucket: target.bucket,
    accountId: target.account,
    acl: state.acl,
    policy: state.policy,
    bucketPublicAccessBlock: state.bucketPublicAccessBlock,
    accountPublicAccessBlock: state.accountPublicAccessBlock,
    ownership: state.ownership,
  });
  return combineVerdict(report, state.policyStatus, sensitiveTagsOf(state.tags, sensitiveTagKeys));
}

function exemptionOf(match: ExemptionMatch | undefined): AuditExemption | undefined {
  return match === undefined ? undefined : { ...match.exemption, status: match.status };
}

function sleeper(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripWrites(target: BucketTarget, plan: StripPlan): WriteAction[] {
  const owner = { Bucket: target.bucket, ExpectedBucketOwner: target.account };
  const writes: WriteAction[] = [];
  if (plan.newAcl !== undefined) {
    writes.push({ api: 'PutBucketAcl', region: target.region, request: { ...owner, AccessControlPolicy: plan.newAcl } });
  }
  if (plan.policy?.action === 'put') {
    writes.push({ api: 'PutBucketPolicy', region: target.region, request: { ...owner, Policy: plan.policy.text } });
  } else if (plan.policy?.action === 'delete') {
    writes.push({ api: 'DeleteBucketPolicy', region: target.region, request: { ...owner } });
  }
  return writes;
}

/** Checks one bucket and remediates it per the configuration. Usable without an event (the sweep). */
export async function remediateBucket(request: BucketRemediationRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { config, s3, audit, clock, logger, metrics } = deps;
  const { target } = request;
  const run = new Run(deps, request, 'bucket', target.account, target.region, target.bucket);
  const exemptionMatch = findExemption(target.bucket, config.exemptions, clock.now());
  const exemption = exemptionOf(exemptionMatch);

  // Round trip 1: claim the record and read everything at once.
  const [claimed, read] = await Promise.allSettled([run.claim(), s3.readBucketState(target)]);
  if (claimed.status === 'rejected') {
    return run.unexpected('claiming the audit record', claimed.reason);
  }
  if (!claimed.value.claimed) {
    return run.duplicate(claimed.value);
  }
  run.claimed = true;
  if (read.status === 'rejected') {
    const kind = classifyError(read.reason);
    if (kind === 'bucket-gone') {
      return run.finish(run.buildRecord({ outcome: 'bucket-gone', severity: 'low', reason: 'the bucket no longer exists', ...(exemption ? { exemption } : {}) }));
    }
    if (kind === 'refused') {
      return run.finish(
        run.buildRecord({
          outcome: 'failed',
          severity: 'critical',
          reason: refusalReason("reading the bucket's configuration", read.reason),
          error: describeError(read.reason),
          ...(exemption ? { exemption } : {}),
        }),
      );
    }
    return run.unexpected('reading the bucket', read.reason);
  }

  const state = read.value;
  const before = snapshotOf(state);
  const verdict = verdictOf(target, state, config.sensitiveTagKeys);
  if (verdict.disagreement !== undefined) {
    metrics.addMetric(METRICS.verdictDisagreement, 'Count', 1);
    logger.warn('S3 and the engine disagree about the bucket policy', { auditId: request.auditId, bucket: target.bucket, disagreement: verdict.disagreement });
  }
  const sensitive = verdict.sensitiveTags.length > 0;
  const severity = bucketSeverity({ public: verdict.public, access: verdict.access, sensitive, failed: false });
  const common = { verdict, before, severity, ...(exemption ? { exemption } : {}) };

  if (exemptionMatch?.status === 'applied') {
    return run.finish(run.buildRecord({ ...common, outcome: 'exempt', reason: `exempt until ${exemptionMatch.exemption.expires}: ${exemptionMatch.exemption.reason}` }));
  }
  if (!verdict.public) {
    return run.finish(run.buildRecord({ ...common, outcome: 'already-private', reason: 'not public' }));
  }

  const contain: WriteAction = {
    api: 'PutBucketPublicAccessBlock',
    region: target.region,
    request: { Bucket: target.bucket, ExpectedBucketOwner: target.account, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
  };
  const strip = config.strategy === 'strip-public-grants' ? planStrip({ acl: state.acl, policy: state.policy, ownership: state.ownership }, verdict.engine) : undefined;
  const strips = strip !== undefined ? stripWrites(target, strip) : [];
  const removed = strip?.removal;

  if (config.mode === 'report-only') {
    run.notSent(contain);
    strips.forEach((write) => run.notSent(write));
    return run.finish(run.buildRecord({ ...common, outcome: 'report-only', reason: 'REMEDIATION_MODE is report-only; nothing was changed', ...(removed ? { removed } : {}) }));
  }

  // Round trip 2: contain. With the strip strategy, the exact text about to be removed is saved meanwhile.
  const plannedStrips: AuditAction[] = strips.map((write) => ({ api: write.api, request: write.request as unknown as Record<string, unknown>, result: 'not-sent' }));
  const [contained, saved] = await Promise.allSettled([
    run.write(contain),
    strips.length > 0 && removed !== undefined
      ? audit.saveRemovalProgress(request.auditId, run.claimToken, { removed, actions: plannedStrips })
      : Promise.resolve(),
  ]);
  const containResult = contained.status === 'fulfilled' ? contained.value : { ok: false as const, error: contained.reason as unknown };
  if (!containResult.ok) {
    const kind = classifyError(containResult.error);
    const failedSeverity = bucketSeverity({ public: true, access: verdict.access, sensitive, failed: true });
    if (kind === 'bucket-gone') {
      return run.finish(run.buildRecord({ ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted before it could be contained' }));
    }
    if (kind === 'refused') {
      return run.finish(
        run.buildRecord({ ...common, severity: failedSeverity, outcome: 'failed', reason: refusalReason('PutBucketPublicAccessBlock', containResult.error), error: describeError(containResult.error) }),
      );
    }
    return run.unexpected('containing the bucket', containResult.error, { before, verdict });
  }
  run.markContained();
  if (saved.status === 'rejected') {
    return run.unexpected('saving what the strip strategy will remove', saved.reason, { before, verdict });
  }

  // Round trip 3 (strip only): remove exactly the public grants and statements.
  let stripFailure: { reason: string; error: unknown } | undefined;
  if (strips.length > 0) {
    const results = await Promise.all(strips.map((write) => run.write(write).then((result) => ({ write, result }))));
    for (const { write, result } of results) {
      if (result.ok) continue;
      const kind = classifyError(result.error);
      if (kind === 'unknown') {
        return run.unexpected(`${write.api} (strip strategy)`, result.error, { before, verdict });
      }
      stripFailure ??= {
        reason: `contained with Block Public Access, but ${kind === 'refused' ? refusalReason(write.api, result.error) : `${write.api} found the bucket gone`}`,
        error: result.error,
      };
    }
  }

  // Verify: read and evaluate again.
  const delays = deps.verifyRetryDelaysMs ?? DEFAULT_VERIFY_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? sleeper;
  let after: BucketState | undefined;
  let afterVerdict: AuditVerdict | undefined;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    try {
      after = await s3.readBucketState(target);
    } catch (error) {
      const kind = classifyError(error);
      if (kind === 'bucket-gone') {
        return run.finish(run.buildRecord({ ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted right after containment', ...(removed ? { removed } : {}) }));
      }
      if (kind === 'refused') {
        return run.finish(
          run.buildRecord({
            ...common,
            severity: 'critical',
            outcome: 'failed',
            reason: `contained, but ${refusalReason('verifying the bucket', error)}`,
            error: describeError(error),
            ...(removed ? { removed } : {}),
          }),
        );
      }
      return run.unexpected('verifying the bucket', error, { before, verdict });
    }
    afterVerdict = verdictOf(target, after, config.sensitiveTagKeys);
    if (!afterVerdict.public) break;
    const delay = delays[attempt];
    if (delay !== undefined) {
      logger.info('still public right after containment; reading again shortly', { auditId: request.auditId, attempt: attempt + 1 });
      await sleep(delay);
    }
  }
  const afterSnapshot = after !== undefined ? snapshotOf(after) : undefined;
  const withAfter = { ...common, ...(afterSnapshot ? { after: afterSnapshot } : {}), ...(removed ? { removed } : {}) };
  if (afterVerdict?.public !== false) {
    return run.finish(
      run.buildRecord({
        ...withAfter,
        severity: 'critical',
        outcome: 'failed',
        reason: 'still public after containment: something re-opened the bucket or the setting did not take effect',
      }),
    );
  }
  if (stripFailure !== undefined) {
    return run.finish(run.buildRecord({ ...withAfter, severity: 'critical', outcome: 'failed', reason: stripFailure.reason, error: describeError(stripFailure.error) }));
  }
  return run.finish(
    run.buildRecord({
      ...withAfter,
      outcome: 'remediated',
      reason: strips.length > 0 ? 'contained with Block Public Access and public grants removed; verified' : 'contained with Block Public Access; verified',
    }),
  );
}

/** Handles a change to the account's Block Public Access (PutAccountPublicAccessBlock / DeleteAccountPublicAccessBlock). */
export async function handleAccountLevelChange(request: AccountChangeRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { config, s3 } = deps;
  const run = new Run(deps, request, 'account', request.account, request.region);

  const [claimed, read] = await Promise.allSettled([run.claim(), s3.readAccountPublicAccessBlock(request.account, { fresh: true })]);
  if (claimed.status === 'rejected') {
    return run.unexpected('claiming the audit record', claimed.reason);
  }
  if (!claimed.value.claimed) {
    return run.duplicate(claimed.value);
  }
  run.claimed = true;
  if (read.status === 'rejected') {
    if (classifyError(read.reason) === 'refused') {
      return run.finish(
        run.buildRecord({ outcome: 'failed', severity: 'critical', reason: refusalReason("reading the account's Block Public Access", read.reason), error: describeError(read.reason) }),
      );
    }
    return run.unexpected("reading the account's Block Public Access", read.reason);
  }
  const current: PublicAccessBlock | null = read.value;
  const before: StateSnapshot = { accountPublicAccessBlock: current };
  const off = settingsOff(current);
  if (off.length === 0) {
    return run.finish(run.buildRecord({ outcome: 'already-private', severity: 'low', reason: 'all four account-level Block Public Access settings are on', before }));
  }
  const weakened = `account-level Block Public Access off: ${off.join(', ')}`;
  const restore: WriteAction = {
    api: 'PutAccountPublicAccessBlock',
    region: request.region,
    request: { AccountId: request.account, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
  };
  if (config.mode === 'report-only' || !config.enforceAccountBlockPublicAccess) {
    if (config.enforceAccountBlockPublicAccess) run.notSent(restore);
    const why = config.mode === 'report-only' ? 'REMEDIATION_MODE is report-only' : 'ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is false';
    return run.finish(run.buildRecord({ outcome: 'report-only', severity: 'high', reason: `${weakened}; not restored (${why})`, before }));
  }

  const written = await run.write(restore);
  if (!written.ok) {
    if (classifyError(written.error) === 'refused') {
      return run.finish(
        run.buildRecord({
          outcome: 'failed',
          severity: 'critical',
          reason: `${weakened}; ${refusalReason('restoring it', written.error)} (an organization-level Block Public Access policy may manage this account)`,
          error: describeError(written.error),
          before,
        }),
      );
    }
    return run.unexpected("restoring the account's Block Public Access", written.error, { before });
  }
  run.markContained();

  const delays = deps.verifyRetryDelaysMs ?? DEFAULT_VERIFY_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? sleeper;
  let after: PublicAccessBlock | null = null;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    try {
      after = await s3.readAccountPublicAccessBlock(request.account, { fresh: true });
    } catch (error) {
      if (classifyError(error) === 'refused') {
        return run.finish(
          run.buildRecord({ outcome: 'failed', severity: 'critical', reason: `restored, but ${refusalReason('verifying it', error)}`, error: describeError(error), before }),
        );
      }
      return run.unexpected("verifying the account's Block Public Access", error, { before });
    }
    if (allFourOn(after)) break;
    const delay = delays[attempt];
    if (delay !== undefined) await sleep(delay);
  }
  const withAfter = { before, after: { accountPublicAccessBlock: after } };
  if (!allFourOn(after)) {
    return run.finish(run.buildRecord({ ...withAfter, outcome: 'failed', severity: 'critical', reason: `${weakened}; still off after restoring it` }));
  }
  return run.finish(run.buildRecord({ ...withAfter, outcome: 'remediated', severity: 'high', reason: `${weakened}; all four turned back on and verified` }));
}

function triggerFromEvent(event: BucketChangeEvent | AccountChangeEvent, receivedAt: number, leaseUntil: number): TriggerFields {
  return {
    auditId: auditIdForCloudTrailEvent(event.eventId),
    trigger: 'event',
    eventTime: event.eventTime,
    receivedAt,
    leaseUntil,
    eventId: event.eventId,
    eventName: event.eventName,
    actor: event.actor,
    ...(event.requestedPublicAccessBlock !== undefined ? { requestedPublicAccessBlock: event.requestedPublicAccessBlock } : {}),
  };
}

/**
 * The event entry point: validate, skip what must be skipped, and run the bucket or account path.
 * `leaseUntil` is the invocation's deadline (epoch ms).
 */
export async function processEvent(raw: unknown, deps: PipelineDeps, invocation: { readonly leaseUntil?: number } = {}): Promise<RemediationResult> {
  const receivedAt = deps.clock.now();
  const interpreted = interpretEvent(raw, { selfRoleArn: deps.config.selfRoleArn });
  if (interpreted.kind === 'ignored') {
    deps.logger.info('event ignored', { reason: interpreted.reason, eventId: interpreted.eventId, eventName: interpreted.eventName });
    deps.metrics.addMetric(METRICS.ignored, 'Count', 1);
    return { outcome: 'ignored', reason: interpreted.reason };
  }
  const event = interpreted.event;
  const fields = triggerFromEvent(event, receivedAt, invocation.leaseUntil ?? receivedAt + DEFAULT_LEASE_MS);
  if (event.kind === 'bucket') {
    return remediateBucket({ ...fields, target: { bucket: event.bucket, account: event.account, region: event.region } }, deps);
  }
  return handleAccountLevelChange({ ...fields, account: event.account, region: event.region }, deps);
}
