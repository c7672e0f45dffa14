/**
 * What people and the CLI may do with the guardrail's stores: reviewers read the audit trail; operators manage
 * exemptions and undo remediations. PublicBucketGuardrail.grantReadAudit / grantManageExemptions delegate here.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nagArn, type AuditTrail } from './audit-trail';
import type { ExemptionsStore } from './exemptions-store';

/** Operator audit records (restore, exempt) have ids `op-<uuid>`; the remediator's and the sweep's never do. */
export const OPERATOR_RECORD_ID_PATTERN = 'op-*';

/** The stores the grants name, and the stack whose outputs the CLI reads. */
export interface OperatorGrantTargets {
  readonly audit: AuditTrail;
  readonly exemptions: ExemptionsStore;
  readonly stack: Stack;
}

/** Reviewers' and the CLI's read access: see PublicBucketGuardrail.grantReadAudit. */
export function grantReadAudit(targets: OperatorGrantTargets, grantee: iam.IGrantable): iam.Grant {
  const { audit, exemptions } = targets;
  const table = iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
    resourceArns: [audit.table.tableArn, `${audit.table.tableArn}/index/*`],
  });
  const archive = iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:ListBucket', 's3:ListBucketVersions'],
    resourceArns: [audit.archive.bucketArn, audit.archive.arnForObjects('audit/*')],
  });
  // `bucket-guardrail exemptions list`: one strongly consistent Scan of the exemptions table.
  const scan = iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Scan'], resourceArns: [exemptions.table.tableArn] });
  const key = iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt'], resourceArns: [audit.key.keyArn] });
  const outputs = grantDescribeStack(targets.stack, grantee);
  acknowledgeGrantFindings(targets.stack, grantee, [
    {
      resource: `${nagArn(audit.table)}/index/*`,
      reason: 'Reviewers query the audit table through its by-bucket, by-outcome and by-day indexes: read-only, this table\'s indexes only.',
    },
    { resource: `${nagArn(audit.archive)}/audit/*`, reason: 'Reviewers read the write-once copies under audit/ to verify records: read-only.' },
  ]);
  return table.combine(archive).combine(scan).combine(key).combine(outputs);
}

/** Operators' access for `exempt`, `exemptions remove` and `restore`: see PublicBucketGuardrail.grantManageExemptions. */
export function grantManageExemptions(targets: OperatorGrantTargets, grantee: iam.IGrantable): iam.Grant {
  const { audit, exemptions: store } = targets;
  const principal = grantee.grantPrincipal;
  if (isRole(principal)) {
    store.addWriter(principal.roleArn);
    audit.addWriter(principal.roleArn);
  }
  const exemptions = iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'],
    resourceArns: [store.table.tableArn],
  });
  const readRecords = iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [audit.table.tableArn] });
  const writeOperatorRecords = iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:PutItem'],
    resourceArns: [audit.table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [OPERATOR_RECORD_ID_PATTERN] } },
  });
  // Copies are written with the archive's lock mode and retain-until date: S3 requires s3:PutObjectRetention for that.
  const archiveOperatorRecords = iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:PutObject', ...(audit.archiveLock.mode !== 'NONE' ? ['s3:PutObjectRetention'] : [])],
    resourceArns: [audit.archive.arnForObjects(`audit/*/*/*/${OPERATOR_RECORD_ID_PATTERN}.json`)],
  });
  // restore compares the record with the first version of its archive copy: list the key's versions, read the oldest.
  const readArchive = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:GetObjectVersion'], resourceArns: [audit.archive.arnForObjects('audit/*')] });
  const listArchiveVersions = iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucketVersions'],
    resourceArns: [audit.archive.bucketArn],
    conditions: { StringLike: { 's3:prefix': 'audit/*' } },
  });
  const key = iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resourceArns: [audit.key.keyArn] });
  const outputs = grantDescribeStack(targets.stack, grantee);
  acknowledgeGrantFindings(targets.stack, grantee, [
    {
      resource: `${nagArn(audit.archive)}/audit/*/*/*/${OPERATOR_RECORD_ID_PATTERN}.json`,
      reason: 'operator records only; key pattern enforced: archive copies of op-… records under audit/<yyyy>/<mm>/<dd>/, nothing else.',
    },
    {
      resource: `${nagArn(audit.archive)}/audit/*`,
      reason: 'restore checks the record it undoes against the first version of its write-once copy under audit/: s3:GetObject and s3:GetObjectVersion only.',
    },
  ]);
  return exemptions
    .combine(readRecords)
    .combine(writeOperatorRecords)
    .combine(archiveOperatorRecords)
    .combine(readArchive)
    .combine(listArchiveVersions)
    .combine(key)
    .combine(outputs);
}

/** The stack's ARN with its generated ID suffix as `*`. */
function stackArnPattern(stack: Stack): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
}

/** cloudformation:DescribeStacks on the stack, so the CLI finds the table and archive from the outputs (`--stack`). */
function grantDescribeStack(stack: Stack, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['cloudformation:DescribeStacks'], resourceArns: [stackArnPattern(stack)] });
}

/** A resolved resource ARN as cdk-nag prints it in a finding: `{ Ref: X }` → `<X>`, GetAtt → `<X.Attr>`, joins flattened. */
function nagResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return `<${object.Ref}>`;
  if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResource).join(separator);
  }
  return JSON.stringify(value);
}

/** An imported or created role (it has an ARN the table's resource policy can name). */
function isRole(principal: iam.IPrincipal): principal is iam.IRole {
  return typeof (principal as Partial<iam.IRole>).roleArn === 'string' && typeof (principal as Partial<iam.IRole>).roleName === 'string';
}

/** Acknowledges the IAM5 findings a grant knowingly produces on the grantee, when it is part of this app. */
function acknowledgeGrantFindings(
  stack: Stack,
  grantee: iam.IGrantable,
  findings: ReadonlyArray<{ readonly resource: string; readonly reason: string }>,
): void {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof Construct)) return;
  Validations.of(principal).acknowledge(
    ...findings.map(({ resource, reason }) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason })),
    {
      id: `AwsSolutions-IAM5[Resource::${nagResource(stack.resolve(stackArnPattern(stack)))}]`,
      reason: "The stack's ID suffix is generated at creation; cloudformation:DescribeStacks on this stack's name only, to read its outputs.",
    },
  );
}
