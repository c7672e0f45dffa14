/**
 * The remediation pipeline: one implementation, two entry points (a CloudTrail event through
 * `processEvent`, or one bucket from a sweep through `remediateBucket`). It talks to the world only through
 * the ports in ports.ts.
 *
 * Bucket path, in sequential round trips:
 *   1. claim the audit record  ∥  read the bucket's live state (ACL, policy, BPA, ownership, policy status,
 *      tags, account BPA — all in parallel)  ∥  read the exemptions table
 *   2. contain: PutBucketPublicAccessBlock with all four settings on   (∥ save the exact removal, strip only)
 *      (∥ for a sweep: look up in CloudTrail who exposed the bucket)
 *   3. strip only: remove the public ACL grants and policy statements
 *   4. verify: read and evaluate again (re-read a little later while S3 catches up, if still public)
 *   5. complete the audit record  ∥  archive copy  ∥  SNS alert
 *
 * In an organization, every S3 call on a bucket in another account goes through that account's member role
 * (the S3StatePort resolves the credentials; the first call for an account adds one AssumeRole). The audit
 * record, the archive copy and the alert stay in the guardrail's own account.
 *
 * A sweep may skip the record of a bucket it finds private (`recordPrivateSweepBuckets: false`): the claim then
 * moves after the reads and is made only for a bucket that is public, exempt, or could not be read.
 *
 * Expected, terminal conditions are outcomes. Anything unknown before containment is alerted, the claim
 * released, and the error rethrown (as RemediationError with the cause) so Lambda's retry and failure destination
 * keep it. Once the bucket is contained, an unknown error is an outcome too (`failed`, critical, with what was
 * saved and done): a retry would find the bucket private and could only record less than this run knows.
 *
 * One event, one record, at most one alert: when the final record cannot be written although the alert may have
 * gone out, the write is tried again within this invocation; if it still fails, the finished record is saved on
 * the claim for the retry, which writes it (and sends only what did not go out) instead of doing the work again.
 */
import { randomUUID } from 'node:crypto';
import {
  auditIdForCloudTrailEvent,
  isRemediationOutcome,
  type AuditAction,
  type AuditActor,
  type AuditExemption,
  type AuditExposedBy,
  type AuditRecord,
  type AuditRemoval,
  type AuditVerdict,
  type RemediationOutcome,
  type Severity,
  type StateSnapshot,
  AUDIT_SCHEMA_VERSION,
} from '../shared/audit/record';
import { AssumeRoleError, InvalidAccountIdError, parseRoleArn } from '../shared/aws/assume-role';
import { awsErrorCode, describeError, hasErrorCode, isAccessDenied, type ErrorDescription } from '../shared/aws/errors';
import type { DecodedExemptions, StoredExemption } from '../shared/exemptions/exemptions-table';
import { evaluateExposure } from '../shared/exposure';
import type { PublicAccessBlock } from '../shared/exposure/types';
import { renderAlert, shouldAlert } from './alert';
import { ALL_BLOCKED, allFourOn, combineVerdict, settingsOff } from './decide';
import type { Exemption, RemediateConfig } from './environment';
import { admitEvent, type AccountChangeEvent, type BucketChangeEvent } from './event';
import { configuredGuardedAccounts, type GuardedAccountsPort } from './guarded-accounts';
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
  ExemptionsPort,
  LoggerPort,
  PendingRecord,
  MetricsPort,
  S3StatePort,
  WriteAction,
} from './ports';
import { ClaimLostError, METRICS } from './ports';
import { bucketSeverity, sensitiveTagsOf } from './severity';
import { planStrip, type StripPlan } from './strip';

/** Re-read delays while a write settles (S3 bucket configuration is eventually consistent). */
export const DEFAULT_VERIFY_RETRY_DELAYS_MS: readonly number[] = [250, 1000];
/**
 * Waits before writing the final audit record again when the write in the parallel record ∥ archive ∥ alert round
 * failed (on top of the SDK's own retries): the alert may have gone out, so the record must follow it.
 */
