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
import { archiveWriteRules, type ArchiveLockMode, type ArchiveLockSettings } from '../lambda/shared/audit/archive-lock';
import { AUDIT_TABLE } from '../lambda/shared/audit/table-schema';
import { ABORT_INCOMPLETE_UPLOADS, newCustomerManagedKey } from './encrypted-resources';
import { acknowledgeControl } from './policy-checks';
import { TABLE_WRITE_ACTIONS, writerBoundaryPolicy } from './writer-boundary';

/** Statement ID of the audit table's resource policy: only the guardrail's writers may write records. */
export const AUDIT_WRITERS_SID = 'DenyAuditWritesExceptWriters';

/** The write actions the audit table's resource policy denies to everyone but the writers. */
export const AUDIT_WRITE_ACTIONS = TABLE_WRITE_ACTIONS;

/** Stands in for "nobody" when no writer is registered: an ARN in an account that cannot exist. */
export const NO_AUDIT_WRITER_ARN = 'arn:aws:iam::000000000000:role/bucket-guardrail-no-audit-writer';

export interface AuditTrailProps {
  /** Object Lock retention of the archive, in whole days. */
  readonly retentionDays: number;
  /**
   * Object Lock mode of the archive: its default retention, the mode every copy is written with (explicitly, with a
   * retain-until date `retentionDays` after the write) and the mode the bucket policy requires of every write.
   * NONE: no default retention, copies written without a lock, no such policy.
   * @default 'COMPLIANCE'
   */
  readonly lockMode?: ArchiveLockMode;
  /**
   * Empty the buckets when the stack deletes them (a trial; see lib/teardown.ts).
   * @default false - the buckets are retained with their contents
   */
  readonly autoDeleteObjects?: boolean;
}

function defaultRetention(lockMode: AuditTrailProps['lockMode'], days: number): s3.ObjectLockRetention | undefined {
  switch (lockMode ?? 'COMPLIANCE') {
    case 'COMPLIANCE':
      return s3.ObjectLockRetention.compliance(Duration.days(days));
    case 'GOVERNANCE':
      return s3.ObjectLockRetention.governance(Duration.days(days));
    case 'NONE':
      return undefined;
  }
}

/** Where audit records go: the table, and optionally the archive and the key that encrypts them. */
export interface AuditRecordStore {
  readonly table: dynamodb.ITable;
  /** @default - no archive copy is written */
  readonly archive?: s3.IBucket;
  /** @default - table and archive are not encrypted with a customer managed key */
  readonly key?: kms.IKey;
  /**
   * How the archive's copies are locked: with a mode, writers also get s3:PutObjectRetention, which S3 requires
   * of a PutObject that sets a retention mode and retain-until date.
   * @default - copies are written without lock headers
   */
  readonly archiveLock?: ArchiveLockSettings;
  /**
   * Lets a role past the table's write deny (AuditTrail's resource policy).
   * @default - the table has no such policy
   */
  addWriter?(roleArn: string): void;
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
  const role = grantee.grantPrincipal as Partial<iam.IRole>;
  if (store.addWriter !== undefined && typeof role.roleArn === 'string') store.addWriter(role.roleArn);
  useKeyVia('ReadAuditTableKey', 'kms:Decrypt', 'dynamodb');
  if (store.archive === undefined) return;
  const locked = store.archiveLock !== undefined && store.archiveLock.mode !== 'NONE';
  add({ sid: 'ArchiveAuditRecords', actions: ['s3:PutObject', ...(locked ? ['s3:PutObjectRetention'] : [])], resources: [store.archive.arnForObjects('audit/*')] });
  useKeyVia('EncryptArchivedRecords', 'kms:GenerateDataKey', 's3');
  const principal = grantee.grantPrincipal;
  if (principal instanceof Construct) {
    Validations.of(principal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(store.archive)}/audit/*]`,
      reason:
        'Audit records are written under generated keys audit/<yyyy>/<mm>/<dd>/<id>.json: s3:PutObject (and s3:PutObjectRetention, which S3 requires to write them locked) only, under the audit/ prefix only.',
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
  /** How every archive copy is locked: the writers send this mode and retention, the bucket policy requires them. */
  readonly archiveLock: ArchiveLockSettings;

  /** Role ARNs (patterns) the table's resource policy lets write: the remediator, the sweep worker, operators. */
  private readonly writerArns: string[] = [];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.key = newCustomerManagedKey(scope, 'AuditKey', 'Bucket guardrail audit table and archive');
    this.table = new dynamodb.Table(scope, 'AuditTable', {
      // Like the exemptions table: an explicit deny of every write to every principal but the registered writers,
      // which no identity policy in the account (an administrator's included) can override. `verify` still checks
      // every record against its archive copy; this keeps the records from being rewritten in the first place.
      resourcePolicy: writerBoundaryPolicy({ sid: AUDIT_WRITERS_SID, writers: () => this.writerArns, nobody: NO_AUDIT_WRITER_ARN }),
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
      ...(props.autoDeleteObjects === true ? { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true } : {}),
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target of the audit archive and trail buckets; logging it into itself would loop.',
    });
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.2', 'This is the server access log target of the audit archive and trail buckets; a bucket cannot log into itself.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.10', 'S3 server access log delivery supports SSE-S3 only on the target bucket; SSE-KMS default encryption would stop log delivery.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.9', 'Access logs are evidence about the archive, not the audit record; the write-once record is the Object Lock archive.');
    acknowledgeControl(this.accessLogs, 'CT.S3.PR.4', 'Nothing consumes object events of the access logs; S3 writes them, nobody else.');

    const lockMode = props.lockMode ?? 'COMPLIANCE';
    this.archiveLock = lockMode === 'NONE' ? { mode: 'NONE' } : { mode: lockMode, retentionDays: props.retentionDays };
    const retention = defaultRetention(props.lockMode, props.retentionDays);
    this.archive = new s3.Bucket(scope, 'AuditArchive', {
      objectLockEnabled: true,
      ...(retention !== undefined ? { objectLockDefaultRetention: retention } : {}),
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
      ...(props.autoDeleteObjects === true ? { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true } : {}),
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
    // Every copy carries the deployment's lock explicitly (mode and retain-until date), not the bucket's default
    // retention, which whoever may change the bucket's Object Lock configuration could shorten for later writes.
    for (const rule of archiveWriteRules(this.archiveLock)) {
      this.archive.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: rule.sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [this.archive.arnForObjects('*')],
          conditions: rule.conditions,
        }),
      );
    }
  }

  /** Adds a role ARN (pattern) to the writers the table's resource policy lets through. */
  addWriter(roleArn: string): void {
    if (!this.writerArns.includes(roleArn)) this.writerArns.push(roleArn);
  }

  /** Lets `grantee` write audit records and their archive copies (see grantRecordAudit). */
  grantRecord(grantee: iam.IGrantable): void {
    grantRecordAudit(grantee, this);
  }
}
