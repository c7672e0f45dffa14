/**
 * PublicBucketGuardrail's props and their defaults, as a caller writes them (validate-props.ts checks them and
 * applies the defaults). A bad value throws GuardrailPropsError with the fix.
 */
import type { ChatbotChannel } from './alert-destinations';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Exemption, RemediationMode, RemediationStrategy } from '../lambda/remediate/environment';
import type { CrossAccountSettings } from './member-role-grants';

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
   * The EventBridge bus (name, in the stack's account and region) each concluded remediation and sweep finding
   * is put on, detail-type `Bucket Guardrail Outcome`.
   * @default 'default' - the account's default bus
   */
  readonly outcomeEventBus?: string;

  /**
   * The `source` of outcome events.
   * @default 'bucket-guardrail'
   */
  readonly outcomeEventSource?: string;

  /**
   * Import each bucket exposure into Security Hub (ASFF, the account's default product); grants
   * securityhub:BatchImportFindings on that product only.
   * @default false
   */
  readonly securityHub?: boolean;

  /**
   * An AWS Chatbot channel (Slack or Microsoft Teams) subscribed to the alert topic, with a read-only guardrail
   * policy; alerts then carry a Chatbot custom notification.
   * @default - no chat channel
   */
  readonly chatbot?: ChatbotChannel;

  /**
   * Restore all four account-level Block Public Access settings after an account-level event weakens them
   * (grants s3:PutAccountPublicAccessBlock).
   * @default false
   */
  readonly enforceAccountBlockPublicAccess?: boolean;

  /**
   * Catch objects made public by their ACL: route PutObjectAcl and PutObject data events (a PutObject without a
   * public canned ACL or grant is ignored), grant s3:GetObjectAcl, and with `createTrail` add an advanced event
   * selector for them to the trail. Without `createTrail`, a trail of yours must log these data events. CloudTrail
   * bills data events ($0.10 per 100,000) and cannot filter on the ACL header, so every PutObject is billed.
   * @default false
   */
  readonly objectAclEvents?: boolean;

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
   * What happens to the stateful resources (audit and exemptions tables, the audit archive and access-log buckets,
   * the trail bucket, the customer managed keys, the log groups) when the stack is deleted. `RemovalPolicy.DESTROY`
   * is for trials: every resource is deleted with the stack, buckets are emptied first (`autoDeleteObjects`), table
   * deletion protection is off and keys are scheduled for deletion after 7 days. Pair it with
   * `auditArchiveLockMode: 'NONE'`, or the emptying of the archive fails on locked records.
   * @default RemovalPolicy.RETAIN - everything is kept: deleting the stack never deletes the audit trail
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Object Lock mode of the audit archive's default retention (`auditRetention` long). `COMPLIANCE`: nobody, root
   * included, can delete or shorten a record's retention. `GOVERNANCE`: principals with
   * s3:BypassGovernanceRetention can. `NONE`: Object Lock stays enabled on the bucket but no default retention
   * applies, so records can be deleted (trials; `bucket-guardrail verify` then reports copies without COMPLIANCE lock).
   * @default 'COMPLIANCE'
   */
  readonly auditArchiveLockMode?: AuditArchiveLockMode;

  /**
   * Organization-wide operation: the remediator may assume `memberRoleName` in any account of the organization
   * (sts:AssumeRole on `arn:<partition>:iam::*:role/<memberRoleName>` where `aws:ResourceOrgID` is
   * `organizationId`), and its environment names the role (MEMBER_ROLE_NAME, ORGANIZATION_ID). It guards the
   * organization's accounts: `memberAccountIds` (GUARDED_ACCOUNT_IDS) without a lookup, any other account after
   * Organizations DescribeAccount finds it in `organizationId` (granted on that organization's accounts only).
   * @default - single account: no cross-account permission; only this stack's account is guarded
   */
  readonly crossAccount?: CrossAccountSettings;

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

  /**
   * Run every guardrail function (the remediator, the sweep's lister and worker) in this VPC, behind one security
   * group that allows HTTPS (tcp/443) out and nothing in; the functions' roles get the network-interface actions
   * Lambda needs. AWS Control Tower's CT.LAMBDA.PR.3 then passes for them. The functions reach AWS only through the
   * VPC: see `vpcEndpoints`. Not supported with `crossAccount` yet.
   * @default - the functions run outside any VPC, and CT.LAMBDA.PR.3 is acknowledged with its reason
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the functions and the interface endpoints go in (one per Availability Zone for the
   * endpoints). Public subnets are refused.
   * @default - the VPC's private subnets: those with egress if it has any, else the isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Create, in `vpc`, the VPC endpoints the functions need without a NAT gateway: gateway endpoints for S3 and
   * DynamoDB; interface endpoints (private DNS) for S3 (which serves S3 Control), SNS and EventBridge, plus SQS and
   * CloudTrail with the sweep and Security Hub with `securityHub`. Each endpoint policy admits principals of this
   * account only. Interface endpoints bill per hour in each Availability Zone. Turn off when the VPC already has
   * them (a second endpoint with private DNS for the same service fails) or routes to AWS through a NAT gateway.
   * @default true
   */
  readonly vpcEndpoints?: boolean;
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

/** Object Lock modes of the audit archive's default retention; NONE sets no default retention. */
export const AUDIT_ARCHIVE_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE', 'NONE'] as const;
export type AuditArchiveLockMode = (typeof AUDIT_ARCHIVE_LOCK_MODES)[number];
