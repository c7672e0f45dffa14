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
import { grantDeliveries } from './alert-destinations';
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toRemediateEnvironment } from '../lambda/remediate/environment';
import { DEFAULT_MAX_ATTEMPTS, toListerEnvironment, toWorkerSweepEnvironment } from '../lambda/sweep/environment';
import { DEFAULT_TUNING } from '../lambda/sweep/plan';
import { PROGRESS_TABLE } from '../lambda/sweep/progress-table';
import { grantPublishAlerts } from './alert-topic';
import { grantRecordAudit } from './audit-trail';
import { SWEEP_CONCURRENCY_RANGE } from './defaults';
import { grantReadExemptions } from './exemptions-store';
import { newAlertAlarm, queueDepth, ServiceMetrics } from './guardrail-metrics';
import { newLogsKey } from './encrypted-resources';
import { LAMBDA_NODE_OPTIONS } from './lambda-bundling';
import { guardrailBundling, lambdaCodeProps } from './lambda-code';
import { grantAssumeMemberRole } from './member-role-grants';
import { acknowledgeControl } from './policy-checks';
import { QueueDestination } from './queue-destination';
import { remediatorS3Actions } from './remediator-permissions';
import { grantSweepDoorReads } from './sweep-door-grants';
import { acknowledgeSweepFindings } from './sweep-findings';
import { sweepAfterEveryDeploy, sweepOnAccountChange } from './sweep-triggers';
import {
  SWEEP_DEFAULTS,
  SWEEP_METRICS,
  SWEEP_SERVICE_NAMES,
  validateSweepProps,
  type GuardrailSweepProps,
} from './sweep-props';

export {
  GuardrailSweepPropsError,
  SWEEP_DEFAULTS,
  SWEEP_METRICS,
  SWEEP_SERVICE_NAMES,
  sweepScheduleExpression,
  type GuardrailSweepProps,
  type SweepRemediationSettings,
} from './sweep-props';
export { SWEEP_CONCURRENCY_RANGE } from './defaults';
export { SWEEP_LAMBDA_ENTRIES } from './lambda-bundling';

const LISTER_TIMEOUT = Duration.minutes(5);
const WORKER_TIMEOUT = Duration.minutes(5);

export class GuardrailSweep extends Construct {
  readonly listerFunction: nodejs.NodejsFunction;
  readonly workerFunction: nodejs.NodejsFunction;
  /**
   * The worker's role. The exposure rule excludes no role (issue 11): its calls, like the remediator's, are routed
   * and checked like anyone's. Only the sweep tells them apart (`SWEEP_SELF_ROLE_ARNS`).
   */
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
  /** The worker's Powertools metrics (`service` = the worker's): the remediation pipeline's own among them. */
  readonly workerMetrics: ServiceMetrics;

  constructor(scope: Construct, id: string, props: GuardrailSweepProps) {
    super(scope, id);
    const { schedule, concurrency } = validateSweepProps(props);
    const stack = Stack.of(this);
    const regions = props.regions && props.regions.length > 0 ? [...props.regions] : [stack.region];
    this.metricsNamespace = props.metricsNamespace ?? SWEEP_DEFAULTS.metricsNamespace;
    this.workerMetrics = new ServiceMetrics(this.metricsNamespace, SWEEP_SERVICE_NAMES.worker);
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
    acknowledgeControl(
      this.deadLetterQueue,
      'CT.SQS.PR.1',
      'This queue is itself the dead-letter queue of the listing and work queues (and the lister failure destination). A RedriveAllowPolicy naming those queues would be a dependency cycle, since their RedrivePolicy names this queue; it is alarmed.',
    );
    this.workQueue = new sqs.Queue(this, 'WorkQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      // AWS recommends six times the function timeout for SQS event sources.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULT_MAX_ATTEMPTS },
    });

    this.deadLetterAlarm = newAlertAlarm(this, 'DeadLetterAlarm', {
      description:
        'Sweep messages failed on every attempt: buckets were not checked or a listing stopped. Read the sweep worker and lister logs, fix the cause, then redrive the dead-letter queue.',
      metric: queueDepth(this.deadLetterQueue),
      topic: props.alertTopic,
    });

