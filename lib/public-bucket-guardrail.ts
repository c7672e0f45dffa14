/**
 * PublicBucketGuardrail: routes every S3 exposure event in this region's default bus to the remediator,
 * with an encrypted alert topic, a write-once audit store, failure queues, alarms and a dashboard.
 *
 * Construct IDs are a contract: renaming one replaces the resource (and, for the retained table and
 * archive, orphans the old one). Do not rename them.
 */
import { Aws, Duration, Lazy, Names, RemovalPolicy, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  REMEDIATE_ENV,
  REMEDIATION_MODES,
  REMEDIATION_STRATEGIES,
  toRemediateEnvironment,
  validateExemption,
  type Exemption,
  type RemediationMode,
  type RemediationStrategy,
} from '../lambda/remediate/environment';
import { AUDIT_TABLE } from '../lambda/shared/audit/table-schema';
import { EXEMPTIONS_TABLE } from '../lambda/shared/exemptions/exemptions-table';
import {
  AUDIT_RETENTION_DAYS_RANGE,
  GUARDRAIL_DEFAULTS,
  REMEDIATE_SERVICE_NAME,
  RESERVED_CONCURRENCY_RANGE,
  SWEEP_CONCURRENCY_RANGE,
} from './defaults';
import { exposureEventPattern, type RawEventPattern } from './exposure-events';
import { newAlertTopic, newCustomerManagedKey, newFailureQueue, newQueuesKey } from './encrypted-resources';
import { GuardrailSweep, sweepScheduleExpression } from './guardrail-sweep';
import { LAMBDA_ESBUILD, LAMBDA_NODE_OPTIONS } from './lambda-bundling';
import { lambdaCodeProps } from './lambda-code';
import { remediatorS3Actions } from './remediator-permissions';
import { checkEmail, checkIntegerInRange, checkMetricsNamespace, checkRegion, checkRoleArn, checkSensitiveTagKey } from './validation';
import { CROSS_ACCOUNT_ENV } from '../lambda/shared/aws/assume-role';
import { checkOrganizationId, checkRoleName } from './organization/organization-settings';

/** The metric names the remediator publishes through Powertools (namespace from props, `service` dimension). */
export const REMEDIATE_METRICS = {
  remediated: 'Remediated',
  failed: 'Failed',
  ignored: 'Ignored',
  timeToContainMs: 'TimeToContainMs',
  verdictDisagreement: 'VerdictDisagreement',
} as const;

/** Statement ID of the exemptions table's resource policy: only the named writers may change exemptions. */
export const EXEMPTION_WRITERS_SID = 'DenyExemptionWritesExceptNamedWriters';

/** The write actions the exemptions table's resource policy denies to everyone but the named writers. */
export const EXEMPTION_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * Stands in for "nobody" in the writers condition when no writer is named: an ARN in an account that cannot
 * exist, so the condition is never empty and the deny covers every principal.
 */
export const NO_EXEMPTION_WRITER_ARN = 'arn:aws:iam::000000000000:role/bucket-guardrail-no-exemption-writer';

/** Operator audit records (restore, exempt) have ids `op-<uuid>`; the remediator's and the sweep's never do. */
export const OPERATOR_RECORD_ID_PATTERN = 'op-*';

/** How EventBridge and Lambda retry before an event lands in a queue. */
export const DELIVERY_RETRIES = {
  /** EventBridge → Lambda delivery (throttled or failed Invoke calls). */
  ruleTargetRetryAttempts: 8,
  ruleTargetMaxEventAge: Duration.hours(2),
  /** Lambda's own asynchronous retries of a failed invocation (0-2). */
  functionRetryAttempts: 2,
  functionMaxEventAge: Duration.hours(1),
} as const;

export interface PublicBucketGuardrailProps {
  /**
   * `enforce` contains public buckets; `report-only` changes nothing and reports what it would have done.
   * @default 'enforce'
   */
  readonly remediationMode?: RemediationMode;

  /**
   * `block-public-access` turns on the bucket's four Block Public Access settings (reversible, removes
   * nothing); `strip-public-grants` also removes the public ACL grants and policy statements and grants
   * the function s3:PutBucketAcl, s3:PutBucketPolicy and s3:DeleteBucketPolicy.
   * @default 'block-public-access'
   */
  readonly remediationStrategy?: RemediationStrategy;

  /**
   * Reviewed exceptions: matching buckets are left alone (and recorded as `exempt`) until `expires`.
   * @default - no exemptions
   */
  readonly exemptions?: readonly Exemption[];

  /**
   * Tag keys that mark a bucket as holding sensitive data; alerts for such buckets are one level more severe.
   * @default - no sensitive tag keys
   */
  readonly sensitiveTagKeys?: readonly string[];

  /**
   * Restore all four account-level Block Public Access settings after an account-level event weakens them
   * (grants s3:PutAccountPublicAccessBlock).
   * @default false
   */
  readonly enforceAccountBlockPublicAccess?: boolean;

