/**
 * The audit record: what the guardrail saw, decided and did about one event (or one bucket in a sweep),
 * in a schema-versioned JSON shape a compliance reviewer can read and verify.
 *
 * One record is stored three ways: as a DynamoDB item (record fields + the derived attributes of
 * table-schema.ts), as a write-once JSON object in the Object Lock archive (its canonical JSON), and as the
 * `default` message of the SNS alert. `recordSha256` is the SHA-256 of the canonical JSON, so the DynamoDB
 * item and the archive copy can be checked against each other.
 */
import { createHash } from 'node:crypto';
import type { AccessLevel, BucketAcl, ExposureReport, PublicAccessBlock } from '../exposure/types';
import type { ErrorDescription } from '../aws/errors';
import { AUDIT_TABLE, archiveKeyFor } from './table-schema';

/** Bumped on any change a reader must know about (a field removed, renamed or re-typed). */
export const AUDIT_SCHEMA_VERSION = 1;

/** What the remediation pipeline (event and sweep) concludes about a bucket or an account. */
export const REMEDIATION_OUTCOMES = [
  'remediated',
  'already-private',
  'exempt',
  'report-only',
  'failed',
  'ignored',
  'bucket-gone',
] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

/** What an operator did with the CLI: a restore of a remediation, an exemption granted or revoked. */
export const OPERATOR_OUTCOMES = ['restored', 'exemption-granted', 'exemption-revoked'] as const;
export type OperatorOutcome = (typeof OPERATOR_OUTCOMES)[number];

export const AUDIT_OUTCOMES = [...REMEDIATION_OUTCOMES, ...OPERATOR_OUTCOMES] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export function isRemediationOutcome(outcome: unknown): outcome is RemediationOutcome {
  return (REMEDIATION_OUTCOMES as readonly unknown[]).includes(outcome);
}

/** What started the work: a CloudTrail event, a sweep of the account, or an operator with the CLI. */
export const AUDIT_TRIGGERS = ['event', 'sweep', 'operator'] as const;
export type AuditTrigger = (typeof AUDIT_TRIGGERS)[number];

