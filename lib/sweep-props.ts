/**
 * GuardrailSweep's props, defaults, metric names and validation (the construct is in guardrail-sweep.ts).
 */
import type { ArchiveLockSettings } from '../lambda/shared/audit/archive-lock';
import type { AlertDeliverySettings } from './alert-destinations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { FunctionNetwork } from './guardrail-network';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Token } from 'aws-cdk-lib';
import type { Exemption, RemediationMode, RemediationStrategy } from '../lambda/remediate/environment';
import { GUARDRAIL_DEFAULTS, SWEEP_CONCURRENCY_RANGE } from './defaults';
import { checkOrganizationId, checkRoleName } from './organization/organization-settings';
import { checkMetricsNamespace, checkSweepSchedule } from './validation';

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


/** What the worker does to a public bucket: the remediator's settings, shared with the event path. */
export interface SweepRemediationSettings {
  readonly mode: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  readonly sensitiveTagKeys: readonly string[];
  /**
   * Outcome events, Security Hub findings and the Chatbot notification format, as the remediator's.
   * @default - no outcome events, no findings, no Chatbot format (PublicBucketGuardrail passes its own)
   */
  readonly deliveries?: AlertDeliverySettings;
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
  /**
   * How the archive's copies are locked (AuditTrail.archiveLock): the worker writes them with this mode and a
   * retain-until date, as the archive's bucket policy requires, and gets s3:PutObjectRetention for it.
   * @default - copies are written without lock headers (the bucket's default retention applies)
   */
  readonly auditArchiveLock?: ArchiveLockSettings;
  /** Encrypts both queues, the dead-letter queue and the progress table. */
  readonly encryptionKey: kms.IKey;
  /**
   * Encrypts the lister's and the worker's log groups; CloudWatch Logs must be allowed to use it (see newLogsKey).
   * @default - a new key (`LogsKey`) that CloudWatch Logs in this account and Region may use
   */
  readonly logsKey?: kms.IKey;
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
  /**
   * Run the lister and the worker in a VPC (GuardrailNetwork, which PublicBucketGuardrail passes with its `vpc`);
   * the VPC must reach SQS, CloudTrail, S3, S3 Control, DynamoDB, SNS and EventBridge.
   * @default - outside any VPC
   */
  readonly network?: FunctionNetwork;
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

export function validateSweepProps(props: GuardrailSweepProps): { schedule: scheduler.ScheduleExpression; concurrency: number } {
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
