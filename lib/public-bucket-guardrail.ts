/**
 * PublicBucketGuardrail: routes every S3 exposure event in this region's default bus to the remediator,
 * with an encrypted alert topic, a write-once audit store, failure queues, alarms and a dashboard.
 *
 * It composes one construct per concern: AlertTopic, AuditTrail, ExemptionsStore, Remediator, GuardrailSweep,
 * ExposureRule, GuardrailDashboard and (optionally) GuardrailTrail. Each concern construct creates its resources
 * in the scope it is given (this construct), under the construct IDs they had before the split: the construct
 * paths, and so every logical ID and every name CDK derives from a path, stay the same, and an update never
 * replaces the audit store (test/lib/stateful-logical-ids.test.ts). The concern construct itself holds the
 * resources as members and carries their grants and metrics.
 *
 * Construct IDs are a contract: renaming one replaces the resource (and, for the retained table and
 * archive, orphans the old one). Do not rename them.
 */
import { ChatbotAlerts } from './alert-destinations';
import { Aspects, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlertTopic } from './alert-topic';
import { AuditTrail } from './audit-trail';
import { newLogsKey, newQueuesKey } from './encrypted-resources';
import { acknowledgeControl, OUTSIDE_VPC_REASON } from './policy-checks';
import { ExemptionsStore } from './exemptions-store';
import { ExposureRule } from './exposure-rule';
import type { RawEventPattern } from './exposure-events';
import { GuardrailDashboard } from './guardrail-dashboard';
import { GuardrailNetwork, warnIfOtherRegions } from './guardrail-network';
import type { PublicBucketGuardrailProps } from './guardrail-props';
import { validateProps } from './validate-props';
import { GuardrailSweep } from './guardrail-sweep';
import { GuardrailTrail } from './guardrail-trail';
import { grantManageExemptions, grantReadAudit } from './operator-grants';
import { Remediator } from './remediator';
import { DestroyOnDelete } from './teardown';

