/**
 * The AWS Security Finding Format (ASFF) finding for a bucket exposure, imported into Security Hub with
 * BatchImportFindings under the account's default custom product. Pure: plain data in, the finding out.
 *
 * One finding per bucket exposure: its `Id` comes from the owner account, the region, the bucket and the event
 * (the audit record's id, derived from the CloudTrail event id), so a redelivery sends the same `Id` and Security
 * Hub updates the finding instead of adding one. Sweep findings of one bucket share one `Id` per account, region
 * and bucket, so each sweep updates the finding of the last one.
 *
 * What a finding provider may change after creation (Security Hub user guide, "BatchImportFindings for finding
 * providers"): not `Workflow`, `Note`, `UserDefinedFields` or `VerificationState` (BatchImportFindings ignores them
 * on an existing finding; they are the security team's, through BatchUpdateFindings), and Severity and Types only
 * through `FindingProviderFields`. So `Workflow.Status` is set once, at creation: RESOLVED when the bucket was
 * contained and verified, NEW when containment failed or nothing was changed (report-only), NOTIFIED when the
 * bucket is exempt. What the guardrail keeps current on every import is the state of the bucket:
 * - `Compliance.Status`: PASSED when contained and verified, FAILED when still public (failed, report-only),
 *   WARNING when public under an exemption;
 * - `RecordState`: ARCHIVED for a sweep finding whose bucket the sweep contained (the bucket's open exposure is
 *   over), ACTIVE otherwise. When a later sweep finds the bucket public again, the finding goes back to ACTIVE and
 *   FAILED, and Security Hub itself resets a RESOLVED or NOTIFIED `Workflow.Status` to NEW.
 * Event findings (one per event) keep RecordState ACTIVE: each is created with the Workflow of its outcome.
 */
import type { AuditRecord, Severity } from '../audit/record';
import { bucketArn } from './outcome-event';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** ASFF limits the finding provider must respect (BatchImportFindings rejects longer values). */
export const ASFF_LIMITS = { title: 256, description: 1024, remediationText: 512, id: 512 } as const;
export const FINDING_TYPES = [
  'Effects/Data Exposure/Public S3 Bucket',
  'Software and Configuration Checks/AWS Security Best Practices/S3 Block Public Access',
] as const;
export const GENERATOR_ID = 'bucket-guardrail';

export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
export type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
export type RecordState = 'ACTIVE' | 'ARCHIVED';
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Where findings go: the home account and region of the function, whose default product receives them. */
export interface FindingTarget {
  readonly productArn: string;
  /** The account BatchImportFindings is called from (must be the finding's AwsAccountId for the default product). */
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

/** The ASFF fields this guardrail sends (a subset of AwsSecurityFinding, in its own names and types). */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: SeverityLabel; readonly Original: string };
  readonly FindingProviderFields: { readonly Severity: { readonly Label: SeverityLabel; readonly Original: string }; readonly Types: readonly string[] };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly {
    readonly Type: 'AwsS3Bucket';
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
    readonly Details: {
      readonly AwsS3Bucket: {
        readonly OwnerAccountId: string;
        readonly PublicAccessBlockConfiguration?: {
          readonly BlockPublicAcls: boolean;
          readonly IgnorePublicAcls: boolean;
          readonly BlockPublicPolicy: boolean;
          readonly RestrictPublicBuckets: boolean;
        };
      };
    };
  }[];
  /** Read by Security Hub only when the finding is created (see the header). */
  readonly Workflow: { readonly Status: WorkflowStatus };
  readonly Compliance: { readonly Status: ComplianceStatus };
  readonly RecordState: RecordState;
}

const PRODUCT_ARN = /^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/;

/** The account's default custom product: `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`. */
export function defaultProductArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** The target of a default product ARN, or undefined when the ARN is not one. */
export function parseDefaultProductArn(arn: string): FindingTarget | undefined {
  const match = PRODUCT_ARN.exec(arn);
  if (match === null || match[3] !== match[4]) return undefined;
  return { productArn: arn, partition: match[1] as string, region: match[2] as string, account: match[3] as string };
}

/**
 * A finding for each bucket exposure: a bucket record of an event or a sweep whose bucket was public (contained,
 * failed, report-only, or exempt and public). Not for private or deleted buckets, ignored events, account-level
 * changes (not a bucket resource) or operator records.
 */
export function shouldImportFinding(record: AuditRecord): boolean {
  if (record.trigger === 'operator' || record.scope !== 'bucket' || record.bucket === undefined) return false;
  switch (record.outcome) {
    case 'remediated':
    case 'failed':
    case 'report-only':
      return true;
    case 'exempt':
      return record.verdict?.public === true;
    default:
      return false;
  }
}

export function workflowStatus(record: AuditRecord): WorkflowStatus {
  if (record.outcome === 'remediated') return 'RESOLVED';
  if (record.outcome === 'exempt') return 'NOTIFIED';
  return 'NEW';
}