  /**
   * Topic for alerts and alarms. If it is encrypted, pass its key as `alertTopicKey` so the function may use it.
   * @default - a new topic encrypted with a new customer managed key that CloudWatch alarms may use
   */
  readonly alertTopic?: sns.ITopic;

  /**
   * The key of an `alertTopic` you pass; the function is granted kms:GenerateDataKey and kms:Decrypt on it.
   * @default - `alertTopic.masterKey` if the topic has one, else none
   */
  readonly alertTopicKey?: kms.IKey;

  /**
   * Email addresses subscribed to the alert topic (each must confirm the subscription).
   * @default - no subscriptions
   */
  readonly alertEmails?: readonly string[];

  /**
   * Object Lock COMPLIANCE retention of the audit archive: nobody, root included, can delete or
   * overwrite a record before it ends. Whole days from 1 to 36,500.
   * @default Duration.days(365)
   */
  readonly auditRetention?: Duration;

  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Reserved concurrency of the remediator: bounds its S3 call rate and any runaway loop (1 to 1,000).
   * @default 10
   */
  readonly reservedConcurrency?: number;

  /**
   * CloudWatch namespace of the remediator's metrics.
   * @default 'BucketGuardrail'
   */
  readonly metricsNamespace?: string;

  /**
   * Create a multi-region CloudTrail trail (log file validation, KMS, private bucket with access logs).
   * EventBridge only receives these events while some trail logs management events; most organizations
   * already have one.
   * @default false
   */
  readonly createTrail?: boolean;

  /**
   * The event bus the rule listens on, for example the central bus member accounts forward their events to.
   * @default - this region's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Organization-wide operation: the remediator may assume `memberRoleName` in any account of the organization
   * (sts:AssumeRole on `arn:<partition>:iam::*:role/<memberRoleName>` where `aws:ResourceOrgID` is
   * `organizationId`), and its environment names the role (MEMBER_ROLE_NAME, ORGANIZATION_ID).
   * @default - single account: no cross-account permission
   */
  readonly crossAccount?: { readonly memberRoleName: string; readonly organizationId: string };

  /**
   * The sweep (GuardrailSweep): every bucket through the remediation pipeline on `sweepSchedule`, once after every
   * deploy, and when the account-level Block Public Access setting changes. Turn off only where another
   * mechanism re-checks existing buckets.
   * @default true
   */
  readonly sweep?: boolean;

  /**
   * When the regular sweep runs: `rate(...)` or `cron(...)` (six fields) as a string, or a
   * `scheduler.ScheduleExpression`. One-time `at(...)` schedules are refused.
   * @default 'rate(6 hours)'
   */
  readonly sweepSchedule?: string | scheduler.ScheduleExpression;

  /**
   * Sweep workers at once (2 to 1,000); each checks one bucket at a time, so this bounds the sweep's S3 calls in flight.
   * @default 16
   */
  readonly sweepConcurrency?: number;

  /**
   * Every region whose events reach this guardrail; each sweep checks that a CloudTrail trail feeds it in each.
   * @default - this stack's region only
   */
  readonly coveredRegions?: readonly string[];

  /**
   * IAM role ARNs (a path and `*` wildcards allowed) that may write the exemptions table. Its resource policy denies
   * PutItem, UpdateItem, DeleteItem, BatchWriteItem and PartiQL writes to every other principal, administrators
   * included; roles passed to `grantManageExemptions` are added. They still need an identity policy
   * (`grantManageExemptions`) to write.
   * @default - nobody can write exemptions: `bucket-guardrail exempt` and `restore` fail with AccessDenied
   */
  readonly exemptionWriterRoleArns?: readonly string[];
}

/** A prop value is invalid; the message shows the value and the fix. */
export class GuardrailPropsError extends Error {
  constructor(
    readonly prop: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`PublicBucketGuardrail ${prop}: ${message}`, options);
    this.name = 'GuardrailPropsError';
  }
}

interface ValidatedProps {
  readonly mode: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  readonly sensitiveTagKeys: readonly string[];
  readonly enforceAccountBlockPublicAccess: boolean;
  readonly alertEmails: readonly string[];
  readonly auditRetentionDays: number;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrency: number;
  readonly metricsNamespace: string;
  readonly createTrail: boolean;
  readonly sweep: boolean;
  readonly sweepSchedule: scheduler.ScheduleExpression;
  readonly sweepConcurrency: number;
  readonly coveredRegions?: readonly string[];
  readonly exemptionWriterRoleArns: readonly string[];
}

