/**
 * The small interfaces the remediation pipeline needs from the outside world. Adapters in `adapters/`
 * implement them with the AWS SDK; tests and the sweep may implement them otherwise.
 *
 * Requests use the S3 API's own field names, and the pipeline records them verbatim as audit actions, so
 * the audit record shows exactly what was sent.
 */
import type { AuditOutcome, AuditRecord, AuditRemoval, AuditAction, S3PolicyStatusAnswer } from '../shared/audit/record';
import type { AuditExemption, AuditVerdict, Severity, StateSnapshot } from '../shared/audit/record';
import type { ErrorDescription } from '../shared/aws/errors';
import type { DecodedExemptions } from '../shared/exemptions/exemptions-table';
import type { AccessPointSnapshot, MultiRegionAccessPointSnapshot } from '../shared/exposure/access-point-types';
import type { AsffFinding } from '../shared/findings/asff';
import type { OutcomeEvent } from '../shared/findings/outcome-event';
import type { AclGrant, BucketAcl, PublicAccessBlock } from '../shared/exposure/types';

export interface BucketTarget {
  readonly bucket: string;
  /** The account that must own the bucket (sent as ExpectedBucketOwner on every bucket call). */
  readonly account: string;
  /** The bucket's region: calls go to this region's S3 endpoint. */
  readonly region: string;
  /**
   * The other doors to the bucket to read and judge with it (every read of the run, verification included).
   * @default - the bucket alone
   */
  readonly doors?: DoorScope;
}

/** What besides the bucket a check reads: its access points, Multi-Region Access Points, one object's ACL. */
export interface DoorScope {
  /** The bucket's access points in its Region (ListAccessPoints for the bucket, then each one's settings and policy). */
  readonly accessPoints?: boolean;
  /** Multi-Region Access Points (by name, owned by the bucket's account) that route to the bucket. */
  readonly multiRegionAccessPoints?: readonly string[];
  /** One object whose ACL to read (an object ACL event). */
  readonly objectKey?: string;
}

/** A Multi-Region Access Point as read, with the buckets it routes to. */
export interface MultiRegionAccessPointState {
  readonly snapshot: MultiRegionAccessPointSnapshot;
  readonly buckets: readonly { readonly bucket: string; readonly region: string; readonly account?: string }[];
}

/** Live bucket state from the parallel reads. `null` means "none configured". */
export interface BucketState {
  readonly acl: BucketAcl | null;
  readonly policy: string | null;
  readonly bucketPublicAccessBlock: PublicAccessBlock | null;
  readonly accountPublicAccessBlock: PublicAccessBlock | null;
  readonly ownership: string | null;
  readonly policyStatus: { readonly answer: S3PolicyStatusAnswer; readonly detail?: string };
  /** null when the tags could not be read. */
  readonly tags: Readonly<Record<string, string>> | null;
  /** Read when the target asks (`doors.accessPoints`): the bucket's access points with their policies. */
  readonly accessPoints?: readonly AccessPointSnapshot[];
  /** Read when the target names them (`doors.multiRegionAccessPoints`). */
  readonly multiRegionAccessPoints?: readonly MultiRegionAccessPointSnapshot[];
  /** Read when the target names an object (`doors.objectKey`): its ACL, or why it could not be read. */
  readonly objectAcl?: { readonly key: string; readonly acl: BucketAcl | null; readonly unreadable?: string };
}