/** Most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Who made the call that caused the record (from the CloudTrail `userIdentity` and request context). */
export interface AuditActor {
  /** `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `AWSService`, … */
  readonly type?: string;
  readonly arn?: string;
  readonly principalId?: string;
  readonly accountId?: string;
  /** For assumed roles: the role behind the session. */
  readonly sessionIssuerArn?: string;
  /** Set when an AWS service made the call on the principal's behalf. */
  readonly invokedBy?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * Live configuration at one moment. Bucket-scope records carry every field; account-scope records
 * carry only `accountPublicAccessBlock`. `null` means "none configured"; an absent field was not read.
 */
export interface StateSnapshot {
  readonly acl?: BucketAcl | null;
  /** The bucket policy exactly as GetBucketPolicy returned it. */
  readonly policy?: string | null;
  readonly bucketPublicAccessBlock?: PublicAccessBlock | null;
  readonly accountPublicAccessBlock?: PublicAccessBlock | null;
  readonly ownership?: string | null;
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** S3's own answer from GetBucketPolicyStatus. */
export type S3PolicyStatusAnswer = 'public' | 'not-public' | 'no-policy' | 'unavailable';

export interface AuditVerdict {
  /** The decision acted on: the engine's verdict, or S3's when S3 says public and the engine does not. */
  readonly public: boolean;
  /** What the public could do, per the engine. */
  readonly access: readonly AccessLevel[];
  readonly engine: ExposureReport;
  readonly s3PolicyStatus: S3PolicyStatusAnswer;
  /** Why S3 gave no answer, when it did not. */
  readonly s3PolicyStatusDetail?: string;
  /** Set when S3 and the engine disagree about the policy, in words. */
  readonly disagreement?: string;
  /** Tag keys from SENSITIVE_TAG_KEYS the bucket carries (they raise severity one level). */
  readonly sensitiveTags: readonly string[];
  /** Object ACL events: the object's ACL as read, judged with the bucket's IgnorePublicAcls. */
  readonly objectAcl?: ObjectAclVerdict;
}

/**
 * One object's ACL, judged as S3 does: public grants to AllUsers or AuthenticatedUsers take effect unless
 * IgnorePublicAcls is on for the bucket or the account, or ACLs are disabled (BucketOwnerEnforced). Reported,
 * never rewritten: IgnorePublicAcls neutralises every object ACL at once.
 */
export interface ObjectAclVerdict {
  readonly key: string;
  /** The object ACL gives the public access today. */
  readonly public: boolean;
  readonly access: readonly AccessLevel[];
  /** Indexes of the public grants in the ACL read. */
  readonly publicGrants: readonly number[];
  /** What makes the public grants ineffective, when they are. */
  readonly neutralisedBy?: 'IgnorePublicAcls' | 'BucketOwnerEnforced';
  /** The object could not be read (gone, or no permission): why. */
  readonly unreadable?: string;
}

export type AuditActionResult = 'succeeded' | 'failed' | 'not-sent';

/** One API call the guardrail made, or would have made in report-only mode (`result: not-sent`). */
export interface AuditAction {
  readonly api: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly result: AuditActionResult;
  readonly at?: string;
  readonly durationMs?: number;
  readonly error?: ErrorDescription;
}

/** Exactly what the strip strategy removed (or would remove), recorded before it is removed. */
export interface AuditRemoval {
  readonly aclGrants: readonly { readonly index: number; readonly grant: unknown }[];
  readonly policyStatements: readonly { readonly index: number; readonly statement: unknown }[];
  /** True when no statement was left and the policy is deleted rather than rewritten. */
  readonly policyDeleted: boolean;
  /** Why ACL grants were left in place, when they were. */
  readonly aclLeftAlone?: string;
  /** Why policy statements were left in place, when they were. */
  readonly policyLeftAlone?: string;
  /**
   * The public access points (and Multi-Region Access Points) whose policies the strip strategy changed or left
   * alone, each with its whole policy as read before any change. Absent when the run judged no such door.
   */
  readonly accessPoints?: readonly AuditAccessPointRemoval[];
  /**
   * Set when the bucket's ACL or policy changed between the first read and the strip (a concurrent owner change):
   * the strips were planned again from this later state, so it, not `before`, is what they were taken out of.
   */
  readonly basis?: { readonly acl: BucketAcl | null; readonly policy: string | null };
}

/** One access point policy the strip strategy changed (or would change, or left alone), recorded before the write. */
export interface AuditAccessPointRemoval {
  readonly kind: 'accessPoint' | 'multiRegionAccessPoint';
  readonly name: string;
  /** Its ARN, when S3 returned it. */
  readonly arn?: string;
  /** The account that owns it (AccountId of the S3 Control calls). */
  readonly account: string;
  /** Where its control calls go: the access point's Region (us-west-2 for a Multi-Region Access Point). */
  readonly region: string;
  /** The whole policy exactly as read before the strip (GetAccessPointPolicy); restore puts it back from here. */
  readonly policy: string;
  /**
   * The public statements removed (or, in report-only, that would be); with `policyLeftAlone`, the public
   * statements left in place for the owner to remove.
   */
  readonly policyStatements: readonly { readonly index: number; readonly statement: unknown }[];
  /** True when no statement was left and the policy is deleted (DeleteAccessPointPolicy) rather than rewritten. */
  readonly policyDeleted: boolean;
  /** Why the policy was not changed, when it was not. */
  readonly policyLeftAlone?: string;
}

/** Where an exemption is kept: the reviewed list in the deployment (`EXEMPTIONS`) or the exemptions table. */
export type AuditExemptionSource = 'configuration' | 'table';

export interface AuditExemption {
  readonly bucket: string;
  /** The account the exemption is scoped to (a 12-digit ID or `*`), when it names one. */
  readonly account?: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  /**
   * On remediation records: `applied` (the bucket was left alone) or `expired` (it no longer applies).
   * On operator records: `granted` or `revoked` (the change the record is about).
   */
  readonly status: 'applied' | 'expired' | 'granted' | 'revoked';
  /** Remediation records: where the exemption that decided is kept. Absent on operator records. */
  readonly source?: AuditExemptionSource;
  /** Table exemptions: the operator record (`op-…`) that granted it, when the table item names one. */
  readonly grantRecordId?: string;
}

/**
 * The door the triggering call opened, when it was not the bucket itself: an access point, a Multi-Region
 * Access Point, or one object's ACL. The record's `bucket` is the bucket behind it (the one contained).
 */
export interface AuditDoor {
  readonly kind: 'accessPoint' | 'multiRegionAccessPoint' | 'objectAcl';
  /** Access point or Multi-Region Access Point name. */
  readonly name?: string;
  /** Its ARN, when S3 returned it. */
  readonly arn?: string;
  /** The access point's Region (us-west-2 for a Multi-Region Access Point's control calls). */
  readonly region?: string;
  /** The account that owns the access point. */
  readonly account?: string;
  /** Object ACL events: the object's key. */
  readonly key?: string;
}

/** For a sweep: the newest CloudTrail call that can have exposed the bucket (LookupEvents, 90 days). */
export interface AuditExposedBy {
  readonly status: 'found' | 'not-found' | 'unavailable';
  readonly eventId?: string;
  readonly eventName?: string;
  readonly eventTime?: string;
  readonly actor?: AuditActor;
  /** Why it is unavailable (e.g. "ThrottlingException: Rate exceeded"). */
  readonly detail?: string;
}

export interface AuditRecord {
  readonly schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  readonly id: string;
  /** What started the work: a CloudTrail event, a sweep of the account, or an operator (CLI). */
  readonly trigger: AuditTrigger;
  readonly scope: 'bucket' | 'account';
  readonly eventId?: string;
  readonly eventName?: string;
  /** When the change happened (CloudTrail eventTime); for a sweep, when the sweep started. */
  readonly eventTime: string;
  readonly sweepId?: string;
  readonly receivedAt: string;
  readonly containedAt?: string;
  readonly finishedAt: string;
  readonly bucket?: string;
  /** The account that owns the bucket (or whose setting changed); in an organization, often not the guardrail's. */
  readonly account: string;
  readonly region: string;
  /**
   * The member-account role the guardrail acted through, when the account is not the one it runs in
   * (organization-wide deployments). Absent when it acted with its own credentials.
   */
  readonly actingRoleArn?: string;
  readonly actor?: AuditActor;
  /** Sweep findings of a public bucket: the CloudTrail call that exposed it, where CloudTrail still has it. */
  readonly exposedBy?: AuditExposedBy;
  /** Operator records: the record this one acts on (the remediation a restore undid). */
  readonly relatedRecordId?: string;
  /** The Block Public Access settings the triggering call asked for, when it carried them. */
  readonly requestedPublicAccessBlock?: PublicAccessBlock;
  /** The access point, Multi-Region Access Point or object the triggering call exposed the bucket through. */
  readonly through?: AuditDoor;
  readonly verdict?: AuditVerdict;
  readonly severity: Severity;
  /** REMEDIATION_MODE in force. Absent on records of exemption changes, which involve no remediation. */
  readonly mode?: 'enforce' | 'report-only';
  /** REMEDIATION_STRATEGY in force. Absent on records of exemption changes. */
  readonly strategy?: 'block-public-access' | 'strip-public-grants';
  readonly exemption?: AuditExemption;
  readonly actions: readonly AuditAction[];
  readonly removed?: AuditRemoval;
  readonly before?: StateSnapshot;
  readonly after?: StateSnapshot;
  readonly outcome: AuditOutcome;
  readonly reason?: string;
  /** containedAt − eventTime, in milliseconds. */
  readonly timeToContainMs?: number;
  /** finishedAt − receivedAt, in milliseconds. */
  readonly durationMs: number;
  readonly error?: ErrorDescription;
}

/** The DynamoDB item: the record plus the derived attributes of table-schema.ts. */
export type AuditItem = AuditRecord & {
  readonly day: string;
  readonly recordSha256: string;
  readonly archiveKey: string;
};

/**
 * Canonical JSON: object keys sorted by code unit, no insignificant whitespace, `undefined` members
 * dropped (as JSON.stringify does). Equal values always give equal text, so the hash is stable.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => (item === undefined ? null : sortKeys(item)));
  }
  if (value !== null && typeof value === 'object') {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') {
      return sortKeys(withJson.toJSON());
    }
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined && typeof member !== 'function') {
        sorted[key] = sortKeys(member);
      }
    }
    return sorted;
  }
  return value;
}

const recordTexts = new WeakMap<AuditRecord, string>();

/**
 * The canonical JSON of a record, computed once per record object: the table item's hash, the archive copy and
 * the alert's `default` message all use it. Records are immutable values; build a new one to change anything.
 */
export function recordJson(record: AuditRecord): string {
  let text = recordTexts.get(record);
  if (text === undefined) {
    text = canonicalJson(record);
    recordTexts.set(record, text);
  }
  return text;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const SAFE_EVENT_ID = /^[A-Za-z0-9-]{1,128}$/;

/**
 * The record id for a CloudTrail event: deterministic, so a second delivery of the same event maps to the
 * same item and the conditional write turns it into a no-op. Event IDs outside [A-Za-z0-9-] are hashed.
 */
export function auditIdForCloudTrailEvent(eventId: string): string {
  return SAFE_EVENT_ID.test(eventId) ? `ct-${eventId.toLowerCase()}` : `ct-sha256-${sha256Hex(eventId).slice(0, 40)}`;
}

/** The record id for one bucket in one sweep. */
export function auditIdForSweep(sweepId: string, bucket: string): string {
  return `sweep-${sha256Hex(`${sweepId}\n${bucket}`).slice(0, 40)}`;
}

export function toAuditItem(record: AuditRecord): AuditItem {
  return {
    ...record,
    [AUDIT_TABLE.dayAttribute]: record.eventTime.slice(0, 10),
    [AUDIT_TABLE.hashAttribute]: sha256Hex(recordJson(record)),
    [AUDIT_TABLE.archiveKeyAttribute]: archiveKeyFor(record.id, record.eventTime),
  } as AuditItem;
}

/** Attributes a stored item carries besides the record itself. */
export const NON_RECORD_ATTRIBUTES = [
  AUDIT_TABLE.dayAttribute,
  AUDIT_TABLE.hashAttribute,
  AUDIT_TABLE.archiveKeyAttribute,
  'claimToken',
  'leaseUntil',
  'phase',
  'undelivered',
  'lastError',
  /** Why the record's Security Hub finding was not imported (Security Hub not enabled in the region). */
  'findingNotImported',
] as const;

/** The record inside a stored item (drops the derived and bookkeeping attributes). */
export function recordFromItem(item: Readonly<Record<string, unknown>>): AuditRecord {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (!(NON_RECORD_ATTRIBUTES as readonly string[]).includes(key)) {
      record[key] = value;
    }
  }
  return record as unknown as AuditRecord;
}

/** True when a stored item's record still hashes to its `recordSha256`. */
export function itemMatchesHash(item: Readonly<Record<string, unknown>>): boolean {
  return item[AUDIT_TABLE.hashAttribute] === sha256Hex(canonicalJson(recordFromItem(item)));
}

/** Most severe of the given severities. */
export function maxSeverity(...severities: Severity[]): Severity {
  return SEVERITIES.find((severity) => severities.includes(severity)) ?? 'low';
}
