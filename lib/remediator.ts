/**
 * Remediator: the Lambda that contains a bucket made public, alerts and records what it did. Its own role (no
 * managed policies, one named statement per need), an explicit log group, bounded concurrency, and a failure
 * queue for invocations that failed after Lambda's retries.
 *
 * Its resources are created in the guardrail's scope (see PublicBucketGuardrail) under their old construct IDs
 * (`Remediate`, `RemediateRole`, `RemediateLogGroup`, `FailureQueue`): paths and logical IDs stay.
 */
import { Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REMEDIATE_ENV, toRemediateEnvironment } from '../lambda/remediate/environment';
import { CROSS_ACCOUNT_ENV } from '../lambda/shared/aws/assume-role';
import { grantDeliveries } from './alert-destinations';
import type { AlertTopic } from './alert-topic';
import { nagArn, type AuditTrail } from './audit-trail';
import { REMEDIATE_SERVICE_NAME } from './defaults';
import { newFailureQueue } from './encrypted-resources';
import type { ExemptionsStore } from './exemptions-store';
import { ServiceMetrics } from './guardrail-metrics';
import { DELIVERY_RETRIES, GuardrailPropsError } from './guardrail-props';
import type { ValidatedProps } from './validate-props';
import { LAMBDA_ESBUILD, LAMBDA_NODE_OPTIONS } from './lambda-bundling';
import { guardrailBundling, lambdaCodeProps } from './lambda-code';
import type { FunctionNetwork } from './guardrail-network';
import { grantAssumeMemberRole, grantDescribeMemberAccounts, logStreamsFinding, type CrossAccountSettings } from './member-role-grants';
import { QueueDestination } from './queue-destination';
import { ACCESS_POINT_READ_ACKNOWLEDGEMENTS, accessPointReadStatements, accessPointWriteAcknowledgement, remediatorS3Actions } from './remediator-permissions';

/** The metric names the remediator publishes through Powertools (namespace from props, `service` dimension). */
export const REMEDIATE_METRICS = {
  remediated: 'Remediated',
  failed: 'Failed',
  ignored: 'Ignored',
  timeToContainMs: 'TimeToContainMs',
  verdictDisagreement: 'VerdictDisagreement',
} as const;

export interface RemediatorProps {
  /** The guardrail's validated settings (mode, strategy, exemptions, retention, concurrency, namespace). */
  readonly settings: ValidatedProps;
  readonly alerts: AlertTopic;
  readonly audit: AuditTrail;
  readonly exemptions: ExemptionsStore;
  /** Encrypts the failure queue (the guardrail's queues key). */
  readonly queuesKey: kms.IKey;
  /** Encrypts the function's log group; CloudWatch Logs must be allowed to use it (see newLogsKey). */
  readonly logsKey: kms.IKey;
  /**
   * Assume `memberRoleName` in the event's account, for roles of `organizationId` only.
   * @default - single account: no cross-account permission
   */
  readonly crossAccount?: CrossAccountSettings;
  /**
   * Run the function in a VPC (GuardrailNetwork).
   * @default - outside any VPC
   */
  readonly network?: FunctionNetwork;
}

export class Remediator extends Construct {
  readonly function: lambdaNodejs.NodejsFunction;
  readonly role: iam.Role;
  /** Invocations that failed after Lambda's retries. */
  readonly failureQueue: sqs.Queue;
  /** The remediator's Powertools metrics (`service` = remediate). */
  readonly metrics: ServiceMetrics;