export interface PutBucketPublicAccessBlockRequest {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
  readonly PublicAccessBlockConfiguration: Required<PublicAccessBlock>;
}
export interface PutBucketAclRequest {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
  readonly AccessControlPolicy: { readonly Owner: NonNullable<BucketAcl['Owner']>; readonly Grants: AclGrant[] };
}
export interface PutBucketPolicyRequest {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
  readonly Policy: string;
}
export interface DeleteBucketPolicyRequest {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
}
/** S3 Control PutAccessPointPolicy, sent to the access point's Region as its owner (strip strategy). */
export interface PutAccessPointPolicyRequest {
  readonly AccountId: string;
  readonly Name: string;
  readonly Policy: string;
}
/** S3 Control DeleteAccessPointPolicy: every statement of the access point policy was public. */
export interface DeleteAccessPointPolicyRequest {
  readonly AccountId: string;
  readonly Name: string;
}
/** S3 Control PutPublicAccessBlock (logged by CloudTrail as PutAccountPublicAccessBlock). */
export interface PutAccountPublicAccessBlockRequest {
  readonly AccountId: string;
  readonly PublicAccessBlockConfiguration: Required<PublicAccessBlock>;
}

/** Every write the guardrail can make, named as CloudTrail logs it. */
export type WriteAction =
  | { readonly api: 'PutBucketPublicAccessBlock'; readonly request: PutBucketPublicAccessBlockRequest; readonly region: string }
  | { readonly api: 'PutBucketAcl'; readonly request: PutBucketAclRequest; readonly region: string }
  | { readonly api: 'PutBucketPolicy'; readonly request: PutBucketPolicyRequest; readonly region: string }
  | { readonly api: 'DeleteBucketPolicy'; readonly request: DeleteBucketPolicyRequest; readonly region: string }
  | { readonly api: 'PutAccountPublicAccessBlock'; readonly request: PutAccountPublicAccessBlockRequest; readonly region: string }
  | { readonly api: 'PutAccessPointPolicy'; readonly request: PutAccessPointPolicyRequest; readonly region: string }
  | { readonly api: 'DeleteAccessPointPolicy'; readonly request: DeleteAccessPointPolicyRequest; readonly region: string };

/**
 * S3 and S3 Control for the pipeline. Every call on a bucket (or an account's setting) is made as the account
 * that owns it: with the function's own credentials in its home account, through the member role elsewhere.
 */
export interface S3StatePort {
  /**
   * Reads the bucket's ACL, policy, Block Public Access, Object Ownership, policy status, tags and the
   * account's Block Public Access, all at once (one round trip). Throws the SDK error for NoSuchBucket,
   * AccessDenied and anything unknown, and AssumeRoleError when the owner account's role cannot be assumed;
   * "not configured" errors become null.
   */
  readBucketState(target: BucketTarget): Promise<BucketState>;
  /** The account's Block Public Access (null when none). `fresh` bypasses the per-container cache. */
  readAccountPublicAccessBlock(account: string, options?: { readonly fresh?: boolean }): Promise<PublicAccessBlock | null>;
  write(action: WriteAction): Promise<void>;
  /**
   * S3 Control GetAccessPoint in `region` as `account`, with its policy: null when there is no such access point.
   * @default - not available: access point events are ignored with the reason
   */
  readAccessPoint?(account: string, region: string, name: string): Promise<AccessPointSnapshot | null>;
  /**
   * The supporting access point of an Object Lambda access point (GetAccessPointConfigurationForObjectLambda):
   * its name, or null when there is no such Object Lambda access point.
   * @default - not available: Object Lambda events are ignored with the reason
   */
  readObjectLambdaSupportingAccessPoint?(account: string, region: string, name: string): Promise<string | null>;
  /**
   * GetMultiRegionAccessPoint and its policy (requests routed to us-west-2): null when there is no such one.
   * @default - not available: Multi-Region Access Point events are ignored with the reason
   */
  readMultiRegionAccessPoint?(account: string, name: string): Promise<MultiRegionAccessPointState | null>;
  /**
   * S3's own answer (GetAccessPointPolicyStatus in `region` as `account`): is the access point policy public?
   * 'no-policy' when it has none. Used to verify an access point policy strip.
   * @default - not available: the strip is verified with the engine's reading of the policy read again
   */
  readAccessPointPolicyStatus?(account: string, region: string, name: string): Promise<'public' | 'not-public' | 'no-policy'>;
  /**
   * The member-account role calls on `account` go through, when not the function's own credentials (for the
   * audit record). @default - the function's own credentials everywhere
   */
  actingRoleArn?(account: string): string | undefined;
}