/** The bucket's state as a compliance result: contained passes, public under an exemption warns, still public fails. */
export function complianceStatus(record: AuditRecord): ComplianceStatus {
  if (record.outcome === 'remediated') return 'PASSED';
  if (record.outcome === 'exempt') return 'WARNING';
  return 'FAILED';
}

/**
 * ARCHIVED for a sweep finding whose bucket was contained: the sweep finding of a bucket tracks its exposure across
 * sweeps, and archiving is how a provider says the issue is over once Workflow can no longer be changed.
 */
export function recordState(record: AuditRecord): RecordState {
  return record.trigger === 'sweep' && record.outcome === 'remediated' ? 'ARCHIVED' : 'ACTIVE';
}

const SEVERITY_LABELS: Record<Severity, SeverityLabel> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

export function severityLabel(severity: Severity): SeverityLabel {
  return SEVERITY_LABELS[severity];
}

/** The finding's `Id`: owner account, region, bucket, and the event (the record id; `sweep` for sweep findings). */
export function findingId(record: AuditRecord): string {
  const event = record.trigger === 'sweep' ? 'sweep' : record.id;
  return `${GENERATOR_ID}/${record.account}/${record.region}/${record.bucket ?? ''}/${event}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** Everything Security Hub needs from the alert, from the record alone (retries re-render it from the stored record). */
export interface FindingText {
  readonly title: string;
  readonly whatHappened: string;
  readonly restoreCommand?: string;
  readonly exemptCommand?: string;
}

function description(record: AuditRecord, text: FindingText): string {
  const who = record.actor?.arn ?? record.exposedBy?.actor?.arn;
  const parts = [
    text.whatHappened,
    record.reason !== undefined ? `Reason: ${record.reason}.` : '',
    who !== undefined ? `Changed by ${who}${record.eventName !== undefined ? ` (${record.eventName})` : ''}.` : record.trigger === 'sweep' ? 'Found by a sweep.' : '',
    `Audit record ${record.id}.`,
  ];
  return clip(parts.filter((part) => part.length > 0).join(' '), ASFF_LIMITS.description);
}

function remediationText(record: AuditRecord, text: FindingText): string {
  const steps = [
    text.restoreCommand !== undefined ? `If the bucket must be public, restore it: ${text.restoreCommand}.` : '',
    text.exemptCommand !== undefined ? `Keep it public on purpose: ${text.exemptCommand}.` : '',
    record.outcome === 'failed' || record.outcome === 'report-only' ? 'Otherwise turn on all four Block Public Access settings of the bucket.' : '',
  ];
  const joined = steps.filter((step) => step.length > 0).join(' ');
  return clip(joined.length > 0 ? joined : 'See the audit record.', ASFF_LIMITS.remediationText);
}

/** The ASFF finding for a record (check shouldImportFinding first). */
export function renderFinding(record: AuditRecord, target: FindingTarget, text: FindingText): AsffFinding {
  const bucket = record.bucket ?? '';
  const label = severityLabel(record.severity);
  const severity = { Label: label, Original: record.severity };
  const block = record.after?.bucketPublicAccessBlock ?? record.before?.bucketPublicAccessBlock;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: clip(findingId(record), ASFF_LIMITS.id),
    ProductArn: target.productArn,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: target.account,
    Region: target.region,
    Types: [...FINDING_TYPES],
    CreatedAt: record.receivedAt,
    UpdatedAt: record.finishedAt,
    FirstObservedAt: record.eventTime,
    LastObservedAt: record.finishedAt,
    Severity: severity,
    FindingProviderFields: { Severity: severity, Types: [...FINDING_TYPES] },
    Title: clip(text.title, ASFF_LIMITS.title),
    Description: description(record, text),
    Remediation: { Recommendation: { Text: remediationText(record, text) } },
    ProductFields: {
      'bucket-guardrail/auditId': record.id,
      'bucket-guardrail/outcome': record.outcome,
      'bucket-guardrail/trigger': record.trigger,
      ...(record.eventName !== undefined ? { 'bucket-guardrail/eventName': record.eventName } : {}),
      ...(record.eventId !== undefined ? { 'bucket-guardrail/eventId': record.eventId } : {}),
    },
    Resources: [
      {
        Type: 'AwsS3Bucket',
        Id: bucketArn(bucket, target.partition),
        Partition: target.partition,
        Region: record.region,
        Details: {
          AwsS3Bucket: {
            OwnerAccountId: record.account,
            ...(block !== undefined && block !== null
              ? {
                  PublicAccessBlockConfiguration: {
                    BlockPublicAcls: block.BlockPublicAcls === true,
                    IgnorePublicAcls: block.IgnorePublicAcls === true,
                    BlockPublicPolicy: block.BlockPublicPolicy === true,
                    RestrictPublicBuckets: block.RestrictPublicBuckets === true,
                  },
                }
              : {}),
          },
        },
      },
    ],
    Workflow: { Status: workflowStatus(record) },
    Compliance: { Status: complianceStatus(record) },
    RecordState: recordState(record),
  };
}
