/**
 * AuditTrail: the guardrail's record of what it did. A DynamoDB table (one item per remediation, indexes by
 * bucket, outcome and day) and an Object Lock (COMPLIANCE) archive holding a write-once copy of every record,
 * both under one customer managed key, plus the access-log bucket of the archive.
 *
 * Its resources are created in the guardrail's scope (see PublicBucketGuardrail), so paths and logical IDs stay: the table and the
 * archive are retained, so a new ID would orphan them and start an empty audit trail.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_TABLE } from '../lambda/shared/audit/table-schema';
import { ABORT_INCOMPLETE_UPLOADS, newCustomerManagedKey } from './encrypted-resources';
import { acknowledgeControl } from './policy-checks';

export interface AuditTrailProps {
  /** Object Lock COMPLIANCE retention of the archive, in whole days. */
  readonly retentionDays: number;
}

/** Where audit records go: the table, and optionally the archive and the key that encrypts them. */
export interface AuditRecordStore {
  readonly table: dynamodb.ITable;
  /** @default - no archive copy is written */
  readonly archive?: s3.IBucket;
  /** @default - table and archive are not encrypted with a customer managed key */
  readonly key?: kms.IKey;
}

/** `<LogicalId.Arn>` as cdk-nag prints a resource's ARN in an IAM5 finding. */
export function nagArn(resource: Construct): string {
  return `<${Stack.of(resource).resolve((resource.node.defaultChild as CfnResource).logicalId)}.Arn>`;
}

/**
 * Lets `grantee` (the remediator, the sweep worker) record what it did: put, update and read back items of the
 * table (`WriteAuditRecords`: conditional claim and completion, GetItem for a duplicate delivery), decrypt through
 * DynamoDB (`ReadAuditTableKey`), write the archive's audit/ prefix only (`ArchiveAuditRecords`: no reads, no
 * deletes) and encrypt through S3 (`EncryptArchivedRecords`).
 */
export function grantRecordAudit(grantee: iam.IGrantable, store: AuditRecordStore): void {
  const add = (statement: iam.PolicyStatementProps): void => {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement(statement));
  };
  // The key, used only through the service that stores the record.
  const useKeyVia = (sid: string, action: string, service: 'dynamodb' | 's3'): void => {
    if (store.key === undefined) return;
    add({ sid, actions: [action], resources: [store.key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } } });
  };
  add({ sid: 'WriteAuditRecords', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [store.table.tableArn] });
  useKeyVia('ReadAuditTableKey', 'kms:Decrypt', 'dynamodb');
  if (store.archive === undefined) return;
  add({ sid: 'ArchiveAuditRecords', actions: ['s3:PutObject'], resources: [store.archive.arnForObjects('audit/*')] });
  useKeyVia('EncryptArchivedRecords', 'kms:GenerateDataKey', 's3');
  const principal = grantee.grantPrincipal;
  if (principal instanceof Construct) {
    Validations.of(principal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(store.archive)}/audit/*]`,
      reason: 'Audit records are written under generated keys audit/<yyyy>/<mm>/<dd>/<id>.json: s3:PutObject only, under the audit/ prefix only.',
    });
  }
}

export class AuditTrail extends Construct implements AuditRecordStore {
  /** Customer managed key of the table, the archive (and the guardrail's exemptions table). */
  readonly key: kms.Key;
  /** The DynamoDB audit table (key schema: AUDIT_TABLE). */
  readonly table: dynamodb.Table;
  /** The Object Lock (COMPLIANCE) archive holding a write-once copy of every audit record. */
  readonly archive: s3.Bucket;
  /** Server access logs of the archive (and of the guardrail's trail bucket). */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.key = newCustomerManagedKey(scope, 'AuditKey', 'Bucket guardrail audit table and archive');
    this.table = new dynamodb.Table(scope, 'AuditTable', {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(AUDIT_TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: AUDIT_TABLE.timeAttribute, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.accessLogs = new s3.Bucket(scope, 'AccessLogsBucket', {
      // Server access log delivery supports SSE-S3 only on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Object ownership left to CDK: log delivery uses a bucket policy (feature flag
      // @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, set in cdk.json) or, without it, the log-delivery ACL.
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target of the audit archive and trail buckets; logging it into itself would loop.',
    });
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.2', 'This is the server access log target of the audit archive and trail buckets; a bucket cannot log into itself.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.10', 'S3 server access log delivery supports SSE-S3 only on the target bucket; SSE-KMS default encryption would stop log delivery.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.9', 'Access logs are evidence about the archive, not the audit record; the write-once record is the Object Lock archive.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.4', 'Nothing consumes object events of the access logs; S3 writes them, nobody else.');

    this.archive = new s3.Bucket(scope, 'AuditArchive', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'audit-archive/',
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeControl(this.archive, 'CT.S3.PR.4', 'Only the guardrail writes the archive, with create-only conditional writes; the audit table is the index, so nothing consumes object events.');
    // Object Lock protects versions, not keys: a plain PutObject would add a newer version over a record's copy.
    // Every write must be a create-only conditional write (If-None-Match), so a key holds one version, ever.
    this.archive.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPutWithoutIfNoneMatch',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.archive.arnForObjects('*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }

  /** Lets `grantee` write audit records and their archive copies (see grantRecordAudit). */
  grantRecord(grantee: iam.IGrantable): void {
    grantRecordAudit(grantee, this);
  }
}