export { DELIVERY_RETRIES, GuardrailPropsError, type PublicBucketGuardrailProps } from './guardrail-props';
export { REMEDIATE_METRICS } from './remediator';
export { EXEMPTION_WRITERS_SID, EXEMPTION_WRITE_ACTIONS, NO_EXEMPTION_WRITER_ARN } from './exemptions-store';
export { OPERATOR_RECORD_ID_PATTERN } from './operator-grants';

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

  /** The concern constructs this guardrail composes. */
  readonly alerts: AlertTopic;
  readonly audit: AuditTrail;
  readonly exemptions: ExemptionsStore;
  readonly remediator: Remediator;
  readonly exposureRule: ExposureRule;
  readonly monitoring: GuardrailDashboard;
  /** The functions' VPC placement and endpoints, when `vpc` is set. */
  readonly network?: GuardrailNetwork;

  constructor(scope: Construct, id: string, props: PublicBucketGuardrailProps = {}) {
    super(scope, id);
    const settings = validateProps(props);
    const stack = Stack.of(this);
    this.metricsNamespace = settings.metricsNamespace;

    // ---- Alerts: an SSL-only topic under a customer managed key that CloudWatch alarms may use.
    this.alerts = new AlertTopic(this, 'Alerts', {
      ...(props.alertTopic !== undefined ? { topic: props.alertTopic } : {}),
      ...(props.alertTopicKey !== undefined ? { key: props.alertTopicKey } : {}),
      emails: settings.alertEmails,
    });
    this.alertTopic = this.alerts.topic;

    // ---- Failure queues' key: EventBridge may use it for the exposure rule's dead letters. The rule has a fixed
    // name, so the key policy can name its ARN (…:rule/<bus name>/<rule name> on a custom bus).
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    if (props.eventBus !== undefined) this.eventBus = props.eventBus;
    const ruleArn = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: props.eventBus ? `${props.eventBus.eventBusName}/${ruleName}` : ruleName,
    });
    const queuesKey = newQueuesKey(this, 'QueuesKey', 'Bucket guardrail failure queues', ruleArn);
    // ---- Log groups' key: CloudWatch Logs of this account and Region may use it (Control Tower CT.CLOUDWATCH.PR.3).
    const logsKey = newLogsKey(this, 'LogsKey', 'Bucket guardrail function log groups');
    // ---- Functions in a VPC (CT.LAMBDA.PR.3 passes), with the endpoints they need; else the control is acknowledged.
    if (settings.network !== undefined) {
      this.network = new GuardrailNetwork(this, 'Network', {
        vpc: settings.network.vpc,
        ...(settings.network.vpcSubnets !== undefined ? { vpcSubnets: settings.network.vpcSubnets } : {}),
        endpoints: settings.network.endpoints,
        needs: { sweep: settings.sweep, securityHub: settings.deliveries.securityHub === true },
      });
      warnIfOtherRegions(this, settings.coveredRegions);
    } else {
      acknowledgeControl(this, 'CT.LAMBDA.PR.3', OUTSIDE_VPC_REASON);
    }

    // ---- Audit store and exemptions, under one customer managed key.
    const destroy = settings.removalPolicy === RemovalPolicy.DESTROY;
    this.audit = new AuditTrail(this, 'Audit', {
      retentionDays: settings.auditRetentionDays,
      lockMode: settings.auditArchiveLockMode,
      ...(destroy ? { autoDeleteObjects: true } : {}),
    });
    this.auditKey = this.audit.key;
    this.auditTable = this.audit.table;
    this.auditArchive = this.audit.archive;
    this.exemptions = new ExemptionsStore(this, 'Exemptions', { key: this.audit.key, writerRoleArns: settings.exemptionWriterRoleArns });
    this.exemptionsTable = this.exemptions.table;
    // The exemption writers record their changes (operator records, op-…) in the audit table.
    for (const writer of settings.exemptionWriterRoleArns) this.audit.addWriter(writer);

    // ---- The remediator.
    if (settings.deliveries.chatbot !== undefined) {
      new ChatbotAlerts(this, 'Chatbot', { channel: settings.deliveries.chatbot, topic: this.alerts.topic });
    }
    this.remediator = new Remediator(this, 'Remediator', {
      settings,
      alerts: this.alerts,
      audit: this.audit,
      exemptions: this.exemptions,
      queuesKey,
      logsKey,
      ...(props.crossAccount !== undefined ? { crossAccount: props.crossAccount } : {}),
      ...(this.network !== undefined ? { network: this.network } : {}),
    });
    this.remediateFunction = this.remediator.function;
    this.failureQueue = this.remediator.failureQueue;

    // ---- The sweep: every bucket through the same pipeline, on a schedule, after each deploy and on account changes.
    if (settings.sweep) {
      this.sweep = new GuardrailSweep(this, 'Sweep', {
        alertTopic: this.alertTopic,
        ...(this.alerts.key !== undefined ? { alertTopicKey: this.alerts.key } : {}),
        auditTable: this.auditTable,
        auditArchiveBucket: this.auditArchive,
        auditArchiveLock: this.audit.archiveLock,
        auditKey: this.auditKey,
        encryptionKey: queuesKey,
        logsKey,
        remediation: { mode: settings.mode, strategy: settings.strategy, exemptions: settings.exemptions, sensitiveTagKeys: settings.sensitiveTagKeys, deliveries: settings.deliveries },
        ...(settings.coveredRegions !== undefined ? { regions: settings.coveredRegions } : {}),
        schedule: settings.sweepSchedule,
        concurrency: settings.sweepConcurrency,
        selfRoles: [this.remediator.role],
        exemptionsTable: this.exemptionsTable,
        logRetention: settings.logRetention,
        metricsNamespace: settings.metricsNamespace,
        ...(props.eventBus !== undefined ? { eventBus: props.eventBus } : {}),
        ...(props.crossAccount !== undefined ? { crossAccount: props.crossAccount } : {}),
        ...(this.network !== undefined ? { network: this.network } : {}),
      });
      this.audit.addWriter(this.sweep.workerRole.roleArn);
    }

    // ---- The rule: exposure events on the bus, whoever made them (our own calls included: re-checking them is cheap).
    this.exposureRule = new ExposureRule(this, 'Routing', {
      ruleName,
      target: this.remediateFunction,
      queuesKey,
      ...(settings.objectAclEvents ? { objectAclEvents: true } : {}),
      ...(props.eventBus !== undefined ? { eventBus: props.eventBus } : {}),
    });
    this.rule = this.exposureRule.rule;
    this.eventPattern = this.exposureRule.eventPattern;
    this.eventDeadLetterQueue = this.exposureRule.deadLetterQueue;

    // ---- Alarms, to the alert topic, and the dashboard.
    this.monitoring = new GuardrailDashboard(this, 'Monitoring', {
      alertTopic: this.alertTopic,
      remediator: this.remediator,
      exposureRule: this.exposureRule,
      eventDeadLetterQueue: this.eventDeadLetterQueue,
      ...(this.sweep !== undefined ? { sweep: this.sweep } : {}),
    });
    this.alarms = this.monitoring.alarms;
    this.dashboard = this.monitoring.dashboard;

    // ---- Optional trail: multi-region, validated, KMS-encrypted, private bucket with access logs.
    if (settings.createTrail) {
      this.trail = new GuardrailTrail(this, 'CloudTrail', { accessLogs: this.audit.accessLogs, objectAclEvents: settings.objectAclEvents, ...(destroy ? { autoDeleteObjects: true } : {}) }).trail;
    }

    // ---- A trial: everything above is deleted with the stack (lib/teardown.ts).
    if (destroy) {
      Aspects.of(this).add(new DestroyOnDelete());
      // The CDK's bucket-emptying function (autoDeleteObjects) exists only in a trial and runs only at delete.
      const emptier = Stack.of(this).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
      if (emptier !== undefined) {
        acknowledgeControl(emptier, 'CT.LAMBDA.PR.3', `Trial profile only: the CDK's bucket-emptying function runs at stack deletion. ${OUTSIDE_VPC_REASON}`);
      }
    }
  }

  /** A metric the remediator publishes (Powertools, this construct's namespace, `service` = remediate). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.remediator.metric(metricName, props);
  }

  /** Buckets contained. */
  metricRemediated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.remediator.metrics.metricRemediated(props);
  }

  /** Remediations that failed (the bucket may still be public). */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.remediator.metrics.metricFailed(props);
  }

  /** Events ignored (malformed, self-inflicted, not an exposure). */
  metricIgnored(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.remediator.metricIgnored(props);
  }

  /** Milliseconds from the exposing call to containment. Pass `statistic: 'p50'` / `'p99'`. */
  metricTimeToContain(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.remediator.metricTimeToContain(props);
  }

  /** Exposure events the rule matched and sent to the remediator. */
  metricEventsReceived(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.exposureRule.metricEventsReceived(props);
  }

  /** Times EventBridge failed to invoke the remediator. */
  metricRuleFailedInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.exposureRule.metricFailedInvocations(props);
  }

  /**
   * Lets a principal read the audit trail (table and its indexes, archive copies, the key to decrypt them),
   * for reviewers and the `bucket-guardrail audit` / `verify` commands. Nothing here allows a write.
   */
  grantReadAudit(grantee: iam.IGrantable): iam.Grant {
    return grantReadAudit({ audit: this.audit, exemptions: this.exemptions, stack: Stack.of(this) }, grantee);
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
    return grantManageExemptions({ audit: this.audit, exemptions: this.exemptions, stack: Stack.of(this) }, grantee);
  }
}