  constructor(scope: Construct, id: string, props: RemediatorProps) {
    super(scope, id);
    const { settings, alerts, audit, exemptions } = props;
    this.metrics = new ServiceMetrics(settings.metricsNamespace, REMEDIATE_SERVICE_NAME);
    this.failureQueue = newFailureQueue(scope, 'FailureQueue', props.queuesKey);
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of the rule target or the function); it is alarmed, not redriven.',
    });
    const role = new iam.Role(scope, 'RemediateRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bucket guardrail remediator: reads bucket exposure settings and turns on Block Public Access',
    });
    this.role = role;
    const logGroup = new logs.LogGroup(scope, 'RemediateLogGroup', {
      retention: settings.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const environment = toRemediateEnvironment({
      alertTopicArn: alerts.topic.topicArn,
      auditTableName: audit.table.tableName,
      auditArchiveBucket: audit.archive.bucketName,
      auditArchiveLock: audit.archiveLock,
      mode: settings.mode,
      strategy: settings.strategy,
      exemptions: settings.exemptions,
      selfRoleArn: role.roleArn,
      sensitiveTagKeys: settings.sensitiveTagKeys,
      enforceAccountBlockPublicAccess: settings.enforceAccountBlockPublicAccess,
      exemptionsTableName: exemptions.table.tableName,
      objectAclEvents: settings.objectAclEvents,
      // Single account: this stack's account. Organization: the member accounts known at deploy time, if any;
      // the remediator looks up any other account with Organizations DescribeAccount.
      guardedAccountIds: props.crossAccount !== undefined ? (props.crossAccount.memberAccountIds ?? []) : [Stack.of(scope).account],
    });
    const fn = new lambdaNodejs.NodejsFunction(scope, 'Remediate', {
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
      bundling: guardrailBundling(),
      ...(props.network !== undefined ? props.network.placement : {}),
    });
    this.function = fn;
    props.network?.attach(fn, role, 'Remediate');
    // Every variable of the environment contract is set next to the grant that makes it usable.
    const environmentSet = new Set<string>();
    const setEnvironment = (...names: string[]): void => {
      for (const name of names) {
        const value = environment[name];
        if (value !== undefined) fn.addEnvironment(name, value);
        environmentSet.add(name);
      }
    };
    const allow = (statement: iam.PolicyStatementProps): void => {
      role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
    };

    // Logs: write to its own log group only.
    allow({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] });
    // S3: the exact bucket-level actions, on buckets of this account only; no object access.
    // The strip strategy's access point policy writes reach the access points of every covered Region.
    const s3Actions = remediatorS3Actions({ ...settings, ...(settings.coveredRegions !== undefined ? { regions: settings.coveredRegions } : {}) });
    allow({
      sid: 'InspectAndContainBuckets',
      actions: [...s3Actions.bucketActions],
      resources: [`arn:${Aws.PARTITION}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
    });
    allow({ sid: 'AccountBlockPublicAccess', actions: [...s3Actions.accountActions], resources: ['*'] });
    // S3 Control and object ACL reads: the same statements as the organization member role.
    for (const statement of accessPointReadStatements(s3Actions, Aws.PARTITION, Aws.ACCOUNT_ID, Stack.of(scope).region)) allow(statement);
    // objectAclEvents: the handler reads the ACL of the object an event names (object ACLs are never rewritten).
    if ((s3Actions.objectActions ?? []).length > 0) setEnvironment(REMEDIATE_ENV.objectAclEvents);
    // SELF_ROLE_ARN gives the handler its home account and partition (no call is skipped because this role made it, issue 11).
    setEnvironment(REMEDIATE_ENV.mode, REMEDIATE_ENV.strategy, REMEDIATE_ENV.enforceAccountBlockPublicAccess);
    setEnvironment(REMEDIATE_ENV.exemptions, REMEDIATE_ENV.sensitiveTagKeys, REMEDIATE_ENV.selfRoleArn);
    // Single account: needs no grant. Organization: DescribeAccount for members not in the list (below).
    setEnvironment(REMEDIATE_ENV.guardedAccountIds);

    alerts.grantPublish(role);
    setEnvironment(REMEDIATE_ENV.alertTopicArn);
    audit.grantRecord(role);
    setEnvironment(REMEDIATE_ENV.auditTableName, REMEDIATE_ENV.auditArchiveBucket, REMEDIATE_ENV.auditArchiveLockMode, REMEDIATE_ENV.auditArchiveRetentionDays);
    exemptions.grantRead(role);
    setEnvironment(REMEDIATE_ENV.exemptionsTableName);
    // Outcome events (events:PutEvents on the bus), Security Hub findings (BatchImportFindings on the default product).
    for (const [name, value] of Object.entries(grantDeliveries(role, settings.deliveries))) fn.addEnvironment(name, value);

    // Failure destination: send to the failure queue only.
    allow({ sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [this.failureQueue.queueArn] });
    allow({ sid: 'EncryptFailedInvocations', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.queuesKey.keyArn] });

    // Organization-wide: assume the member role in the event's account, for roles inside the organization only.
    if (props.crossAccount) {
      grantAssumeMemberRole(role, props.crossAccount);
      grantDescribeMemberAccounts(role, props.crossAccount.organizationId);
      fn.addEnvironment(CROSS_ACCOUNT_ENV.memberRoleName, props.crossAccount.memberRoleName);
      fn.addEnvironment(CROSS_ACCOUNT_ENV.organizationId, props.crossAccount.organizationId);
    }

    const unset = Object.keys(environment).filter((name) => !environmentSet.has(name));
    if (unset.length > 0) {
      throw new GuardrailPropsError('environment', `${unset.join(', ')} from toRemediateEnvironment are not set next to a grant; set them above`);
    }

    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]`,
        reason:
          'Any bucket in the account can be made public, so the bucket-level actions name arn:<partition>:s3:::* (bucket actions only, ' +
          'limited to this account by s3:ResourceAccount; no object action is granted).',
      },
      ...ACCESS_POINT_READ_ACKNOWLEDGEMENTS,
      ...((s3Actions.accessPointWriteActions ?? []).length > 0
        ? (s3Actions.accessPointWriteRegions ?? [Stack.of(scope).region]).map((region) => accessPointWriteAcknowledgement(Token.isUnresolved(region) ? '<AWS::Region>' : region))
        : []),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          's3:GetAccountPublicAccessBlock, s3:PutAccountPublicAccessBlock, s3:GetAccessPoint, s3:ListAccessPoints and s3:ListMultiRegionAccessPoints have no resource type in the Service Authorization Reference; IAM requires "*".',
      },
      logStreamsFinding(nagArn(logGroup)),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to Node.js ${LAMBDA_ESBUILD.target.replace('node', '')}, the runtime the bundle targets and the handler is tested on; move runtime and esbuild target together.`,
    });
  }

  /** A metric the remediator publishes (Powertools, the guardrail's namespace, `service` = remediate). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.metric(metricName, props);
  }

  /** Events ignored (malformed, self-inflicted, not an exposure). */
  metricIgnored(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.ignored, { label: 'Ignored', ...props });
  }

  /** Milliseconds from the exposing call to containment. Pass `statistic: 'p50'` / `'p99'`. */
  metricTimeToContain(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(REMEDIATE_METRICS.timeToContainMs, { statistic: 'p50', ...props });
  }
}
