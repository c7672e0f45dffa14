/**
 * The pipeline's contract: what it needs (PipelineDeps), what it is asked (a bucket or an account change, with
 * the fields of its trigger), and what it answers (RemediationResult). Types and defaults only.
 */
import type {
  AuditActor,
  AuditDoor,
  AuditExemption,
  AuditExposedBy,
  AuditRecord,
  AuditRemoval,
  AuditVerdict,
  RemediationOutcome,
  Severity,
  StateSnapshot,
} from '../../shared/audit/record';
import type { ErrorDescription } from '../../shared/aws/errors';
import type { PublicAccessBlock } from '../../shared/exposure/types';
import type { RemediateConfig } from '../environment';
import type { GuardedAccountsPort } from '../guarded-accounts';
import type {
  AccountLevelChangePort,
  AlertPort,
  AuditPort,
  BucketTarget,
  Clock,
  ExemptionsPort,
  FindingsPort,
  LoggerPort,
  MetricsPort,
  OutcomeEventPort,
  S3StatePort,
} from '../ports';

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
  /**
   * Where outcome events go (EventBridge), in the same parallel round as the final record and the alert.
   * @default - no outcome events
   */
  readonly outcomeEvents?: OutcomeEventPort;
  /**
   * Where Security Hub findings go (BatchImportFindings); needs `config.securityHub`.
   * @default - no findings
   */
  readonly findings?: FindingsPort;
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
export interface TriggerFields {
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
  /** The access point, Multi-Region Access Point or object the triggering call opened. */
  readonly through?: AuditDoor;
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

/** A record the pipeline writes: never one of the operator outcomes. */
export type PipelineRecord = AuditRecord & { readonly outcome: RemediationOutcome };

/** What a stage that ends the run passes to `conclude`: the record's own fields. */
export interface RecordFields {
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

/**
 * What a stage hands on: either the run is over (`finished`, the result to return), or the stage's output for
 * the next stage.
 */
export type Stage<T> = { readonly finished: RemediationResult } | ({ readonly finished?: undefined } & T);

/** Why the strip strategy could not remove what it planned to; the run ends `failed` after verifying. */
export interface StripFailure {
  readonly reason: string;
  readonly error: unknown;
}