export const DEFAULT_COMPLETE_RETRY_DELAYS_MS: readonly number[] = [100, 400, 1600];
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
  /**
   * The exemptions table, read in the first round trip with the bucket state (in addition to `config.exemptions`).
   * @default - only `config.exemptions` apply
   */
  readonly exemptions?: ExemptionsPort;
  /**
   * Which accounts events may be acted on in (createPipelineDeps wires the mode's adapter).
   * @default - the accounts the configuration names (configuredGuardedAccounts), no lookup
   */
  readonly guardedAccounts?: GuardedAccountsPort;
  /**
   * Publish a critical alert before rethrowing an unexpected error. The sweep turns this off: it retries the
   * bucket through its queue and alerts once when the last attempt fails.
   * @default true
   */
  readonly alertOnUnexpectedError?: boolean;
  /**
   * Write an audit record for every bucket a sweep checks. `false`: a bucket a sweep finds private (and not
   * exempt) is read, decided and returned with its verdict after one round trip, with no claim, record or
   * archive copy; public, exempt and unreadable buckets are recorded as always. Event-triggered work is
   * always recorded.
   * @default true
   */
  readonly recordPrivateSweepBuckets?: boolean;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default DEFAULT_VERIFY_RETRY_DELAYS_MS */
  readonly verifyRetryDelaysMs?: readonly number[];
  /** @default DEFAULT_COMPLETE_RETRY_DELAYS_MS */
  readonly completeRetryDelaysMs?: readonly number[];
  /** The seam the sweep plugs into to re-check every bucket after an account-level change. @default - none */
  readonly accountLevelChange?: AccountLevelChangePort;
  /** @default crypto.randomUUID */
  readonly newClaimToken?: () => string;
}

export interface RemediationResult {
  readonly outcome: RemediationOutcome;
  readonly reason?: string;
  readonly auditId?: string;
  /** The account the work was about (the bucket's owner, or the account whose setting changed). */
  readonly account?: string;
  /** True when this was a second delivery of work already done (or under way). */
  readonly duplicate?: boolean;
  /**
   * The decision about the bucket, whenever its state was read: also for a bucket a sweep found private
   * without writing a record (`record` is then undefined).
   */
  readonly verdict?: AuditVerdict;
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
  /**
   * For a sweep: finds the CloudTrail call that exposed the bucket (LookupEvents). Called only for a bucket
   * found public, in parallel with containment; must never reject (errors become `status: 'unavailable'`).
   * @default - no lookup; the record has no `exposedBy`
   */
  readonly lookupExposedBy?: () => Promise<AuditExposedBy>;
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

/**
 * AccessDenied (IAM, an SCP, an organization policy, ExpectedBucketOwner), ACL refusals and a member account
 * whose role cannot be assumed (AccessDenied from STS) are terminal. A throttled or failing AssumeRole is not.
 */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof AssumeRoleError) return error.accessDenied ? 'refused' : 'unknown';
  if (error instanceof InvalidAccountIdError) return 'refused';
  if (hasErrorCode(error, 'NoSuchBucket')) return 'bucket-gone';
  if (isAccessDenied(error) || hasErrorCode(error, 'AccessControlListNotSupported')) return 'refused';
  return 'unknown';
}

/** Why a refused call failed, in words; for AssumeRole, what to check in the member account. */
export function refusalReason(what: string, error: unknown): string {
  if (error instanceof AssumeRoleError) {
    const cause = describeError(error.cause);
    return (
      `${what} was not possible: the guardrail cannot act in account ${error.accountId}, AssumeRole into ${error.roleArn} was refused ` +
      `(${error.code ?? cause.name}: ${cause.message}); the member stack may not have reached this account yet, or the role's trust policy ` +
      `does not name the guardrail's role`
    );
  }
  if (error instanceof InvalidAccountIdError) {
    return `${what} was not possible: ${error.message}`;
  }
  const description = describeError(error);
  return `${what} was refused (${awsErrorCode(error) ?? description.name}: ${description.message}); an IAM policy, SCP or organization policy may deny it`;
}

/** A record the pipeline writes: never one of the operator outcomes. */
type PipelineRecord = AuditRecord & { readonly outcome: RemediationOutcome };

interface RecordFields {
  outcome: RemediationOutcome;
  severity: Severity;
  reason?: string;
  verdict?: AuditVerdict;
  exemption?: AuditExemption;
  removed?: AuditRemoval;
  before?: StateSnapshot;
  after?: StateSnapshot;
  error?: ErrorDescription;
}

/** Mutable state of one run, and the steps every path shares. */
class Run {
  readonly actions: AuditAction[] = [];
  readonly claimToken: string;
  /** Said in the record's reason after the outcome's own words (e.g. the exemptions table was unreadable). */
  readonly notes: string[] = [];
  readonly actingRoleArn: string | undefined;
  containedAt?: number;
  claimed = false;
  /** Sweep: the CloudTrail lookup started once the bucket was found public. */
  exposedByLookup?: Promise<AuditExposedBy>;
  private exposedBy?: AuditExposedBy;