    const root = path.join(__dirname, '..');
    const common = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      bundling: guardrailBundling(),
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.network !== undefined ? props.network.placement : {}),
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

    const logsKey = props.logsKey ?? newLogsKey(this, 'LogsKey', 'Bucket guardrail sweep log groups');
    const listerLogs = new logs.LogGroup(this, 'ListerLogs', { retention: logRetention, encryptionKey: logsKey, removalPolicy: RemovalPolicy.RETAIN });
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
    props.network?.attach(this.listerFunction, listerRole, 'SweepLister');
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
    // The account's doors to other accounts' buckets, judged on their own side and alerted once per sweep (read-only).
    grantSweepDoorReads(listerRole, Aws.PARTITION, Aws.ACCOUNT_ID);
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
    grantPublishAlerts(listerRole, props.alertTopic, props.alertTopicKey);

    const workerLogs = new logs.LogGroup(this, 'WorkerLogs', { retention: logRetention, encryptionKey: logsKey, removalPolicy: RemovalPolicy.RETAIN });
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
          ...(props.auditArchiveBucket !== undefined && props.auditArchiveLock !== undefined ? { auditArchiveLock: props.auditArchiveLock } : {}),
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
          recordPrivateBuckets: props.recordPrivateBuckets ?? false,
        }),
        POWERTOOLS_SERVICE_NAME: SWEEP_SERVICE_NAMES.worker,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
    });
    props.network?.attach(this.workerFunction, workerRole, 'SweepWorker');
    this.workerFunction.addEventSource(
      new lambdaEventSources.SqsEventSource(this.workQueue, { batchSize: DEFAULT_TUNING.workerBatchSize, reportBatchItemFailures: true, maxConcurrency: concurrency }),
    );
    const worker = (sid: string, statement: iam.PolicyStatementProps): void => {
      workerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, ...statement }));
    };
    worker('WriteOwnLogs', { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [workerLogs.logGroupArn] });
    // The remediator's own S3 actions (lib/remediator-permissions.ts), on buckets of this account only.
    const s3Actions = remediatorS3Actions({ mode: props.remediation.mode, strategy: props.remediation.strategy, enforceAccountBlockPublicAccess: false });
    worker('InspectAndContainBuckets', {
      actions: [...s3Actions.bucketActions],
      resources: [`arn:${Aws.PARTITION}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
    });
    // No resource type for either: the account setting and CloudTrail's event history.
    worker('AccountBlockPublicAccess', { actions: [...s3Actions.accountActions], resources: ['*'] });
    worker('LookupExposingCalls', { actions: ['cloudtrail:LookupEvents'], resources: ['*'] });
    // Access points and Multi-Region Access Points: listed per account, each bucket judged with its own (read-only).
    grantSweepDoorReads(workerRole, Aws.PARTITION, Aws.ACCOUNT_ID);
    worker('RetryLater', { actions: ['sqs:ChangeMessageVisibility'], resources: [this.workQueue.queueArn] });
    worker('TrackProgress', { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [this.progressTable.tableArn] });
    worker('ReadQueueAndProgressKey', { actions: ['kms:Decrypt'], resources: [props.encryptionKey.keyArn] });
    grantPublishAlerts(workerRole, props.alertTopic, props.alertTopicKey);
    // The same audit grant as the remediator's (AuditTrail.grantRecord).
    grantRecordAudit(workerRole, {
      table: props.auditTable,
      ...(props.auditArchiveBucket !== undefined ? { archive: props.auditArchiveBucket } : {}),
      ...(props.auditArchiveLock !== undefined ? { archiveLock: props.auditArchiveLock } : {}),
      ...(props.auditKey !== undefined ? { key: props.auditKey } : {}),
    });
    if (props.exemptionsTable !== undefined) grantReadExemptions(workerRole, props.exemptionsTable);
    // Sweep findings go through the same conclude stage: the same outcome events and findings as the remediator's.
    if (props.remediation.deliveries !== undefined) {
      for (const [name, value] of Object.entries(grantDeliveries(workerRole, props.remediation.deliveries))) this.workerFunction.addEnvironment(name, value);
    }
    if (props.crossAccount !== undefined) {
      // The lister lists each member account's buckets, the worker checks and contains them, as the member role.
      grantAssumeMemberRole(listerRole, props.crossAccount);
      grantAssumeMemberRole(workerRole, props.crossAccount);
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
      this.stackDeployedRule = sweepAfterEveryDeploy(this);
    }
    if (props.sweepOnAccountChange ?? true) {
      const accountChange = sweepOnAccountChange(this, props);
      this.accountChangeDeadLetterQueue = accountChange.queue;
      this.accountChangeDeadLetterAlarm = accountChange.alarm;
    }
    acknowledgeSweepFindings(this, props);
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
    return this.workerMetrics.metric(metricName, props);
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
    return this.workerMetrics.metricRemediated(props);
  }

  /** Buckets a sweep failed to contain. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.workerMetrics.metricFailed(props);
  }
}