/** The exemptions table (`bucket-guardrail exempt`), read in the first round trip with the bucket state. */
export interface ExemptionsPort {
  /** Table exemptions, strongly consistent; invalid items returned, never thrown. Rejects when the table cannot be read. */
  readExemptions(): Promise<DecodedExemptions>;
}

/** Deliveries made after the record is written; a failed one is noted on the record and re-sent by a retry. */
export type Delivery = 'alert' | 'archive' | 'account-level-change' | 'outcome-event' | 'finding';

/** The first write of an audit record: reserves the id while the work runs. */
export interface AuditClaim {
  readonly id: string;
  readonly claimToken: string;
  /** Epoch ms after which another invocation may take the claim over (this invocation's deadline). */
  readonly leaseUntil: number;
  readonly trigger: AuditRecord['trigger'];
  readonly scope: AuditRecord['scope'];
  readonly eventTime: string;
  readonly receivedAt: string;
  readonly account: string;
  readonly region: string;
  readonly bucket?: string;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly sweepId?: string;
}

/** A record already under an id: a claim still being worked on, or a finished record. */
export type ExistingRecord =
  | { readonly status: 'in-progress' }
  | { readonly status: 'finished'; readonly record: AuditRecord; readonly undelivered: readonly Delivery[] };

/**
 * A finished record an earlier invocation could not write as final (its DynamoDB completion kept failing), saved on
 * its claim instead, with the deliveries that did not go out. The invocation that takes the claim over writes it as
 * the final record and sends only those deliveries, instead of doing the work again.
 */
export interface PendingRecord {
  readonly record: AuditRecord;
  readonly undelivered: readonly Delivery[];
}

/**
 * What a run saved on its claim right after containing the bucket: the verdict it acted on and the containment.
 * A retry after a crash or timeout finds the bucket private; with this it still records (and alerts) the
 * exposure that was contained, instead of a silent `already-private`.
 */
export interface SavedContainment {
  readonly containedAt: string;
  readonly verdict: AuditVerdict;
  readonly before: StateSnapshot;
  readonly severity: Severity;
  /** The containment write (and any strip already planned), as recorded. */
  readonly actions: readonly AuditAction[];
  readonly exemption?: AuditExemption;
}

export type ClaimResult =
  | { readonly claimed: true; readonly pending?: PendingRecord; readonly contained?: SavedContainment }
  | { readonly claimed: false; readonly existing: ExistingRecord };

/** What the strip strategy is about to remove, saved before it is removed. */
export interface RemovalProgress {
  readonly removed: AuditRemoval;
  readonly actions: readonly AuditAction[];
  readonly containedAt?: string;
}

export interface AuditPort {
  /** Conditional create: succeeds once per id (or after an earlier holder's lease ran out). */
  claim(claim: AuditClaim): Promise<ClaimResult>;
  /**
   * What is stored under `id`, if anything (strongly consistent); writes nothing. A sweep that records only
   * buckets it finds public uses it to tell a private bucket from one another delivery has just contained.
   * @default - not available: such a sweep cannot tell, and reports the bucket as it found it
   */
  find?(id: string): Promise<ExistingRecord | undefined>;
  saveRemovalProgress(id: string, claimToken: string, progress: RemovalProgress): Promise<void>;
  /**
   * Saves the verdict and the containment on this invocation's claim, right after the containment write; a later
   * claimant gets it back as `contained`.
   * @default - not available: a retry that finds the bucket private records `already-private`
   */
  saveContainment?(id: string, claimToken: string, containment: SavedContainment): Promise<void>;
  /** Writes the final record in place of the claim; fails when the claim is no longer this invocation's. */
  complete(record: AuditRecord, claimToken: string): Promise<void>;
  /**
   * When `complete` kept failing: saves the finished record on this invocation's claim and ends its lease, so the
   * retry takes the claim over at once and finishes with this record (the claim returns it as `pending`).
   * @default - not available: a retry after the lease does the work again
   */
  savePending?(id: string, claimToken: string, pending: PendingRecord): Promise<void>;
  /** Writes the write-once archive copy; resolves false when no archive is configured. */
  archive(record: AuditRecord): Promise<boolean>;
  /** Gives the claim up after an unexpected error, so Lambda's retry can start over. */
  release(id: string, claimToken: string, error: ErrorDescription): Promise<void>;
  /** Notes deliveries that failed after the record was completed, so a retry sends them. */
  markUndelivered(id: string, deliveries: readonly Delivery[]): Promise<void>;
  clearUndelivered(id: string): Promise<void>;
  /**
   * Notes on a completed record why its Security Hub finding was not imported (Security Hub not enabled).
   * @default - not available: the reason is only logged
   */
  noteFindingNotImported?(id: string, detail: string): Promise<void>;
}