  constructor(
    readonly deps: PipelineDeps,
    readonly fields: TriggerFields,
    readonly scope: 'bucket' | 'account',
    readonly account: string,
    readonly region: string,
    readonly bucket?: string,
  ) {
    this.claimToken = (deps.newClaimToken ?? randomUUID)();
    this.actingRoleArn = deps.s3.actingRoleArn?.(account);
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

  /** Undefined when the claim is this run's; otherwise what to return (a duplicate), or throws (unexpected). */
  async settleClaim(claimed: PromiseSettledResult<ClaimResult>): Promise<RemediationResult | undefined> {
    if (claimed.status === 'rejected') {
      return this.unexpected('claiming the audit record', claimed.reason);
    }
    if (!claimed.value.claimed) {
      return this.duplicate(claimed.value);
    }
    this.claimed = true;
    if (claimed.value.pending !== undefined) {
      return this.finishPending(claimed.value.pending);
    }
    return undefined;
  }

  /** The claim on its own (a sweep that read first): undefined when it is this run's, else what to return. */
  async claimNow(): Promise<RemediationResult | undefined> {
    return this.settleClaim(await settled(this.claim()));
  }

  /** Starts the sweep's CloudTrail lookup, if it has one; it runs alongside whatever comes next. */
  lookUpExposure(): void {
    const lookup = this.fields.lookupExposedBy;
    if (lookup === undefined || this.exposedByLookup !== undefined) return;
    this.exposedByLookup = Promise.resolve()
      .then(lookup)
      .catch((error: unknown): AuditExposedBy => ({ status: 'unavailable', detail: `${describeError(error).name}: ${describeError(error).message}` }));
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

  /** The reason for a refused call, counting a refused AssumeRole (the member stack is missing or wrong). */
  refused(what: string, error: unknown): string {
    if (error instanceof AssumeRoleError) {
      this.deps.metrics.addMetric(METRICS.assumeRoleFailed, 'Count', 1);
      this.deps.logger.warn('cannot assume the member role; the bucket was not checked', { auditId: this.fields.auditId, account: error.accountId, roleArn: error.roleArn, error });
    }
    return refusalReason(what, error);
  }

  buildRecord(fields: RecordFields): PipelineRecord {
    const { config, clock } = this.deps;
    const finishedAt = clock.now();
    const f = this.fields;
    const reason = [fields.reason, ...this.notes].filter((part): part is string => part !== undefined).join('; ');
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
      ...(this.actingRoleArn !== undefined ? { actingRoleArn: this.actingRoleArn } : {}),
      ...(f.actor !== undefined ? { actor: f.actor } : {}),
      ...(this.exposedBy !== undefined ? { exposedBy: this.exposedBy } : {}),
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
      ...(reason !== '' ? { reason } : {}),
      ...(this.containedAt !== undefined ? { timeToContainMs: Math.max(0, this.containedAt - Date.parse(f.eventTime)) } : {}),
      durationMs: finishedAt - f.receivedAt,
      ...(fields.error !== undefined ? { error: fields.error } : {}),
    };
  }

  /** The end of every path that holds the claim: wait for the CloudTrail lookup (sweep), build, finish. */
  async conclude(fields: RecordFields): Promise<RemediationResult> {
    if (this.exposedByLookup !== undefined) {
      this.exposedBy = await this.exposedByLookup;
    }
    return this.finish(this.buildRecord(fields));
  }

  /** Step 5: the final record, its archive copy, the alert (and the account-level seam) in parallel. */
  async finish(record: PipelineRecord): Promise<RemediationResult> {
    const { audit, alerts, metrics, logger, accountLevelChange } = this.deps;
    if (record.outcome === 'remediated') metrics.addMetric(METRICS.remediated, 'Count', 1);
    if (record.outcome === 'failed') metrics.addMetric(METRICS.failed, 'Count', 1);

    const deliveries: [Delivery, Promise<unknown>][] = [['archive', audit.archive(record)]];
    if (shouldAlert(record)) deliveries.push(['alert', alerts.publish(renderAlert(record))]);
    if (this.scope === 'account' && accountLevelChange !== undefined) {
      deliveries.push(['account-level-change', accountLevelChange.onAccountLevelChange(accountChangeOf(record))]);
    }
    const [completed, ...delivered] = await Promise.allSettled([audit.complete(record, this.claimToken), ...deliveries.map(([, promise]) => promise)]);
    const failed = deliveries.flatMap(([name], index) => (delivered[index]?.status === 'rejected' ? [name] : []));
    if (completed?.status === 'rejected') {
      // The alert and archive copy may be out already, so the claim is not released (a retry would redo the work
      // and record something else): the write is tried again, and saved on the claim for the retry if it fails.
      await this.completeAgain(record, completed.reason, failed);
    }
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
    return {
      outcome: record.outcome,
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
      auditId: record.id,
      account: record.account,
      ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
      record,
    };
  }

  /**
   * The final write failed in the parallel round: tries it again a few times. A lost claim whose record turns out
   * to be this one (an earlier try landed but its answer was lost) counts as written. Still failing: the record is
   * saved on the claim for the retry (best effort) and the error rethrown, without releasing the claim.
   */
  private async completeAgain(record: PipelineRecord, firstError: unknown, undelivered: readonly Delivery[]): Promise<void> {
    const { audit, logger } = this.deps;
    const sleep = this.deps.sleep ?? sleeper;
    let error = firstError;
    for (const delay of [undefined, ...(this.deps.completeRetryDelaysMs ?? DEFAULT_COMPLETE_RETRY_DELAYS_MS)]) {
      if (error instanceof ClaimLostError) {
        const stored = await settled(audit.find?.(record.id) ?? Promise.resolve(undefined));
        if (stored.status === 'fulfilled' && stored.value?.status === 'finished' && stored.value.record.finishedAt === record.finishedAt) return;
        throw new RemediationError(record.id, 'writing the audit record', { cause: error });
      }
      if (delay === undefined) continue;
      logger.warn('the audit record could not be written; trying again', { auditId: record.id, delayMs: delay, error });
      await sleep(delay);
      try {
        await audit.complete(record, this.claimToken);
        return;
      } catch (again) {
        error = again;
      }
    }
    if (error instanceof ClaimLostError) {
      throw new RemediationError(record.id, 'writing the audit record', { cause: error });
    }
    logger.error('the audit record could not be written; saving it on the claim for the retry', { auditId: record.id, undelivered, error });
    if (audit.savePending !== undefined) {
      await audit.savePending(record.id, this.claimToken, { record, undelivered }).catch((saveError: unknown) => {
        logger.error('could not save the finished record on the claim either; a retry after the lease will check the bucket again', { auditId: record.id, error: saveError });
      });
    }
    throw new RemediationError(record.id, 'writing the audit record', { cause: error });
  }

  /** The claim came with a finished record an earlier invocation could not write: write it, send what did not go out. */
  private async finishPending(pending: PendingRecord): Promise<RemediationResult> {
    const { audit, logger } = this.deps;
    const record = pending.record as PipelineRecord;
    logger.info('retry of an event whose record could not be written; writing the saved record', { auditId: record.id, undelivered: pending.undelivered });
    const written = await settled(audit.complete(record, this.claimToken));
    if (written.status === 'rejected') {
      await this.completeAgain(record, written.reason, pending.undelivered);
    }
    if (pending.undelivered.length > 0) {
      const failure = await this.redeliver(record, pending.undelivered);
      if (failure !== undefined) {
        await audit.markUndelivered(record.id, pending.undelivered).catch((error: unknown) => {
          logger.error('could not note the failed delivery on the audit record', { auditId: record.id, error });
        });
        throw new RemediationError(record.id, `delivering ${pending.undelivered.join(' and ')}`, { cause: failure });
      }
    }
    return {
      outcome: isRemediationOutcome(record.outcome) ? record.outcome : 'ignored',
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
      auditId: record.id,
      account: record.account,
      duplicate: true,
      ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
      record,
    };
  }

  /** Sends deliveries that did not go out the first time; resolves with the first failure's cause, if any. */
  private async redeliver(record: AuditRecord, undelivered: readonly Delivery[]): Promise<unknown> {
    const { audit, alerts, accountLevelChange } = this.deps;
    const redo = await Promise.allSettled(
      undelivered.map((delivery) => {
        if (delivery === 'archive') return audit.archive(record);
        if (delivery === 'alert') return shouldAlert(record) ? alerts.publish(renderAlert(record)) : Promise.resolve();
        return accountLevelChange !== undefined ? accountLevelChange.onAccountLevelChange(accountChangeOf(record)) : Promise.resolve();
      }),
    );
    const failure = redo.find((result) => result.status === 'rejected');
    return failure !== undefined ? ((failure as PromiseRejectedResult).reason as unknown) : undefined;
  }

  /** A second delivery: nothing new to do, except re-sending what failed to go out the first time. */
  async duplicate(claim: Exclude<ClaimResult, { claimed: true }>): Promise<RemediationResult> {
    const { logger, audit } = this.deps;
    const auditId = this.fields.auditId;
    if (claim.existing.status === 'in-progress') {
      logger.info('duplicate delivery while another invocation handles the event; nothing to do', { auditId });
      return { outcome: 'ignored', reason: 'duplicate delivery: another invocation is handling this event', auditId, account: this.account, duplicate: true };
    }
    const { record, undelivered } = claim.existing;
    if (undelivered.length > 0) {
      logger.info('duplicate delivery; re-sending what failed the first time', { auditId, undelivered });
      const failure = await this.redeliver(record, undelivered);
      if (failure !== undefined) {
        throw new RemediationError(auditId, 're-sending undelivered alert or archive', { cause: failure });
      }
      await audit.clearUndelivered(auditId);
    } else {
      logger.info('duplicate delivery of an event already handled; nothing to do', { auditId, outcome: record.outcome });
    }
    return {
      // Pipeline ids (ct-…, sweep-…) never hold operator records; anything else is not ours to report.
      outcome: isRemediationOutcome(record.outcome) ? record.outcome : 'ignored',
      reason: 'duplicate delivery: already handled',
      auditId,
      account: record.account,
      duplicate: true,
      ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
      record,
    };
  }

  /** An unknown error once the bucket is contained: logged; the run goes on to a `failed` record (counted there). */
  unexpectedAfterContainment(stage: string, error: unknown): void {
    this.deps.logger.error('unexpected error after containment; recording the run as failed', { auditId: this.fields.auditId, account: this.account, bucket: this.bucket, stage, error });
  }

  /** Anything unknown: alert (critical, unless the caller alerts itself), give the claim back, rethrow for a retry. */
  async unexpected(stage: string, error: unknown, partial: { before?: StateSnapshot; verdict?: AuditVerdict } = {}): Promise<never> {
    const { logger, metrics, alerts } = this.deps;
    const description = describeError(error);
    logger.error('unexpected error; rethrowing so the event (or sweep message) is retried', { auditId: this.fields.auditId, account: this.account, bucket: this.bucket, stage, error });
    metrics.addMetric(METRICS.failed, 'Count', 1);
    const alertNow = this.deps.alertOnUnexpectedError !== false;
    const record = this.buildRecord({
      outcome: 'failed',
      severity: 'critical',
      reason: `unexpected error during ${stage}; ${this.fields.trigger === 'sweep' ? 'the sweep will retry the bucket' : 'Lambda will retry the event'}`,
      error: description,
      ...partial,
    });
    const [alerted] = await Promise.allSettled([alertNow ? alerts.publish(renderAlert(record)) : Promise.resolve(), this.releaseQuietly(error)]);
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

/** The exemption for the record: the reviewed fields, its status, and where it is kept. */
function exemptionOf(match: ExemptionMatch | undefined, fromTable: ReadonlyMap<Exemption, StoredExemption>): AuditExemption | undefined {
  if (match === undefined) return undefined;
  const { exemption } = match;
  const stored = fromTable.get(exemption);
  return {
    bucket: exemption.bucket,
    reason: exemption.reason,
    owner: exemption.owner,
    expires: exemption.expires,
    status: match.status,
    source: stored !== undefined ? 'table' : 'configuration',
    ...(stored !== undefined && stored.auditId !== 'unknown' ? { grantRecordId: stored.auditId } : {}),
  };
}

/** An unknown error in words, for a record's reason. */
function unexpectedReason(what: string, error: unknown): string {
  const description = describeError(error);
  return `${what} failed unexpectedly (${description.code ?? description.name}: ${description.message})`;
}

/** A promise's outcome without throwing (Promise.allSettled for one promise). */
function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
  );
}

const NO_TABLE_EXEMPTIONS: Promise<DecodedExemptions> = Promise.resolve({ exemptions: [], invalid: [] });

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

/** The exemptions that apply, and which of them came from the table. */
interface ApplicableExemptions {
  readonly all: readonly Exemption[];
  readonly fromTable: ReadonlyMap<Exemption, StoredExemption>;
}

/**
 * The exemptions that apply: the configured ones, plus the table's when it could be read. An unreadable table
 * fails closed (the bucket is decided without its exemptions), counted, logged and said in the record.
 */
function exemptionsFrom(run: Run, read: PromiseSettledResult<DecodedExemptions>): ApplicableExemptions {
  const { config, logger, metrics } = run.deps;
  if (read.status === 'rejected') {
    const error = describeError(read.reason);
    metrics.addMetric(METRICS.exemptionsReadFailed, 'Count', 1);
    logger.warn('the exemptions table could not be read; deciding without its exemptions', { auditId: run.fields.auditId, bucket: run.bucket, error: read.reason });
    run.notes.push(`the exemptions table could not be read (${error.code ?? error.name}: ${error.message}), so only the configured exemptions were considered`);
    return { all: config.exemptions, fromTable: new Map() };
  }
  const { exemptions, invalid } = read.value;
  if (invalid.length > 0) {
    logger.warn('exemptions table items are not valid exemptions and were skipped', { auditId: run.fields.auditId, invalid });
  }
  if (exemptions.length === 0) return { all: config.exemptions, fromTable: new Map() };
  return { all: [...config.exemptions, ...exemptions], fromTable: new Map(exemptions.map((exemption) => [exemption, exemption])) };
}

/** Checks one bucket and remediates it per the configuration. Usable without an event (the sweep). */
export async function remediateBucket(request: BucketRemediationRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { config, s3, audit, clock, logger, metrics } = deps;
  const { target } = request;
  const run = new Run(deps, request, 'bucket', target.account, target.region, target.bucket);
  const claimFirst = request.trigger !== 'sweep' || deps.recordPrivateSweepBuckets !== false;

  // Round trip 1: claim the record, read the bucket, read the exemptions table, all at once. (A sweep that
  // records only what it finds public looks up the record instead of claiming it.)
  const [claimed, read, tableExemptions, found] = await Promise.all([
    claimFirst ? settled(run.claim()) : undefined,
    settled(s3.readBucketState(target)),
    settled(deps.exemptions !== undefined ? deps.exemptions.readExemptions() : NO_TABLE_EXEMPTIONS),
    !claimFirst && audit.find !== undefined ? settled(audit.find(request.auditId)) : undefined,
  ]);
  if (claimed !== undefined) {
    const stop = await run.settleClaim(claimed);
    if (stop !== undefined) return stop;
  }
  const applicable = exemptionsFrom(run, tableExemptions);
  const exemptionMatch = findExemption(target.bucket, applicable.all, clock.now());
  const exemption = exemptionOf(exemptionMatch, applicable.fromTable);

  if (read.status === 'rejected') {
    const kind = classifyError(read.reason);
    if (kind === 'unknown') {
      return run.unexpected('reading the bucket', read.reason);
    }
    if (!claimFirst) {
      const stop = await run.claimNow();
      if (stop !== undefined) return stop;
    }
    if (kind === 'bucket-gone') {
      return run.conclude({ outcome: 'bucket-gone', severity: 'low', reason: 'the bucket no longer exists', ...(exemption ? { exemption } : {}) });
    }
    if (shouldContainUnread(request, config, read.reason, exemptionMatch)) {
      return containUnread(run, target, read.reason, exemption, deps);
    }
    return run.conclude({
      outcome: 'failed',
      severity: 'critical',
      reason: run.refused("reading the bucket's configuration", read.reason),
      error: describeError(read.reason),
      ...(exemption ? { exemption } : {}),
    });
  }

  const state = read.value;
  const verdict = verdictOf(target, state, config.sensitiveTagKeys);
  if (verdict.disagreement !== undefined) {
    metrics.addMetric(METRICS.verdictDisagreement, 'Count', 1);
    logger.warn('S3 and the engine disagree about the bucket policy', { auditId: request.auditId, bucket: target.bucket, disagreement: verdict.disagreement });
  }
  if (verdict.public) run.lookUpExposure();
  const exempt = exemptionMatch?.status === 'applied';
  if (!claimFirst) {
    if (!verdict.public && !exempt) {
      // Private now, but another delivery of the same check may just have contained it: its record says so.
      if (found?.status === 'fulfilled' && found.value !== undefined) {
        return run.duplicate({ claimed: false, existing: found.value });
      }
      // A sweep's private bucket: counted by the sweep from this result, nothing written.
      return { outcome: 'already-private', reason: 'not public', auditId: request.auditId, account: target.account, verdict };
    }
    const stop = await run.claimNow();
    if (stop !== undefined) return stop;
  }

  const before = snapshotOf(state);
  const sensitive = verdict.sensitiveTags.length > 0;
  const severity = bucketSeverity({ public: verdict.public, access: verdict.access, sensitive, failed: false });
  const common = { verdict, before, severity, ...(exemption ? { exemption } : {}) };

  if (exempt) {
    return run.conclude({ ...common, outcome: 'exempt', reason: `exempt until ${exemptionMatch.exemption.expires}: ${exemptionMatch.exemption.reason}` });
  }
  if (!verdict.public) {
    return run.conclude({ ...common, outcome: 'already-private', reason: 'not public' });
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
    return run.conclude({ ...common, outcome: 'report-only', reason: 'REMEDIATION_MODE is report-only; nothing was changed', ...(removed ? { removed } : {}) });
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
      return run.conclude({ ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted before it could be contained' });
    }
    if (kind === 'refused') {
      return run.conclude({
        ...common,
        severity: failedSeverity,
        outcome: 'failed',
        reason: run.refused('PutBucketPublicAccessBlock', containResult.error),
        error: describeError(containResult.error),
      });
    }
    return run.unexpected('containing the bucket', containResult.error, { before, verdict });
  }
  run.markContained();
  // From here on the bucket is contained: an unknown error is recorded as `failed` (critical), not rethrown, so
  // the record keeps what this run saved and did; a retry would find the bucket private and know less.
  let stripFailure: { reason: string; error: unknown } | undefined;
  if (saved.status === 'rejected') {
    run.unexpectedAfterContainment('saving what the strip strategy will remove', saved.reason);
    strips.forEach((write) => run.notSent(write));
    stripFailure = { reason: `contained with Block Public Access, but ${unexpectedReason('saving what the strip strategy will remove', saved.reason)}, so nothing was removed`, error: saved.reason };
  }

  // Round trip 3 (strip only): remove exactly the public grants and statements.
  if (strips.length > 0 && stripFailure === undefined) {
    const results = await Promise.all(strips.map((write) => run.write(write).then((result) => ({ write, result }))));
    for (const { write, result } of results) {
      if (result.ok) continue;
      const kind = classifyError(result.error);
      if (kind === 'unknown') run.unexpectedAfterContainment(`${write.api} (strip strategy)`, result.error);
      const why = kind === 'refused' ? run.refused(write.api, result.error) : kind === 'unknown' ? unexpectedReason(write.api, result.error) : `${write.api} found the bucket gone`;
      stripFailure ??= { reason: `contained with Block Public Access, but ${why}`, error: result.error };
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
        return run.conclude({ ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted right after containment', ...(removed ? { removed } : {}) });
      }
      if (kind === 'refused') {
        return run.conclude({
          ...common,
          severity: 'critical',
          outcome: 'failed',
          reason: `contained, but ${run.refused('verifying the bucket', error)}`,
          error: describeError(error),
          ...(removed ? { removed } : {}),
        });
      }
      run.unexpectedAfterContainment('verifying the bucket', error);
      return run.conclude({
        ...common,
        severity: 'critical',
        outcome: 'failed',
        reason: `contained, but ${unexpectedReason('verifying the bucket', error)}${stripFailure !== undefined ? `; ${stripFailure.reason}` : ''}`,
        error: describeError(error),
        ...(removed ? { removed } : {}),
      });
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
    return run.conclude({
      ...withAfter,
      severity: 'critical',
      outcome: 'failed',
      reason: 'still public after containment: something re-opened the bucket or the setting did not take effect',
    });
  }
  if (stripFailure !== undefined) {
    return run.conclude({ ...withAfter, severity: 'critical', outcome: 'failed', reason: stripFailure.reason, error: describeError(stripFailure.error) });
  }
  return run.conclude({
    ...withAfter,
    outcome: 'remediated',
    reason: strips.length > 0 ? 'contained with Block Public Access and public grants removed; verified' : 'contained with Block Public Access; verified',
  });
}

/**
 * Fail closed: an event changed the bucket's permissions and S3 refused a read of its state (a hostile policy can
 * deny s3:GetBucketPolicy to everyone but its author). In enforce mode, and unless an exemption applies, the one
 * reversible containment write is sent anyway. Not when the refusal was the account's role itself (nothing can be
 * sent there), and not for a sweep (a bucket it cannot read is no sign of a change).
 */
function shouldContainUnread(request: BucketRemediationRequest, config: RemediateConfig, error: unknown, exemption: ExemptionMatch | undefined): boolean {
  return (
    config.mode === 'enforce' &&
    request.trigger === 'event' &&
    exemption?.status !== 'applied' &&
    !(error instanceof AssumeRoleError) &&
    !(error instanceof InvalidAccountIdError)
  );
}

/**
 * Contains a bucket whose state could not be read, then reads again. The record is `remediated` only when the
 * re-read succeeds and shows the bucket private; a re-read that is refused again gives `failed` (critical): the
 * containment was applied, but nobody can tell what the bucket allows. The strip strategy removes nothing here
 * (what is public was never read, so nothing can be saved first).
 */
async function containUnread(run: Run, target: BucketTarget, readError: unknown, exemption: AuditExemption | undefined, deps: PipelineDeps): Promise<RemediationResult> {
  const unread = run.refused("reading the bucket's configuration", readError);
  const common = { error: describeError(readError), ...(exemption ? { exemption } : {}) };
  const contain: WriteAction = {
    api: 'PutBucketPublicAccessBlock',
    region: target.region,
    request: { Bucket: target.bucket, ExpectedBucketOwner: target.account, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
  };
  const written = await run.write(contain);
  if (!written.ok) {
    const kind = classifyError(written.error);
    if (kind === 'bucket-gone') {
      return run.conclude({ ...common, outcome: 'bucket-gone', severity: 'low', reason: `${unread}; the bucket was deleted before it could be contained` });
    }
    if (kind === 'refused') {
      return run.conclude({ ...common, outcome: 'failed', severity: 'critical', reason: `${unread}; containing it anyway: ${run.refused('PutBucketPublicAccessBlock', written.error)}`, error: describeError(written.error) });
    }
    return run.unexpected('containing the bucket (its state could not be read)', written.error);
  }
  run.markContained();

  const delays = deps.verifyRetryDelaysMs ?? DEFAULT_VERIFY_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? sleeper;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    const again = await settled(deps.s3.readBucketState(target));
    if (again.status === 'rejected') {
      const kind = classifyError(again.reason);
      if (kind === 'bucket-gone') {
        return run.conclude({ ...common, outcome: 'bucket-gone', severity: 'low', reason: `${unread}; contained, then the bucket was deleted` });
      }
      if (kind === 'unknown') run.unexpectedAfterContainment('verifying the bucket (its state could not be read)', again.reason);
      return run.conclude({
        ...common,
        outcome: 'failed',
        severity: 'critical',
        reason: `${unread}; the bucket's state could not be read, so containment was applied without a verdict (all four Block Public Access settings on) and could not be verified`,
      });
    }
    const verdict = verdictOf(target, again.value, deps.config.sensitiveTagKeys);
    if (!verdict.public) {
      return run.conclude({
        ...common,
        verdict,
        after: snapshotOf(again.value),
        outcome: 'remediated',
        severity: 'high',
        reason: `${unread}; contained with Block Public Access without a verdict (fail closed) and verified private afterwards`,
      });
    }
    const delay = delays[attempt];
    if (delay === undefined) {
      return run.conclude({ ...common, verdict, after: snapshotOf(again.value), outcome: 'failed', severity: 'critical', reason: `${unread}; contained without a verdict, but still public afterwards` });
    }
    await sleep(delay);
  }
  return run.conclude({ ...common, outcome: 'failed', severity: 'critical', reason: `${unread}; contained without a verdict and not verified` });
}

/** Handles a change to the account's Block Public Access (PutAccountPublicAccessBlock / DeleteAccountPublicAccessBlock). */
export async function handleAccountLevelChange(request: AccountChangeRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { config, s3 } = deps;
  const run = new Run(deps, request, 'account', request.account, request.region);

  const [claimed, read] = await Promise.allSettled([run.claim(), s3.readAccountPublicAccessBlock(request.account, { fresh: true })]);
  const stop = await run.settleClaim(claimed);
  if (stop !== undefined) return stop;
  if (read.status === 'rejected') {
    if (classifyError(read.reason) === 'refused') {
      return run.conclude({ outcome: 'failed', severity: 'critical', reason: run.refused("reading the account's Block Public Access", read.reason), error: describeError(read.reason) });
    }
    return run.unexpected("reading the account's Block Public Access", read.reason);
  }
  const current: PublicAccessBlock | null = read.value;
  const before: StateSnapshot = { accountPublicAccessBlock: current };
  const off = settingsOff(current);
  if (off.length === 0) {
    return run.conclude({ outcome: 'already-private', severity: 'low', reason: 'all four account-level Block Public Access settings are on', before });
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
    return run.conclude({ outcome: 'report-only', severity: 'high', reason: `${weakened}; not restored (${why})`, before });
  }

  const written = await run.write(restore);
  if (!written.ok) {
    if (classifyError(written.error) === 'refused') {
      return run.conclude({
        outcome: 'failed',
        severity: 'critical',
        reason: `${weakened}; ${run.refused('restoring it', written.error)} (an organization-level Block Public Access policy may manage this account)`,
        error: describeError(written.error),
        before,
      });
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
        return run.conclude({ outcome: 'failed', severity: 'critical', reason: `restored, but ${run.refused('verifying it', error)}`, error: describeError(error), before });
      }
      return run.unexpected("verifying the account's Block Public Access", error, { before });
    }
    if (allFourOn(after)) break;
    const delay = delays[attempt];
    if (delay !== undefined) await sleep(delay);
  }
  const withAfter = { before, after: { accountPublicAccessBlock: after } };
  if (!allFourOn(after)) {
    return run.conclude({ ...withAfter, outcome: 'failed', severity: 'critical', reason: `${weakened}; still off after restoring it` });
  }
  return run.conclude({ ...withAfter, outcome: 'remediated', severity: 'high', reason: `${weakened}; all four turned back on and verified` });
}

/** Organization-wide: the member role's ARN in any account, in SELF_ROLE_ARN's partition (ours, like SELF_ROLE_ARN). */
function memberRoleOf(config: RemediateConfig): { memberRoleArnFor?: (account: string) => string } {
  const memberRoleName = config.crossAccount?.memberRoleName;
  const self = parseRoleArn(config.selfRoleArn);
  if (memberRoleName === undefined || self === undefined) return {};
  return { memberRoleArnFor: (account) => `arn:${self.partition}:iam::${account}:role/${memberRoleName}` };
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
  const guardedAccounts = deps.guardedAccounts ?? configuredGuardedAccounts(deps.config);
  const interpreted = await admitEvent(raw, { selfRoleArn: deps.config.selfRoleArn, ...memberRoleOf(deps.config), guardedAccounts });
  if (interpreted.kind === 'ignored') {
    const fields = { reason: interpreted.reason, eventId: interpreted.eventId, eventName: interpreted.eventName };
    if (interpreted.warning !== undefined) {
      deps.logger.warn('event ignored: it names no bucket to check', { ...fields, warning: interpreted.warning });
      deps.metrics.addMetric(METRICS.routedCallWithoutBucket, 'Count', 1);
    } else {
      deps.logger.info('event ignored', fields);
    }
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
