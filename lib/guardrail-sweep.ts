/**
 * GuardrailSweep: finds and fixes every public bucket in the account on a schedule, once after every
 * deploy, and whenever the account-level Block Public Access setting changes.
 *
 * A lister Lambda lists the buckets page by page (handing over to its next invocation through the listing
 * queue when its time runs low) and fans pages out to the work queue; worker Lambdas (at most `concurrency`
 * at once) run every bucket through the remediation pipeline and count the results in the progress table;
 * whoever counts the last bucket sends the summary. Both queues and the progress table are KMS-encrypted;
 * messages that keep failing land in a dead-letter queue that raises an alarm.
 */
import * as path from 'node:path';
import { Aws, Duration, Names, RemovalPolicy, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { toRemediateEnvironment, type Exemption, type RemediationMode, type RemediationStrategy } from '../lambda/remediate/environment';
import { DEFAULT_MAX_ATTEMPTS, toListerEnvironment, toWorkerSweepEnvironment } from '../lambda/sweep/environment';
import { ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS, STACK_DEPLOYED_STATUSES } from '../lambda/sweep/messages';
import { DEFAULT_TUNING } from '../lambda/sweep/plan';
import { PROGRESS_TABLE } from '../lambda/sweep/progress-table';
import { GUARDRAIL_DEFAULTS, SWEEP_CONCURRENCY_RANGE } from './defaults';
import { LAMBDA_ESBUILD, LAMBDA_NODE_OPTIONS } from './lambda-bundling';
import { lambdaCodeProps } from './lambda-code';
import { checkOrganizationId, checkRoleName } from './organization/organization-settings';
import { remediatorS3Actions } from './remediator-permissions';
import { checkMetricsNamespace, checkSweepSchedule } from './validation';

export { SWEEP_CONCURRENCY_RANGE } from './defaults';
export { SWEEP_LAMBDA_ENTRIES } from './lambda-bundling';

/** Defaults of GuardrailSweepProps (the same as the app's context defaults). */
export const SWEEP_DEFAULTS = {
  schedule: GUARDRAIL_DEFAULTS.sweepSchedule,
  concurrency: GUARDRAIL_DEFAULTS.sweepConcurrency,
  metricsNamespace: GUARDRAIL_DEFAULTS.metricsNamespace,
} as const;

/** Powertools service names: the `service` dimension of the sweep's metrics. */
export const SWEEP_SERVICE_NAMES = { lister: 'sweep-list', worker: 'sweep-work' } as const;

/** Metric names the sweep publishes (worker: per bucket; the pipeline's own under the worker's service). */
export const SWEEP_METRICS = {
  bucketsChecked: 'SweepBucketsChecked',
  publicFound: 'SweepPublicFound',
  messagesRetried: 'SweepMessagesRetried',
  remediated: 'Remediated',
  failed: 'Failed',
} as const;

const LISTER_TIMEOUT = Duration.minutes(5);
const WORKER_TIMEOUT = Duration.minutes(5);

/** What the worker does to a public bucket: the remediator's settings, shared with the event path. */
export interface SweepRemediationSettings {
  readonly mode: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  readonly sensitiveTagKeys: readonly string[];
}

export interface GuardrailSweepProps {
  /** Where the summary, blindness and per-bucket alerts go: the guardrail's topic. */
  readonly alertTopic: sns.ITopic;
  /** The audit table the remediation pipeline writes one record per changed or failed bucket to. */
  readonly auditTable: dynamodb.ITable;
  /**
   * The write-once archive for audit records.
   * @default - no archive copy is written
   */
  readonly auditArchiveBucket?: s3.IBucket;
  /** Encrypts both queues, the dead-letter queue and the progress table. */
  readonly encryptionKey: kms.IKey;
  /**
   * The key of `alertTopic`, when it is encrypted with a customer managed key: the Lambdas get
   * kms:Decrypt and kms:GenerateDataKey on it to publish.
   * @default - the topic is not encrypted with a customer managed key
   */
  readonly alertTopicKey?: kms.IKey;
  /**
   * The key of the audit table and archive: the worker gets kms:Decrypt through DynamoDB and
   * kms:GenerateDataKey through S3, as the remediator does.
   * @default - the audit table and archive are not encrypted with a customer managed key
   */
  readonly auditKey?: kms.IKey;
  /** The remediation the worker applies: the same settings as the remediator's. */
  readonly remediation: SweepRemediationSettings;
  /**
   * Regions whose CloudTrail coverage every sweep checks (the guardrail's covered regions).
   * @default - the stack's region only
   */
  readonly regions?: readonly string[];
  /**
   * When the regular sweep runs: an EventBridge Scheduler expression string, `rate(...)` or `cron(...)` (six
   * fields), or a `scheduler.ScheduleExpression` (its time zone is kept). One-time `at(...)` schedules are refused.
   * @default 'rate(6 hours)'
   */
  readonly schedule?: string | scheduler.ScheduleExpression;
  /**
   * Worker invocations running at once (the work queue's event source maxConcurrency, 2–1000). Each worker
   * checks one bucket at a time, so this bounds the S3 calls in flight.
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * Roles of the guardrail itself (the remediator's): their account-level changes start no sweep, and their
   * calls are never named as the call that exposed a bucket. The worker's own role is always included.
   * @default - only the worker's role
   */
  readonly selfRoles?: readonly iam.IRole[];
  /**
   * Sweep once after every deployment: a CDK trigger after the stack is created, then an EventBridge rule on this
   * region's default bus for every UPDATE_COMPLETE of this stack.
   * @default true
   */
  readonly sweepAfterDeploy?: boolean;
  /**
   * Sweep when the account-level Block Public Access setting changes (an EventBridge rule on the default bus).
   * @default true
   */
  readonly sweepOnAccountChange?: boolean;
  /**
   * Write an audit record (and its write-once archive copy) for every bucket a sweep finds private, not only
   * for buckets it finds public, exempt or unreadable. At a million buckets and a sweep every 6 hours that
   * is four million records a day; the summary alert counts private buckets either way.
   * @default false
   */
  readonly recordPrivateBuckets?: boolean;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'BucketGuardrail' */
  readonly metricsNamespace?: string;
  /**
   * The exemptions table (`bucket-guardrail exempt`): the worker reads it with each bucket's state, like the
   * remediator (EXEMPTIONS_TABLE_NAME, dynamodb:Scan on this table only). Pass `auditKey` when it is encrypted with it.
   * @default - only `remediation.exemptions` apply
   */
  readonly exemptionsTable?: dynamodb.ITable;
  /**
   * The bus whose account-level Block Public Access events start a sweep (the guardrail's, e.g. the central bus
   * member accounts forward to).
   * @default - this region's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Organization-wide sweep: the lister lists the organization's ACTIVE accounts (organizations:ListAccounts) and
   * both Lambdas assume `memberRoleName` in each of them (sts:AssumeRole on `arn:<partition>:iam::*:role/<name>`
   * where `aws:ResourceOrgID` is `organizationId`). ListAccounts only answers in the management account or in
   * an account registered as a delegated administrator for an AWS Organizations service.
   * @default - this account only
   */
  readonly crossAccount?: { readonly memberRoleName: string; readonly organizationId: string };
}

/** Invalid GuardrailSweep props: says which, the bad value and the fix. */
export class GuardrailSweepPropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailSweepPropsError';
  }
}