/** The final write found the claim taken over or already completed. */
export class ClaimLostError extends Error {
  constructor(
    readonly auditId: string,
    options?: { cause?: unknown },
  ) {
    super(`audit record ${auditId} is no longer claimed by this invocation`, options);
    this.name = 'ClaimLostError';
  }
}

/** A rendered SNS alert. */
export interface AlertMessage {
  readonly subject: string;
  /** JSON with `default` (the audit record) and `email` (text for a person), for MessageStructure json. */
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface AlertPort {
  publish(alert: AlertMessage): Promise<void>;
}

export interface OutcomeEventPort {
  /** Puts one event on the configured bus; rejects when EventBridge refuses the entry. */
  publish(event: OutcomeEvent): Promise<void>;
}

/** What became of a finding: imported (created or updated), or Security Hub is not enabled where it was sent. */
export type FindingImportResult =
  | { readonly status: 'imported' }
  | {
      readonly status: 'security-hub-not-enabled';
      readonly detail: string;
      /**
       * True for the first invocation, across containers, to see it in the region's current window (one UTC day):
       * the pipeline alerts then, and only then.
       */
      readonly firstNotice: boolean;
      /** Set when the window's marker could not be written (the invocation alerts anyway). */
      readonly noticeError?: string;
    };

export interface FindingsPort {
  /**
   * Imports one finding with BatchImportFindings. Resolves `security-hub-not-enabled` (a terminal condition, never
   * retried) when Security Hub or the default product is not enabled in the region; rejects on anything else.
   */
  import(finding: AsffFinding): Promise<FindingImportResult>;
}

/** What the pipeline tells the account-level seam after an account Block Public Access change was handled. */
export interface AccountLevelChange {
  readonly account: string;
  readonly region: string;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly eventTime: string;
  readonly outcome: AuditOutcome;
  readonly auditId: string;
}

/**
 * The seam for re-checking every bucket after an account-level change (the sweep). Not wired by the
 * remediator itself; the sweep's entry point supplies it.
 */
export interface AccountLevelChangePort {
  onAccountLevelChange(change: AccountLevelChange): Promise<void>;
}

export interface LoggerPort {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const METRICS = {
  remediated: 'Remediated',
  failed: 'Failed',
  ignored: 'Ignored',
  timeToContainMs: 'TimeToContainMs',
  verdictDisagreement: 'VerdictDisagreement',
  /** The exemptions table could not be read; the bucket was decided without its exemptions (fail closed). */
  exemptionsReadFailed: 'ExemptionsReadFailed',
  /** AssumeRole into a member account failed; that account's bucket was not checked. */
  assumeRoleFailed: 'AssumeRoleFailed',
  /** A successful routed bucket call whose requestParameters is null or names no bucket: nothing could be checked. */
  routedCallWithoutBucket: 'RoutedCallWithoutBucket',
  /** BatchImportFindings answered that Security Hub (or the default product) is not enabled in the region. */
  securityHubNotEnabled: 'SecurityHubNotEnabled',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

export interface MetricsPort {
  addMetric(name: MetricName, unit: 'Count' | 'Milliseconds', value: number): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