function validateProps(props: PublicBucketGuardrailProps): ValidatedProps {
  const mode = props.remediationMode ?? GUARDRAIL_DEFAULTS.remediationMode;
  if (!(REMEDIATION_MODES as readonly string[]).includes(mode)) {
    throw new GuardrailPropsError('remediationMode', `"${mode}" is not one of ${REMEDIATION_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  const strategy = props.remediationStrategy ?? GUARDRAIL_DEFAULTS.remediationStrategy;
  if (!(REMEDIATION_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new GuardrailPropsError(
      'remediationStrategy',
      `"${strategy}" is not one of ${REMEDIATION_STRATEGIES.map((s) => `'${s}'`).join(', ')}`,
    );
  }
  const exemptions = (props.exemptions ?? []).map((exemption, index) => {
    try {
      return validateExemption(exemption, `exemptions[${index}]`);
    } catch (error) {
      throw new GuardrailPropsError('exemptions', error instanceof Error ? error.message : String(error), { cause: error });
    }
  });
  const sensitiveTagKeys = props.sensitiveTagKeys ?? [];
  sensitiveTagKeys.forEach((key, index) => {
    const problem = checkSensitiveTagKey(key);
    if (problem) throw new GuardrailPropsError(`sensitiveTagKeys[${index}]`, problem);
  });
  const alertEmails = props.alertEmails ?? [];
  alertEmails.forEach((email, index) => {
    const problem = checkEmail(email);
    if (problem) throw new GuardrailPropsError(`alertEmails[${index}]`, problem);
  });
  const retention = props.auditRetention ?? Duration.days(GUARDRAIL_DEFAULTS.auditRetentionDays);
  const auditRetentionDays = retention.toHours() / 24;
  const retentionProblem = checkIntegerInRange(auditRetentionDays, AUDIT_RETENTION_DAYS_RANGE);
  if (retentionProblem) {
    throw new GuardrailPropsError(
      'auditRetention',
      `${retention.toHumanString()} is not whole days from ${AUDIT_RETENTION_DAYS_RANGE.min} to ${AUDIT_RETENTION_DAYS_RANGE.max}; use Duration.days(365)`,
    );
  }
  const reservedConcurrency = props.reservedConcurrency ?? GUARDRAIL_DEFAULTS.reservedConcurrency;
  const concurrencyProblem = checkIntegerInRange(reservedConcurrency, RESERVED_CONCURRENCY_RANGE);
  if (concurrencyProblem) {
    throw new GuardrailPropsError('reservedConcurrency', `${concurrencyProblem}; use for example ${GUARDRAIL_DEFAULTS.reservedConcurrency}`);
  }
  const metricsNamespace = props.metricsNamespace ?? GUARDRAIL_DEFAULTS.metricsNamespace;
  const namespaceProblem = checkMetricsNamespace(metricsNamespace);
  if (namespaceProblem) throw new GuardrailPropsError('metricsNamespace', namespaceProblem);
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  if (logRetention === logs.RetentionDays.INFINITE) {
    throw new GuardrailPropsError('logRetention', 'INFINITE keeps logs forever; choose a period such as logs.RetentionDays.ONE_YEAR');
  }
  const { expression: sweepSchedule, problem: scheduleProblem } = sweepScheduleExpression(props.sweepSchedule);
  if (scheduleProblem !== undefined) throw new GuardrailPropsError('sweepSchedule', scheduleProblem);
  const sweepConcurrency = props.sweepConcurrency ?? GUARDRAIL_DEFAULTS.sweepConcurrency;
  const sweepConcurrencyProblem = checkIntegerInRange(sweepConcurrency, SWEEP_CONCURRENCY_RANGE);
  if (sweepConcurrencyProblem) {
    throw new GuardrailPropsError(
      'sweepConcurrency',
      `${sweepConcurrencyProblem} (the SQS event source's maxConcurrency); use for example ${GUARDRAIL_DEFAULTS.sweepConcurrency}`,
    );
  }
  (props.coveredRegions ?? []).forEach((region, index) => {
    const problem = Token.isUnresolved(region) ? undefined : checkRegion(region);
    if (problem) throw new GuardrailPropsError(`coveredRegions[${index}]`, problem);
  });
  const exemptionWriterRoleArns = props.exemptionWriterRoleArns ?? [];
  exemptionWriterRoleArns.forEach((arn, index) => {
    const problem = Token.isUnresolved(arn) ? undefined : checkRoleArn(arn);
    if (problem) throw new GuardrailPropsError(`exemptionWriterRoleArns[${index}]`, problem);
  });
  return {
    mode,
    strategy,
    exemptions,
    sensitiveTagKeys,
    enforceAccountBlockPublicAccess: props.enforceAccountBlockPublicAccess ?? GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess,
    alertEmails,
    auditRetentionDays,
    logRetention,
    reservedConcurrency,
    metricsNamespace,
    createTrail: props.createTrail ?? GUARDRAIL_DEFAULTS.createTrail,
    sweep: props.sweep ?? GUARDRAIL_DEFAULTS.sweep,
    sweepSchedule,
    sweepConcurrency,
    ...(props.coveredRegions !== undefined && props.coveredRegions.length > 0 ? { coveredRegions: props.coveredRegions } : {}),
    exemptionWriterRoleArns,
  };
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

/** A Lambda on-failure destination whose permissions the construct grants itself, exactly. */
class QueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

export class PublicBucketGuardrail extends Construct {
  /** The topic alerts and alarms go to. */
  readonly alertTopic: sns.ITopic;
  /** The DynamoDB audit table (key schema: AUDIT_TABLE). */
  readonly auditTable: dynamodb.Table;
  /** The Object Lock (COMPLIANCE) archive holding a write-once copy of every audit record. */
  readonly auditArchive: s3.Bucket;
  /** Customer managed key of the audit table, the exemptions table and the archive. */
  readonly auditKey: kms.Key;
  /**
   * Exemptions written with `bucket-guardrail exempt` (partition key EXEMPTIONS_TABLE.partitionKey, no TTL). Its
   * resource policy denies writes to everyone but `exemptionWriterRoleArns` and roles given `grantManageExemptions`.
   */
  readonly exemptionsTable: dynamodb.Table;
  /** The sweep, unless `sweep` is false. */
  readonly sweep?: GuardrailSweep;
  readonly remediateFunction: lambdaNodejs.NodejsFunction;
  /** The rule on this region's default bus that routes exposure events to the remediator. */
  readonly rule: events.Rule;
  /** Events EventBridge could not deliver to the function. */
  readonly eventDeadLetterQueue: sqs.Queue;
  /** Invocations that failed after Lambda's retries. */
  readonly failureQueue: sqs.Queue;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;
  /** The trail, when `createTrail` is on. */
  readonly trail?: cloudtrail.Trail;
  readonly metricsNamespace: string;
  /** The rule's event pattern as EventBridge stores it. */
  readonly eventPattern: RawEventPattern;
  /** The bus the rule listens on, when it is not the default bus. */
  readonly eventBus?: events.IEventBus;
  /** ARN patterns the exemptions table's resource policy lets write (props plus roles given grantManageExemptions). */
  private readonly exemptionWriterArns: string[];

  constructor(scope: Construct, id: string, props: PublicBucketGuardrailProps = {}) {
    super(scope, id);
    const settings = validateProps(props);
    const stack = Stack.of(this);
    this.metricsNamespace = settings.metricsNamespace;

    // ---- Alerts: an SSL-only topic under a customer managed key that CloudWatch alarms may use.
    let alertTopicKey = props.alertTopicKey ?? props.alertTopic?.masterKey;
    if (props.alertTopic) {
      this.alertTopic = props.alertTopic;
    } else {
      const created = newAlertTopic(this, { key: 'AlertsKey', topic: 'AlertTopic' }, 'S3 bucket guardrail');
      this.alertTopic = created.topic;
      alertTopicKey = created.key;
    }
    settings.alertEmails.forEach((email) => this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email)));

    // ---- Failure queues: SSL-only, under a customer managed key EventBridge may use for its DLQ.
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    // A rule on a custom bus has the ARN …:rule/<bus name>/<rule name>.
    this.eventBus = props.eventBus;
    const ruleArn = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: props.eventBus ? `${props.eventBus.eventBusName}/${ruleName}` : ruleName,
    });
    const queuesKey = newQueuesKey(this, 'QueuesKey', 'Bucket guardrail failure queues', ruleArn);
    this.eventDeadLetterQueue = newFailureQueue(this, 'EventDeadLetterQueue', queuesKey);
    this.failureQueue = newFailureQueue(this, 'FailureQueue', queuesKey);

    // ---- Audit store: table and Object Lock archive under one customer managed key.
    this.auditKey = newCustomerManagedKey(this, 'AuditKey', 'Bucket guardrail audit table and archive');
    this.auditTable = new dynamodb.Table(this, 'AuditTable', {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.auditKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(AUDIT_TABLE.indexes)) {
      this.auditTable.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: AUDIT_TABLE.timeAttribute, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Exemptions (bucket-guardrail exempt): one item per bucket name or glob, never expired by TTL (an expired
    // exemption stays visible and stops applying at `expires`). Only the named writers may change it: the resource
    // policy denies every write to every other principal, which no identity policy can override.
    this.exemptionWriterArns = [...settings.exemptionWriterRoleArns];
    this.exemptionsTable = new dynamodb.Table(this, 'ExemptionsTable', {
      partitionKey: { name: EXEMPTIONS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.auditKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      resourcePolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: EXEMPTION_WRITERS_SID,
            effect: iam.Effect.DENY,
            principals: [new iam.StarPrincipal()],
            actions: [...EXEMPTION_WRITE_ACTIONS],
            // The table itself: a table's own ARN cannot appear in its resource policy (a circular reference).
            resources: ['*'],
            conditions: {
              ArnNotLike: {
                'aws:PrincipalArn': Lazy.list({
                  produce: () => (this.exemptionWriterArns.length > 0 ? [...this.exemptionWriterArns] : [NO_EXEMPTION_WRITER_ARN]),
                }),
              },
            },
          }),
        ],
      }),
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      // Server access log delivery supports SSE-S3 only on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Object ownership left to CDK: log delivery uses a bucket policy (feature flag
      // @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, set in cdk.json) or, without it, the log-delivery ACL.
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target of the audit archive and trail buckets; logging it into itself would loop.',
    });

    this.auditArchive = new s3.Bucket(this, 'AuditArchive', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(settings.auditRetentionDays)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.auditKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'audit-archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object Lock protects versions, not keys: a plain PutObject would add a newer version over a record's copy.
    // Every write must be a create-only conditional write (If-None-Match), so a key holds one version, ever.
    this.auditArchive.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPutWithoutIfNoneMatch',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.auditArchive.arnForObjects('*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );

    // ---- The remediator: its own role (no managed policies), explicit log group, bounded concurrency.
    const role = new iam.Role(this, 'RemediateRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bucket guardrail remediator: reads bucket exposure settings and turns on Block Public Access',
    });
    const logGroup = new logs.LogGroup(this, 'RemediateLogGroup', {
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const environment = toRemediateEnvironment({
      alertTopicArn: this.alertTopic.topicArn,
      auditTableName: this.auditTable.tableName,
      auditArchiveBucket: this.auditArchive.bucketName,
      mode: settings.mode,
      strategy: settings.strategy,
      exemptions: settings.exemptions,
      selfRoleArn: role.roleArn,
      sensitiveTagKeys: settings.sensitiveTagKeys,
      enforceAccountBlockPublicAccess: settings.enforceAccountBlockPublicAccess,
      exemptionsTableName: this.exemptionsTable.tableName,
    });

    this.remediateFunction = new lambdaNodejs.NodejsFunction(this, 'Remediate', {
      description: 'Contains S3 buckets made public, alerts on-call and writes the audit record',
      ...lambdaCodeProps('remediate', __dirname),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      onFailure: new QueueDestination(this.failureQueue),
      retryAttempts: DELIVERY_RETRIES.functionRetryAttempts,
      maxEventAge: DELIVERY_RETRIES.functionMaxEventAge,
      environment: {
        POWERTOOLS_SERVICE_NAME: REMEDIATE_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
      bundling: {
        target: LAMBDA_ESBUILD.target,
        format: lambdaNodejs.OutputFormat.CJS,
        minify: LAMBDA_ESBUILD.minify,
        sourceMap: LAMBDA_ESBUILD.sourceMap,
        sourcesContent: LAMBDA_ESBUILD.sourcesContent,
        mainFields: [...LAMBDA_ESBUILD.mainFields],
        externalModules: [...LAMBDA_ESBUILD.externalModules],
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
    const fn = this.remediateFunction;
    const environmentSet = new Set<string>();
    const setEnvironment = (name: string): void => {
      const value = environment[name];
      if (value !== undefined) fn.addEnvironment(name, value);
      environmentSet.add(name);
    };

    // Logs: write to its own log group only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    // S3: the exact bucket-level actions, on buckets of this account only; no object access.
    const s3Actions = remediatorS3Actions(settings);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InspectAndContainBuckets',
        actions: [...s3Actions.bucketActions],
        resources: [`arn:${Aws.PARTITION}:s3:::*`],
        conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AccountBlockPublicAccess',
        actions: [...s3Actions.accountActions],
        resources: ['*'],
      }),
    );
    setEnvironment(REMEDIATE_ENV.mode);
    setEnvironment(REMEDIATE_ENV.strategy);
    setEnvironment(REMEDIATE_ENV.enforceAccountBlockPublicAccess);
    setEnvironment(REMEDIATE_ENV.exemptions);
    setEnvironment(REMEDIATE_ENV.sensitiveTagKeys);
    // The rule below leaves out this role's own calls; the handler double-checks with SELF_ROLE_ARN.
    setEnvironment(REMEDIATE_ENV.selfRoleArn);

    // Alerts: publish to this topic only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [this.alertTopic.topicArn] }),
    );
    if (alertTopicKey) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'EncryptAlerts',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [alertTopicKey.keyArn],
        }),
      );
    }
    setEnvironment(REMEDIATE_ENV.alertTopicArn);

    // Audit: write this table's items (conditional claim and completion; GetItem reads back the record of a
    // duplicate delivery) and the archive's audit/ prefix (no reads, no deletes). No ConditionCheckItem needed.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteAuditRecords',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [this.auditTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAuditTableKey',
        actions: ['kms:Decrypt'],
        resources: [this.auditKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    setEnvironment(REMEDIATE_ENV.auditTableName);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveAuditRecords',
        actions: ['s3:PutObject'],
        resources: [this.auditArchive.arnForObjects('audit/*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptArchivedRecords',
        actions: ['kms:GenerateDataKey'],
        resources: [this.auditKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    setEnvironment(REMEDIATE_ENV.auditArchiveBucket);

    // Exemptions: read the whole (small) table with each bucket's state, strongly consistent; no index, no write.
    // Decrypting goes through the ReadAuditTableKey grant above (same key, through DynamoDB).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadExemptions', actions: ['dynamodb:Scan'], resources: [this.exemptionsTable.tableArn] }),
    );
    setEnvironment(REMEDIATE_ENV.exemptionsTableName);

    // Failure destination: send to the failure queue only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [this.failureQueue.queueArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptFailedInvocations',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [queuesKey.keyArn],
      }),
    );

    // Organization-wide: assume the member role in the event's account, for roles inside the organization only.
    if (props.crossAccount) {
      const { memberRoleName, organizationId } = props.crossAccount;
      const roleNameProblem = checkRoleName(memberRoleName);
      if (roleNameProblem) throw new GuardrailPropsError('crossAccount.memberRoleName', roleNameProblem);
      const organizationProblem = checkOrganizationId(organizationId);
      if (organizationProblem) throw new GuardrailPropsError('crossAccount.organizationId', organizationProblem);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRole',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleName}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
        }),
      );
      fn.addEnvironment(CROSS_ACCOUNT_ENV.memberRoleName, memberRoleName);
      fn.addEnvironment(CROSS_ACCOUNT_ENV.organizationId, organizationId);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`,
        reason:
          'The member role has the same name in every member account and accounts join the organization later; the account is a ' +
          'wildcard, narrowed to roles of this organization by aws:ResourceOrgID.',
      });
    }

    const unset = Object.keys(environment).filter((name) => !environmentSet.has(name));
    if (unset.length > 0) {
      throw new GuardrailPropsError('environment', `${unset.join(', ')} from toRemediateEnvironment are not set next to a grant; set them above`);
    }

    // cdk-nag IAM5 findings name the flattened resource, e.g. `<LogicalId.Arn>/audit/*`.
    const arnOf = (resource: Construct): string => `<${stack.resolve((resource.node.defaultChild as CfnResource).logicalId)}.Arn>`;
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]`,
        reason:
          'Any bucket in the account can be made public, so the bucket-level actions name arn:<partition>:s3:::* (bucket actions only, ' +
          'limited to this account by s3:ResourceAccount; no object action is granted).',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          's3:GetAccountPublicAccessBlock and s3:PutAccountPublicAccessBlock have no resource type in the Service Authorization Reference; IAM requires "*".',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnOf(this.auditArchive)}/audit/*]`,
        reason: 'Audit records are written under generated keys audit/<yyyy>/<mm>/<dd>/<id>.json: s3:PutObject only, under the audit/ prefix only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnOf(logGroup)}]`,
        reason: "Lambda creates one log stream per execution environment, with a generated name, inside this function's own log group.",
      },
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to Node.js ${LAMBDA_ESBUILD.target.replace('node', '')}, the runtime the bundle targets and the handler is tested on; move runtime and esbuild target together.`,
    });

    // ---- The sweep: every bucket through the same pipeline, on a schedule, after each deploy and on account changes.
    if (settings.sweep) {
      this.sweep = new GuardrailSweep(this, 'Sweep', {
        alertTopic: this.alertTopic,
        ...(alertTopicKey !== undefined ? { alertTopicKey } : {}),
        auditTable: this.auditTable,
        auditArchiveBucket: this.auditArchive,
        auditKey: this.auditKey,
        encryptionKey: queuesKey,
        remediation: { mode: settings.mode, strategy: settings.strategy, exemptions: settings.exemptions, sensitiveTagKeys: settings.sensitiveTagKeys },
        ...(settings.coveredRegions !== undefined ? { regions: settings.coveredRegions } : {}),
        schedule: settings.sweepSchedule,
        concurrency: settings.sweepConcurrency,
        selfRoles: [role],
        exemptionsTable: this.exemptionsTable,
        logRetention: settings.logRetention,
        metricsNamespace: settings.metricsNamespace,
        ...(props.eventBus !== undefined ? { eventBus: props.eventBus } : {}),
        ...(props.crossAccount !== undefined ? { crossAccount: props.crossAccount } : {}),
      });
    }

    // ---- The rule: exposure events on this region's default bus, minus our own calls (remediator and sweep worker).
    this.eventPattern = exposureEventPattern({
      excludeRoleArns: [role.roleArn, ...(this.sweep !== undefined ? [this.sweep.workerRole.roleArn] : [])],
    });
    this.rule = new events.Rule(this, 'ExposureRule', {
      ruleName,
      eventBus: props.eventBus,
      description: 'S3 calls that can make a bucket public, routed to the bucket guardrail remediator',
      eventPattern: {
        source: [...this.eventPattern.source],
        detailType: [...this.eventPattern['detail-type']],
        detail: this.eventPattern.detail as Record<string, unknown>,
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(fn, {
        deadLetterQueue: this.eventDeadLetterQueue,
        retryAttempts: DELIVERY_RETRIES.ruleTargetRetryAttempts,
        maxEventAge: DELIVERY_RETRIES.ruleTargetMaxEventAge,
      }),
    );
    for (const queue of [this.eventDeadLetterQueue, this.failureQueue]) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (of the rule target or the function); it is alarmed, not redriven.',
      });
    }

    // ---- Alarms, to the alert topic.
    const alarmAction = new cloudwatchActions.SnsAction(this.alertTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(alarmAction);
      return created;
    };
    const fiveMinutes = Duration.minutes(5);
    this.alarms = [
      alarm(
        'EventDeadLetterQueueAlarm',
        this.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        'Exposure events EventBridge could not deliver to the remediator are waiting in the dead-letter queue.',
      ),
      alarm(
        'FailureQueueAlarm',
        this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        'Remediator invocations failed after all retries; the events are in the failure queue.',
      ),
      alarm(
        'RemediateErrorsAlarm',
        fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        'The remediator function raised errors; exposures may be uncontained.',
      ),
      alarm(
        'RuleFailedInvocationsAlarm',
        this.metricRuleFailedInvocations({ period: fiveMinutes, label: undefined }),
        'EventBridge failed to invoke the remediator for exposure events.',
      ),
      // The sweep's own alarm (its dead-letter queue), on the same topic.
      ...(this.sweep !== undefined ? [this.sweep.deadLetterAlarm] : []),
      ...(this.sweep?.accountChangeDeadLetterAlarm !== undefined ? [this.sweep.accountChangeDeadLetterAlarm] : []),
    ];

    // ---- Dashboard.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Events received',
            left: [this.metricEventsReceived(), this.metricRuleFailedInvocations()],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Outcomes',
            left: [this.metricRemediated(), this.metricFailed(), this.metricIgnored()],
            stacked: true,
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Time to contain (ms)',
            left: [
              this.metricTimeToContain({ statistic: 'p50', label: 'p50' }),
              this.metricTimeToContain({ statistic: 'p99', label: 'p99' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Failures',
            left: [
              fn.metricErrors({ statistic: 'Sum', label: 'Function errors' }),
              fn.metricThrottles({ statistic: 'Sum', label: 'Function throttles' }),
              this.metricFailed({ label: 'Failed remediations' }),
              this.metric(REMEDIATE_METRICS.verdictDisagreement, { label: 'Verdict disagreements' }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queue depth',
            left: [
              this.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Event dead-letter queue' }),
              this.failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Failure queue' }),
            ],
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 12 }),
        ],
        ...(this.sweep !== undefined ? [this.sweepWidgets(this.sweep)] : []),
      ],
    });

    // ---- Optional trail: multi-region, validated, KMS-encrypted, private bucket with access logs.
    if (settings.createTrail) {
      const trailKey = newCustomerManagedKey(this, 'TrailKey', 'Bucket guardrail CloudTrail log files');
      trailKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudTrailToEncryptLogs',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
          },
        }),
      );
      trailKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudTrailToDescribeKey',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
        }),
      );
      const trailBucket = new s3.Bucket(this, 'TrailBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'trail/',
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.trail = new cloudtrail.Trail(this, 'Trail', {
        bucket: trailBucket,
        encryptionKey: trailKey,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableFileValidation: true,
        managementEvents: cloudtrail.ReadWriteType.ALL,
      });
    }
  }

  /** The dashboard row of the sweep: what it found and did, and how far the current sweep has to go. */
  private sweepWidgets(sweep: GuardrailSweep): cloudwatch.IWidget[] {
    const hourly = { period: Duration.hours(1) };
    return [
      new cloudwatch.GraphWidget({
        title: 'Sweep: buckets',
        left: [
          sweep.metricBucketsChecked(hourly),
          sweep.metricPublicFound(hourly),
          sweep.metricRemediated(hourly),
          sweep.metricFailed(hourly),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sweep: backlog',
        left: [
          sweep.metricBacklog({ statistic: 'Maximum', label: 'Work messages waiting' }),
          sweep.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Sweep dead-letter queue' }),
        ],
        width: 12,
      }),
    ];
  }

  /** A metric the remediator publishes (Powertools, this construct's namespace, `service` = remediate). */
  metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: REMEDIATE_SERVICE_NAME },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Buckets contained. */
  metricRemediated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.remediated, { label: 'Remediated', ...props });
  }

  /** Remediations that failed (the bucket may still be public). */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.failed, { label: 'Failed', ...props });
  }

  /** Events ignored (malformed, self-inflicted, not an exposure). */
  metricIgnored(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.ignored, { label: 'Ignored', ...props });
  }

  /** Milliseconds from the exposing call to containment. Pass `statistic: 'p50'` / `'p99'`. */
  metricTimeToContain(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.timeToContainMs, { statistic: 'p50', ...props });
  }

  /** Exposure events the rule matched and sent to the remediator. */
  metricEventsReceived(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'Invocations',
      dimensionsMap: this.ruleMetricDimensions(),
      statistic: 'Sum',
      period: Duration.minutes(5),
      label: 'Events received',
      ...props,
    });
  }

  /** EventBridge metrics of a rule on a custom bus carry EventBusName as well as RuleName. */
  private ruleMetricDimensions(): Record<string, string> {
    return this.eventBus
      ? { EventBusName: this.eventBus.eventBusName, RuleName: this.rule.ruleName }
      : { RuleName: this.rule.ruleName };
  }

  /** Times EventBridge failed to invoke the remediator. */
  metricRuleFailedInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: this.ruleMetricDimensions(),
      statistic: 'Sum',
      period: Duration.minutes(5),
      label: 'Failed invocations',
      ...props,
    });
  }

  /**
   * Lets a principal read the audit trail (table and its indexes, archive copies, the key to decrypt them),
   * for reviewers and the `bucket-guardrail audit` / `verify` commands. Nothing here allows a write.
   */
  grantReadAudit(grantee: iam.IGrantable): iam.Grant {
    const table = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
      resourceArns: [this.auditTable.tableArn, `${this.auditTable.tableArn}/index/*`],
    });
    const archive = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:ListBucket', 's3:ListBucketVersions'],
      resourceArns: [this.auditArchive.bucketArn, this.auditArchive.arnForObjects('audit/*')],
    });
    // `bucket-guardrail exemptions list`: one strongly consistent Scan of the exemptions table.
    const exemptions = iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Scan'], resourceArns: [this.exemptionsTable.tableArn] });
    const key = iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt'], resourceArns: [this.auditKey.keyArn] });
    const outputs = this.grantDescribeStack(grantee);
    this.acknowledgeGrantFindings(grantee, [
      {
        resource: `${this.nagArn(this.auditTable)}/index/*`,
        reason: 'Reviewers query the audit table through its by-bucket, by-outcome and by-day indexes: read-only, this table\'s indexes only.',
      },
      { resource: `${this.nagArn(this.auditArchive)}/audit/*`, reason: 'Reviewers read the write-once copies under audit/ to verify records: read-only.' },
    ]);
    return table.combine(archive).combine(exemptions).combine(key).combine(outputs);
  }

  /**
   * Lets a principal manage exemptions and undo remediations (`bucket-guardrail exempt`, `exemptions remove`,
   * `restore`): read and write the exemptions table; read any audit record and add operator records (ids `op-…`
   * only, enforced with `dynamodb:LeadingKeys`, so the guardrail's own records can never be overwritten); write
   * operator records' archive copies only (`audit/<yyyy>/<mm>/<dd>/op-*.json`) and read the archive under `audit/`;
   * use the audit key; read this stack's outputs. A role is also added to the table's writers
   * (`exemptionWriterRoleArns`); any other principal must be named there to get past its resource policy.
   *
   * `restore` also needs, on the buckets it may restore (not granted here): s3:GetBucketAcl, s3:GetBucketPolicy,
   * s3:GetBucketPublicAccessBlock, s3:GetBucketOwnershipControls, s3:PutBucketPublicAccessBlock (which also covers
   * removing it), s3:PutBucketPolicy and s3:PutBucketAcl.
   */
  grantManageExemptions(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    if (isRole(principal)) {
      this.exemptionWriterArns.push(principal.roleArn);
    }
    const exemptions = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'],
      resourceArns: [this.exemptionsTable.tableArn],
    });
    const readRecords = iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [this.auditTable.tableArn] });
    const writeOperatorRecords = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem'],
      resourceArns: [this.auditTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [OPERATOR_RECORD_ID_PATTERN] } },
    });
    const archiveOperatorRecords = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.auditArchive.arnForObjects(`audit/*/*/*/${OPERATOR_RECORD_ID_PATTERN}.json`)],
    });
    // restore compares the record with the first version of its archive copy: list the key's versions, read the oldest.
    const readArchive = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:GetObjectVersion'], resourceArns: [this.auditArchive.arnForObjects('audit/*')] });
    const listArchiveVersions = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucketVersions'],
      resourceArns: [this.auditArchive.bucketArn],
      conditions: { StringLike: { 's3:prefix': 'audit/*' } },
    });
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.auditKey.keyArn],
    });
    const outputs = this.grantDescribeStack(grantee);
    this.acknowledgeGrantFindings(grantee, [
      {
        resource: `${this.nagArn(this.auditArchive)}/audit/*/*/*/${OPERATOR_RECORD_ID_PATTERN}.json`,
        reason: 'operator records only; key pattern enforced: archive copies of op-… records under audit/<yyyy>/<mm>/<dd>/, nothing else.',
      },
      {
        resource: `${this.nagArn(this.auditArchive)}/audit/*`,
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

  /** This stack's ARN with its generated ID suffix as `*`. */
  private stackArnPattern(): string {
    const stack = Stack.of(this);
    return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
  }

  /** cloudformation:DescribeStacks on this stack, so the CLI finds the table and archive from the outputs (`--stack`). */
  private grantDescribeStack(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['cloudformation:DescribeStacks'], resourceArns: [this.stackArnPattern()] });
  }

  /** `<LogicalId.Arn>` as cdk-nag prints a resource's ARN in an IAM5 finding. */
  private nagArn(resource: Construct): string {
    return `<${Stack.of(this).resolve((resource.node.defaultChild as CfnResource).logicalId)}.Arn>`;
  }

  /** Acknowledges the IAM5 findings a grant knowingly produces on the grantee, when it is part of this app. */
  private acknowledgeGrantFindings(grantee: iam.IGrantable, findings: ReadonlyArray<{ readonly resource: string; readonly reason: string }>): void {
    const principal = grantee.grantPrincipal;
    if (!(principal instanceof Construct)) return;
    Validations.of(principal).acknowledge(
      ...findings.map(({ resource, reason }) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason })),
      {
        id: `AwsSolutions-IAM5[Resource::${nagResource(Stack.of(this).resolve(this.stackArnPattern()))}]`,
        reason: "The stack's ID suffix is generated at creation; cloudformation:DescribeStacks on this stack's name only, to read its outputs.",
      },
    );
  }
}