/** The schedule as an expression, validated (a token, such as a parameter, is taken as it is). */
export function sweepScheduleExpression(schedule: string | scheduler.ScheduleExpression | undefined): { expression: scheduler.ScheduleExpression; problem?: string } {
  const expression =
    schedule === undefined
      ? scheduler.ScheduleExpression.expression(SWEEP_DEFAULTS.schedule)
      : typeof schedule === 'string'
        ? scheduler.ScheduleExpression.expression(schedule)
        : schedule;
  const text = expression.expressionString;
  const problem = Token.isUnresolved(text) ? undefined : checkSweepSchedule(text);
  return problem === undefined ? { expression } : { expression, problem };
}

function validate(props: GuardrailSweepProps): { schedule: scheduler.ScheduleExpression; concurrency: number } {
  const { expression: schedule, problem } = sweepScheduleExpression(props.schedule);
  if (problem !== undefined) {
    throw new GuardrailSweepPropsError(`schedule ${problem}`);
  }
  const concurrency = props.concurrency ?? SWEEP_DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < SWEEP_CONCURRENCY_RANGE.min || concurrency > SWEEP_CONCURRENCY_RANGE.max) {
    throw new GuardrailSweepPropsError(
      `concurrency ${concurrency} is not a whole number from ${SWEEP_CONCURRENCY_RANGE.min} to ${SWEEP_CONCURRENCY_RANGE.max} (the SQS event source's maxConcurrency); use e.g. 16`,
    );
  }
  if (props.metricsNamespace !== undefined) {
    const problem = checkMetricsNamespace(props.metricsNamespace);
    if (problem !== undefined) {
      throw new GuardrailSweepPropsError(`metricsNamespace: ${problem}`);
    }
  }
  for (const region of props.regions ?? []) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
      throw new GuardrailSweepPropsError(`regions: "${region}" is not a Region code; use codes such as us-east-1`);
    }
  }
  if (props.crossAccount !== undefined) {
    const roleProblem = checkRoleName(props.crossAccount.memberRoleName);
    if (roleProblem !== undefined) throw new GuardrailSweepPropsError(`crossAccount.memberRoleName ${roleProblem}`);
    const organizationProblem = checkOrganizationId(props.crossAccount.organizationId);
    if (organizationProblem !== undefined) throw new GuardrailSweepPropsError(`crossAccount.organizationId ${organizationProblem}`);
  }
  return { schedule, concurrency };
}

export class GuardrailSweep extends Construct {
  readonly listerFunction: nodejs.NodejsFunction;
  readonly workerFunction: nodejs.NodejsFunction;
  /** The worker's role: exclude it from the exposure rule like the remediator's own role (its writes are ours). */
  readonly workerRole: iam.Role;
  readonly listerRole: iam.Role;
  readonly workQueue: sqs.Queue;
  readonly listingQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /**
   * Where EventBridge puts account-change events it could not deliver to the lister (the sweep they should
   * have started never ran). Undefined with `sweepOnAccountChange: false`.
   */
  readonly accountChangeDeadLetterQueue?: sqs.Queue;
  /** Raised as soon as one account-change event is in `accountChangeDeadLetterQueue`. */
  readonly accountChangeDeadLetterAlarm?: cloudwatch.Alarm;
  /** Starts a sweep after every stack update. Undefined with `sweepAfterDeploy: false`. */
  readonly stackDeployedRule?: events.Rule;
  readonly progressTable: dynamodb.Table;
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes to invoke the lister. */
  readonly scheduleRole: iam.Role;
  private readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: GuardrailSweepProps) {
    super(scope, id);
    const { schedule, concurrency } = validate(props);
    const stack = Stack.of(this);
    const regions = props.regions && props.regions.length > 0 ? [...props.regions] : [stack.region];
    this.metricsNamespace = props.metricsNamespace ?? SWEEP_DEFAULTS.metricsNamespace;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.progressTable = new dynamodb.Table(this, 'ProgressTable', {
      partitionKey: { name: PROGRESS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: PROGRESS_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Counters of sweeps in flight, expired by TTL after 30 days: nothing a reviewer needs. The audit table keeps the record.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.listingQueue = new sqs.Queue(this, 'ListingQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: LISTER_TIMEOUT.plus(Duration.minutes(1)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULT_MAX_ATTEMPTS },
    });
    this.workQueue = new sqs.Queue(this, 'WorkQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      // AWS recommends six times the function timeout for SQS event sources.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULT_MAX_ATTEMPTS },
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Sweep messages failed on every attempt: buckets were not checked or a listing stopped. Read the sweep worker and lister logs, fix the cause, then redrive the dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alertTopic));

    const root = path.join(__dirname, '..');
    const bundling: nodejs.BundlingOptions = {
      target: LAMBDA_ESBUILD.target,
      format: nodejs.OutputFormat.CJS,
      minify: LAMBDA_ESBUILD.minify,
      sourceMap: LAMBDA_ESBUILD.sourceMap,
      sourcesContent: LAMBDA_ESBUILD.sourcesContent,
      mainFields: [...LAMBDA_ESBUILD.mainFields],
      externalModules: [...LAMBDA_ESBUILD.externalModules],
      bundleAwsSDK: true,
    };
    const common = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      bundling,
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      loggingFormat: lambda.LoggingFormat.JSON,
    };

    const workerRole = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bucket guardrail sweep worker: runs each bucket through the remediation pipeline, counts sweep progress',
    });
    const listerRole = new iam.Role(this, 'ListerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bucket guardrail sweep lister: checks CloudTrail coverage, lists buckets, fans them out',
    });
    this.workerRole = workerRole;
    this.listerRole = listerRole;
    const selfRoleArns = [workerRole.roleArn, ...(props.selfRoles ?? []).map((role) => role.roleArn)];

    const listerLogs = new logs.LogGroup(this, 'ListerLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.listerFunction = new nodejs.NodejsFunction(this, 'Lister', {
      ...common,
      role: listerRole,
      ...lambdaCodeProps('sweepList', __dirname),
      description: 'Bucket guardrail sweep: checks CloudTrail coverage, lists buckets, fans them out to the workers',
      timeout: LISTER_TIMEOUT,
      logGroup: listerLogs,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new QueueDestination(this.deadLetterQueue),
      environment: {
        ...toListerEnvironment({
          alertTopicArn: props.alertTopic.topicArn,
          workQueueUrl: this.workQueue.queueUrl,
          listingQueueUrl: this.listingQueue.queueUrl,
          progressTableName: this.progressTable.tableName,
          regions,
          pageSize: DEFAULT_TUNING.pageSize,
          bucketsPerMessage: DEFAULT_TUNING.bucketsPerMessage,
          selfRoleArns,
          ...(props.crossAccount !== undefined ? { crossAccount: props.crossAccount } : {}),
        }),
        POWERTOOLS_SERVICE_NAME: SWEEP_SERVICE_NAMES.lister,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
    });
    this.listerFunction.addEventSource(
      new lambdaEventSources.SqsEventSource(this.listingQueue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: SWEEP_CONCURRENCY_RANGE.min }),
    );
    const lister = (sid: string, statement: iam.PolicyStatementProps): void => {
      listerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, ...statement }));
    };
    lister('WriteOwnLogs', { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [listerLogs.logGroupArn] });
    // ListBuckets (IAM: s3:ListAllMyBuckets) and DescribeTrails have no resource type.
    lister('ListBuckets', { actions: ['s3:ListAllMyBuckets'], resources: ['*'] });
    lister('DescribeTrails', { actions: ['cloudtrail:DescribeTrails'], resources: ['*'] });
    // Organization and multi-region trails live in other accounts and regions: any trail, read-only.
    lister('ReadTrailCoverage', {
      actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      resources: [`arn:${Aws.PARTITION}:cloudtrail:*:*:trail/*`],
    });
    lister('FanOut', {
      actions: ['sqs:SendMessage'],
      resources: [this.workQueue.queueArn, this.listingQueue.queueArn, this.deadLetterQueue.queueArn],
    });
    lister('EncryptMessages', { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.encryptionKey.keyArn] });
    lister('TrackProgress', {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [this.progressTable.tableArn],
    });
    lister('PublishAlerts', { actions: ['sns:Publish'], resources: [props.alertTopic.topicArn] });
    if (props.alertTopicKey !== undefined) {
      lister('EncryptAlerts', { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.alertTopicKey.keyArn] });
    }

    const workerLogs = new logs.LogGroup(this, 'WorkerLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.workerFunction = new nodejs.NodejsFunction(this, 'Worker', {
      ...common,
      role: workerRole,
      ...lambdaCodeProps('sweepWork', __dirname),
      description: 'Bucket guardrail sweep: runs each listed bucket through the remediation pipeline',
      timeout: WORKER_TIMEOUT,
      logGroup: workerLogs,
      environment: {
        ...toRemediateEnvironment({
          alertTopicArn: props.alertTopic.topicArn,
          auditTableName: props.auditTable.tableName,
          ...(props.auditArchiveBucket !== undefined ? { auditArchiveBucket: props.auditArchiveBucket.bucketName } : {}),
          mode: props.remediation.mode,
          strategy: props.remediation.strategy,
          exemptions: props.remediation.exemptions,
          selfRoleArn: workerRole.roleArn,
          sensitiveTagKeys: props.remediation.sensitiveTagKeys,
          // The sweep checks buckets; restoring the account setting is the event path's job.
          enforceAccountBlockPublicAccess: false,
          ...(props.exemptionsTable !== undefined ? { exemptionsTableName: props.exemptionsTable.tableName } : {}),
          ...(props.crossAccount !== undefined ? { crossAccount: props.crossAccount } : {}),
        }),
        ...toWorkerSweepEnvironment({
          workQueueUrl: this.workQueue.queueUrl,
          progressTableName: this.progressTable.tableName,
          maxAttempts: DEFAULT_MAX_ATTEMPTS,
          selfRoleArns,
          recordPrivateBuckets: props.recordPrivateBuckets ?? false,
        }),
        POWERTOOLS_SERVICE_NAME: SWEEP_SERVICE_NAMES.worker,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
    });
    this.workerFunction.addEventSource(
      new lambdaEventSources.SqsEventSource(this.workQueue, { batchSize: DEFAULT_TUNING.workerBatchSize, reportBatchItemFailures: true, maxConcurrency: concurrency }),
    );
    const worker = (sid: string, statement: iam.PolicyStatementProps): void => {
      workerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, ...statement }));
    };
    worker('WriteOwnLogs', { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [workerLogs.logGroupArn] });
    // The remediator's own S3 actions (lib/remediator-permissions.ts), on buckets of this account only.
    const s3Actions = remediatorS3Actions({ strategy: props.remediation.strategy, enforceAccountBlockPublicAccess: false });
    worker('InspectAndContainBuckets', {
      actions: [...s3Actions.bucketActions],
      resources: [`arn:${Aws.PARTITION}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
    });
    // No resource type for either: the account setting and CloudTrail's event history.
    worker('AccountBlockPublicAccess', { actions: [...s3Actions.accountActions], resources: ['*'] });
    worker('LookupExposingCalls', { actions: ['cloudtrail:LookupEvents'], resources: ['*'] });
    worker('RetryLater', { actions: ['sqs:ChangeMessageVisibility'], resources: [this.workQueue.queueArn] });
    worker('TrackProgress', { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [this.progressTable.tableArn] });
    worker('ReadQueueAndProgressKey', { actions: ['kms:Decrypt'], resources: [props.encryptionKey.keyArn] });
    worker('PublishAlerts', { actions: ['sns:Publish'], resources: [props.alertTopic.topicArn] });
    if (props.alertTopicKey !== undefined) {
      worker('EncryptAlerts', { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.alertTopicKey.keyArn] });
    }
    worker('WriteAuditRecords', { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [props.auditTable.tableArn] });
    if (props.auditArchiveBucket !== undefined) {
      worker('ArchiveAuditRecords', { actions: ['s3:PutObject'], resources: [props.auditArchiveBucket.arnForObjects('audit/*')] });
    }
    if (props.auditKey !== undefined) {
      worker('ReadAuditTableKey', {
        actions: ['kms:Decrypt'],
        resources: [props.auditKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
      });
      if (props.auditArchiveBucket !== undefined) {
        worker('EncryptArchivedRecords', {
          actions: ['kms:GenerateDataKey'],
          resources: [props.auditKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        });
      }
    }
    if (props.exemptionsTable !== undefined) {
      // One strongly consistent Scan per bucket check, with the bucket's reads: no index, no write.
      worker('ReadExemptions', { actions: ['dynamodb:Scan'], resources: [props.exemptionsTable.tableArn] });
    }
    if (props.crossAccount !== undefined) {
      const { memberRoleName, organizationId } = props.crossAccount;
      const assumeMemberRole: iam.PolicyStatementProps = {
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleName}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      };
      // The lister lists each member account's buckets, the worker checks and contains them, as the member role.
      lister('AssumeMemberRole', assumeMemberRole);
      worker('AssumeMemberRole', assumeMemberRole);
      // ListAccounts has no resource type. It only answers in the management account or in an account registered
      // as a delegated administrator for an AWS Organizations service (for example CloudFormation StackSets).
      lister('ListMemberAccounts', { actions: ['organizations:ListAccounts'], resources: ['*'] });
    }
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'Bucket guardrail: lets EventBridge Scheduler start the sweep',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule,
      description: 'Bucket guardrail: sweep every bucket in the account',
      target: new schedulerTargets.LambdaInvoke(this.listerFunction, {
        role: this.scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          trigger: 'schedule',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          executionId: scheduler.ContextAttribute.executionId,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });

    if (props.sweepAfterDeploy ?? true) {
      // One sweep per deploy, from two sources that never overlap. The stack's first deploy: the CDK trigger
      // (executeOnHandlerChange: false, so it runs on create only); a rule created in the same deploy might not
      // be active yet when the stack reaches CREATE_COMPLETE. Every later deploy: the rule below, on
      // UPDATE_COMPLETE only, which also fires when the lister itself did not change. The sweep id comes from the
      // CloudFormation event id, so EventBridge's retries of one event are the same sweep.
      const trigger = new triggers.Trigger(this, 'SweepAfterDeploy', {
        handler: this.listerFunction,
        // Asynchronous: the deploy does not wait for (or fail with) the sweep; failures go to the dead-letter queue.
        invocationType: triggers.InvocationType.EVENT,
        executeOnHandlerChange: false,
      });
      trigger.executeAfter(this.workerFunction, this.workQueue, this.listingQueue, this.progressTable);
      const updateComplete = STACK_DEPLOYED_STATUSES.filter((status) => status === 'UPDATE_COMPLETE');
      // CloudFormation sends its stack events to the default bus of the stack's own account and region.
      this.stackDeployedRule = new events.Rule(this, 'StackDeployed', {
        description: 'Bucket guardrail: sweep the account after every update of the guardrail stack',
        eventPattern: {
          source: ['aws.cloudformation'],
          detailType: ['CloudFormation Stack Status Change'],
          // The documented detail field names the stack (matched here rather than the event's `resources`).
          detail: { 'stack-id': [stack.stackId], 'status-details': { status: updateComplete } },
        },
        targets: [
          new eventTargets.LambdaFunction(this.listerFunction, {
            event: events.RuleTargetInput.fromObject({
              trigger: 'deploy',
              kind: 'stack-deployed',
              eventId: events.EventField.eventId,
              stackStatus: events.EventField.fromPath('$.detail.status-details.status'),
            }),
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    }

    if (props.sweepOnAccountChange ?? true) {
      // A fixed name, so the key policy can name the rule's ARN without depending on the rule (which depends on
      // the dead-letter queue, which depends on the key): a rule on a custom bus is …:rule/<bus name>/<rule name>.
      const ruleName = `${Names.uniqueResourceName(this, { maxLength: 48, separator: '-' })}-account-bpa`;
      const ruleArn = stack.formatArn({
        service: 'events',
        resource: 'rule',
        resourceName: props.eventBus !== undefined ? `${props.eventBus.eventBusName}/${ruleName}` : ruleName,
      });
      const keyPolicy = props.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSweepAccountRuleDeadLetters',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        }),
      );
      if (!keyPolicy.statementAdded) {
        throw new GuardrailSweepPropsError(
          `encryptionKey ${props.encryptionKey.node.path} is imported, so EventBridge cannot be allowed to use it for the account-change rule's dead-letter queue; pass a kms.Key defined in this app or set sweepOnAccountChange: false`,
        );
      }
      const accountChangeDeadLetterQueue = new sqs.Queue(this, 'AccountChangeDeadLetterQueue', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.encryptionKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.accountChangeDeadLetterQueue = accountChangeDeadLetterQueue;
      const alarm = new cloudwatch.Alarm(this, 'AccountChangeDeadLetterAlarm', {
        alarmDescription:
          'An account-level Block Public Access change could not be delivered to the sweep lister: the sweep it should have started never ran. ' +
          'Read the event in the account-change dead-letter queue, then start a sweep by hand (invoke the lister with {"trigger":"manual"}).',
        metric: accountChangeDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alertTopic));
      this.accountChangeDeadLetterAlarm = alarm;
      new events.Rule(this, 'AccountBlockPublicAccessChanged', {
        ruleName,
        description: 'Bucket guardrail: sweep the account when its Block Public Access setting changes',
        eventBus: props.eventBus,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['s3.amazonaws.com'],
            eventName: [...ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS],
            errorCode: [{ exists: false }],
          },
        },
        targets: [
          new eventTargets.LambdaFunction(this.listerFunction, {
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
            deadLetterQueue: accountChangeDeadLetterQueue,
          }),
        ],
      });
    }
    this.acknowledgeFindings(props);
  }

  /**
   * Sweeps that found the guardrail blind (no trail feeding it) in a region. Without `account`: summed over every
   * account checked (dimension `region`); with it: that account only (dimensions `region` and `account`; the
   * sweep's own account at its start, and organization-wide each member account through its member role).
   */
  metricGuardrailBlind(region: string, props?: cloudwatch.MetricOptions, account?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName: 'GuardrailBlind',
      dimensionsMap: { service: SWEEP_SERVICE_NAMES.lister, region, ...(account !== undefined ? { account } : {}) },
      statistic: 'Sum',
      period: Duration.hours(6),
      ...props,
    });
  }

  /** Work messages waiting: how far the current sweep has to go. */
  metricBacklog(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.workQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** A metric the worker publishes (Powertools, this construct's namespace, `service` = the worker's). */
  metricWorker(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: SWEEP_SERVICE_NAMES.worker },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Buckets a sweep checked (each counted once per sweep). */
  metricBucketsChecked(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWorker(SWEEP_METRICS.bucketsChecked, { label: 'Checked', ...props });
  }

  /** Buckets a sweep found public (remediated, exempt, report-only or failed). */
  metricPublicFound(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWorker(SWEEP_METRICS.publicFound, { label: 'Public', ...props });
  }

  /** Buckets a sweep contained (the remediation pipeline's own metric, under the worker's service). */
  metricRemediated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWorker(SWEEP_METRICS.remediated, { label: 'Remediated', ...props });
  }

  /** Buckets a sweep failed to contain. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWorker(SWEEP_METRICS.failed, { label: 'Failed', ...props });
  }

  /** cdk-nag: every finding this construct knowingly produces, each with its reason. */
  private acknowledgeFindings(props: GuardrailSweepProps): void {
    const arnOf = (resource: Construct): string => `<${Stack.of(this).resolve((resource.node.defaultChild as CfnResource).logicalId)}.Arn>`;
    const logStreams = (logGroup: Construct) => ({
      id: `AwsSolutions-IAM5[Resource::${arnOf(logGroup)}]`,
      reason: "Lambda creates one log stream per execution environment, with a generated name, inside this function's own log group.",
    });
    const memberRole =
      props.crossAccount !== undefined
        ? [
            {
              id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${props.crossAccount.memberRoleName}]`,
              reason:
                'The member role has the same name in every member account and accounts join the organization later; the account is a ' +
                'wildcard, narrowed to roles of this organization by aws:ResourceOrgID.',
            },
          ]
        : [];
    Validations.of(this.listerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          's3:ListAllMyBuckets and cloudtrail:DescribeTrails' +
          (props.crossAccount !== undefined ? ' (and organizations:ListAccounts)' : '') +
          ' have no resource type in the Service Authorization Reference; IAM requires "*".',
      },
      ...memberRole,
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
        reason: 'The trails that feed the guardrail may be organization trails (owned by the management account) or multi-region trails homed elsewhere; only GetTrailStatus and GetEventSelectors, read-only.',
      },
      logStreams(this.listerFunction.logGroup),
    );
    Validations.of(this.workerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
        reason: 'A sweep checks every bucket of the account: the remediator\'s bucket-level actions on arn:<partition>:s3:::*, limited to this account by s3:ResourceAccount; no object action.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 's3:GetAccountPublicAccessBlock and cloudtrail:LookupEvents have no resource type in the Service Authorization Reference; IAM requires "*".',
      },
      ...(props.auditArchiveBucket !== undefined
        ? [{ id: `AwsSolutions-IAM5[Resource::${arnOf(props.auditArchiveBucket)}/audit/*]`, reason: 'Audit records are written under generated keys audit/<yyyy>/<mm>/<dd>/<id>.json: s3:PutObject only, under audit/ only.' }]
        : []),
      logStreams(this.workerFunction.logGroup),
      ...memberRole,
    );
    Validations.of(this.scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnOf(this.listerFunction)}:*]`,
      reason: 'lambda:InvokeFunction on the lister and its versions (grantInvoke adds <arn>:*); the schedule invokes nothing else.',
    });
    if (this.accountChangeDeadLetterQueue !== undefined) {
      Validations.of(this.accountChangeDeadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue of the account-change rule\'s target (EventBridge DeadLetterConfig), which cdk-nag does not see as a redrive policy.',
      });
    }
    for (const fn of [this.listerFunction, this.workerFunction]) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `Pinned to Node.js ${LAMBDA_ESBUILD.target.replace('node', '')}, the runtime the bundle targets and the handler is tested on; move runtime and esbuild target together.`,
      });
    }
  }
}

/** A Lambda on-failure destination whose permissions the construct grants itself, exactly. */
class QueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DestinationConfig {
    return { destination: this.queue.queueArn };
  }
}
