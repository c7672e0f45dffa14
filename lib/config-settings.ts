/**
 * The app's `cdk.json` context keys, described once. The parser (`config.ts`) takes its list of keys, the
 * organization-only keys and the reader of every plain key from this table, and `npm run docs` writes
 * docs/configuration.md from it, so the parsed settings and the documented ones cannot drift apart.
 *
 * Adding a key is one entry here: a key with `read` is parsed by that function and appears in
 * `GuardrailAppConfig` under its own name with the function's return type. Keys without `read` are parsed
 * together with others in `config.ts` (`homeRegion` and `regions`; the organization keys).
 *
 * The order is the documentation's order and the order problems are reported in.
 */
import { REMEDIATION_MODES, REMEDIATION_STRATEGIES, type Exemption, type RemediationMode, type RemediationStrategy } from '../lambda/remediate/environment';
import {
  AUDIT_RETENTION_DAYS_RANGE,
  GUARDRAIL_DEFAULTS,
  LOG_RETENTION_DAYS,
  PROFILES,
  type Profile,
  RESERVED_CONCURRENCY_RANGE,
  SWEEP_CONCURRENCY_RANGE,
} from './defaults';
import type { ChatbotChannel } from './alert-destinations';
import { CREATE_VPC, readChatbot, readVpc, type VpcSetting } from './config-structured-readers';
import { ORGANIZATION_DEFAULTS } from './organization/organization-settings';
import { readBoolean, readChoice, readExemptions, readInteger, readList, readString, type Context, type ProblemCollector } from './config-readers';
import {
  checkEmail,
  checkIntegerInRange,
  checkMetricsNamespace,
  checkRoleArn,
  checkSensitiveTagKey,
  checkStackName,
  checkSweepSchedule,
} from './validation';

/** A literal default as inline code. */
function code(value: string | number | boolean): string {
  return `\`${value}\``;
}

/** Which deployment a key belongs to: both, or only the organization-wide one (`organization=true`). */
export type SettingScope = 'app' | 'organization';

/** One context key: what it takes, its default, what it does, and (for plain keys) how it is read. */
export interface ContextSetting<T = unknown> {
  /** The value's shape, as a reader of cdk.json would write it. */
  readonly type: string;
  /** The default, in words when it is not a literal value. */
  readonly default: string;
  readonly description: string;
  /** The construct prop this key feeds, when there is one. */
  readonly prop?: string;
  readonly scope: SettingScope;
  /** Reads and validates the value, reporting problems to the collector and returning the fallback on a bad value. */
  readonly read?: (context: Context, collector: ProblemCollector) => T;
}

export const CONTEXT_SETTINGS = {
  stackName: {
    type: 'string',
    default: code(GUARDRAIL_DEFAULTS.stackName),
    description: 'Name of the main stack; forwarder stacks append `-Forwarder-<region>`, so at most 100 characters (a letter, then letters, digits and hyphens).',
    scope: 'app',
    read: (context, collector): string => readString(context, 'stackName', GUARDRAIL_DEFAULTS.stackName, collector, checkStackName),
  },
  homeRegion: {
    type: 'region code',
    default: `\`CDK_DEFAULT_REGION\`, else \`${GUARDRAIL_DEFAULTS.fallbackHomeRegion}\``,
    description: 'Region of the main stack (remediator, topic, audit store); events from the other covered regions are forwarded there.',
    scope: 'app',
  },
  regions: {
    type: 'list of region codes',
    default: 'the home region only',
    description:
      'Every covered region; must include the home region. One `RegionForwarderStack` per extra region; the sweep checks CloudTrail coverage in each (`coveredRegions` prop, `SWEEP_REGIONS`).',
    prop: 'coveredRegions',
    scope: 'app',
  },
  alertEmails: {
    type: 'list of email addresses',
    default: 'none',
    description: 'Addresses subscribed to the alert topic (each confirms the SNS subscription).',
    prop: 'alertEmails',
    scope: 'app',
    read: (context, collector): readonly string[] => readList(context, 'alertEmails', collector, checkEmail, 'oncall@example.com,security@example.com'),
  },
  remediationMode: {
    type: REMEDIATION_MODES.map((mode) => `\`${mode}\``).join(' or '),
    default: code(GUARDRAIL_DEFAULTS.remediationMode),
    description: '`report-only` changes nothing and reports what would be done (`REMEDIATION_MODE`).',
    prop: 'remediationMode',
    scope: 'app',
    read: (context, collector): RemediationMode =>
      readChoice(context, 'remediationMode', REMEDIATION_MODES, GUARDRAIL_DEFAULTS.remediationMode, collector),
  },
  remediationStrategy: {
    type: REMEDIATION_STRATEGIES.map((strategy) => `\`${strategy}\``).join(' or '),
    default: code(GUARDRAIL_DEFAULTS.remediationStrategy),
    description:
      '`strip-public-grants`: after containment, also remove exactly the public ACL grants and policy statements (`REMEDIATION_STRATEGY`).',
    prop: 'remediationStrategy',
    scope: 'app',
    read: (context, collector): RemediationStrategy =>
      readChoice(context, 'remediationStrategy', REMEDIATION_STRATEGIES, GUARDRAIL_DEFAULTS.remediationStrategy, collector),
  },
  exemptions: {
    type: 'JSON array of `{"bucket", "reason", "owner", "expires"}`',
    default: '`[]`',
    description:
      'Reviewed exceptions: `bucket` is a name or a glob (`*`, `?`), `expires` an ISO 8601 date (a date alone expires at 00:00 UTC). Passed to the remediator and the sweep worker as `EXEMPTIONS`.',
    prop: 'exemptions',
    scope: 'app',
    read: (context, collector): readonly Exemption[] => readExemptions(context, collector),
  },
  sensitiveTagKeys: {
    type: 'list of tag keys',
    default: 'none',
    description: 'Tag keys whose presence marks a bucket as holding sensitive data and raises the alert severity one level (`SENSITIVE_TAG_KEYS`).',
    prop: 'sensitiveTagKeys',
    scope: 'app',
    read: (context, collector): readonly string[] => readList(context, 'sensitiveTagKeys', collector, checkSensitiveTagKey, 'data-classification'),
  },
  auditRetentionDays: {
    type: `whole number, ${AUDIT_RETENTION_DAYS_RANGE.min} to ${AUDIT_RETENTION_DAYS_RANGE.max.toLocaleString('en-US')}`,
    default: code(GUARDRAIL_DEFAULTS.auditRetentionDays),
    description: 'Days of Object Lock COMPLIANCE retention of the audit archive.',
    prop: 'auditRetention (`Duration.days(n)`)',
    scope: 'app',
    read: (context, collector): number =>
      readInteger(context, 'auditRetentionDays', GUARDRAIL_DEFAULTS.auditRetentionDays, collector, (days) => {
        const problem = checkIntegerInRange(days, AUDIT_RETENTION_DAYS_RANGE);
        return problem && `${problem} (days of Object Lock COMPLIANCE retention); for example -c auditRetentionDays=365`;
      }),
  },
  logRetentionDays: {
    type: 'a CloudWatch Logs retention in days',
    default: code(GUARDRAIL_DEFAULTS.logRetentionDays),
    description: `Retention of the functions' log groups; one of ${LOG_RETENTION_DAYS.join(', ')}.`,
    prop: 'logRetention (`logs.RetentionDays`)',
    scope: 'app',
    read: (context, collector): number =>
      readInteger(context, 'logRetentionDays', GUARDRAIL_DEFAULTS.logRetentionDays, collector, (days) =>
        (LOG_RETENTION_DAYS as readonly number[]).includes(days)
          ? undefined
          : `${days} is not a retention CloudWatch Logs offers; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
      ),
  },
  createTrail: {
    type: 'boolean',
    default: code(GUARDRAIL_DEFAULTS.createTrail),
    description: 'Create a multi-region CloudTrail trail (log file validation, KMS-encrypted logs); leave off when a trail already logs management write events in every covered region.',
    prop: 'createTrail',
    scope: 'app',
    read: (context, collector): boolean => readBoolean(context, 'createTrail', GUARDRAIL_DEFAULTS.createTrail, collector),
  },
  enforceAccountBlockPublicAccess: {
    type: 'boolean',
    default: code(GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess),
    description: 'Turn all four account-level Block Public Access settings back on after an account-level event weakens them (`ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS`).',
    prop: 'enforceAccountBlockPublicAccess',
    scope: 'app',
    read: (context, collector): boolean =>
      readBoolean(context, 'enforceAccountBlockPublicAccess', GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess, collector),
  },
  objectAclEvents: {
    type: 'boolean',
    default: code(GUARDRAIL_DEFAULTS.objectAclEvents),
    description:
      'Also catch objects made public by their ACL: route `PutObjectAcl` and `PutObject` data events (a `PutObject` without a public canned ACL or grant is ignored) and, with `createTrail`, add an advanced event selector for them to the trail. CloudTrail data events cost $0.10 per 100,000 ($1.00 per million), and the selector cannot filter on the ACL header, so every upload is billed (`OBJECT_ACL_EVENTS`).',
    prop: 'objectAclEvents',
    scope: 'app',
    read: (context, collector): boolean => readBoolean(context, 'objectAclEvents', GUARDRAIL_DEFAULTS.objectAclEvents, collector),
  },
  outcomeEventBus: {
    type: 'event bus name',
    default: '`default`',
    description: 'EventBridge bus in the home account and region each concluded remediation and sweep finding is put on (detail-type `Bucket Guardrail Outcome`, `OUTCOME_EVENT_BUS`).',
    prop: 'outcomeEventBus',
    scope: 'app',
    read: (context, collector): string =>
      readString(context, 'outcomeEventBus', 'default', collector, (value) =>
        /^[A-Za-z0-9._\-/]{1,256}$/.test(value) ? undefined : `"${value}" is not an event bus name (1-256 of letters, digits . - _ /); for example -c outcomeEventBus=default`,
      ),
  },
  outcomeEventSource: {
    type: 'event source',
    default: '`bucket-guardrail`',
    description: 'The `source` of outcome events (`OUTCOME_EVENT_SOURCE`); not `aws.…`.',
    prop: 'outcomeEventSource',
    scope: 'app',
    read: (context, collector): string =>
      readString(context, 'outcomeEventSource', 'bucket-guardrail', collector, (value) =>
        /^[A-Za-z0-9._\-/]{1,256}$/.test(value) && !value.startsWith('aws.') ? undefined : `"${value}" is not a custom event source; for example -c outcomeEventSource=bucket-guardrail`,
      ),
  },
  securityHub: {
    type: 'boolean',
    default: '`false`',
    description: "Import each bucket exposure into Security Hub as an ASFF finding under the account's default product (`SECURITY_HUB_PRODUCT_ARN`).",
    prop: 'securityHub',
    scope: 'app',
    read: (context, collector): boolean => readBoolean(context, 'securityHub', false, collector),
  },
  chatbot: {
    type: 'JSON `{"slack": {"workspaceId", "channelId"}}` or `{"teams": {"teamId", "tenantId", "channelId"}}`',
    default: 'none',
    description: 'An AWS Chatbot channel subscribed to the alert topic, with a read-only guardrail policy; alerts then carry a Chatbot custom notification.',
    prop: 'chatbot',
    scope: 'app',
    read: (context, collector): ChatbotChannel | undefined => readChatbot(context, collector),
  },
  reservedConcurrency: {
    type: `whole number, ${RESERVED_CONCURRENCY_RANGE.min} to ${RESERVED_CONCURRENCY_RANGE.max.toLocaleString('en-US')}`,
    default: code(GUARDRAIL_DEFAULTS.reservedConcurrency),
    description: 'Reserved concurrency of the remediator. Lambda keeps at least 100 unreserved executions per account, so a new-account quota must be raised first.',
    prop: 'reservedConcurrency',
    scope: 'app',
    read: (context, collector): number =>
      readInteger(context, 'reservedConcurrency', GUARDRAIL_DEFAULTS.reservedConcurrency, collector, (value) => {
        const problem = checkIntegerInRange(value, RESERVED_CONCURRENCY_RANGE);
        return problem && `${problem}; for example -c reservedConcurrency=${GUARDRAIL_DEFAULTS.reservedConcurrency}`;
      }),
  },
  metricsNamespace: {
    type: 'CloudWatch namespace (not `AWS/…`)',
    default: code(GUARDRAIL_DEFAULTS.metricsNamespace),
    description: 'Namespace of the custom metrics (`POWERTOOLS_METRICS_NAMESPACE`), the alarms and the dashboard.',
    prop: 'metricsNamespace',
    scope: 'app',
    read: (context, collector): string => readString(context, 'metricsNamespace', GUARDRAIL_DEFAULTS.metricsNamespace, collector, checkMetricsNamespace),
  },
  sweep: {
    type: 'boolean',
    default: code(GUARDRAIL_DEFAULTS.sweep),
    description:
      'The sweep (on a schedule, after each deploy, on account-level changes); `false` leaves out the schedule, the deploy trigger, the account rule, both sweep functions, their queues and table.',
    prop: 'sweep',
    scope: 'app',
    read: (context, collector): boolean => readBoolean(context, 'sweep', GUARDRAIL_DEFAULTS.sweep, collector),
  },
  sweepSchedule: {
    type: 'EventBridge Scheduler expression',
    default: `\`${GUARDRAIL_DEFAULTS.sweepSchedule}\``,
    description:
      "`rate(<n> minute[s]|hour[s]|day[s])` or a six-field `cron(minutes hours day-of-month month day-of-week year)` with `?` in one day field; quote it with -c: `-c 'sweepSchedule=cron(0 3 * * ? *)'`. A one-time `at(...)` is refused: the sweep must recur.",
    prop: 'sweepSchedule',
    scope: 'app',
    read: (context, collector): string =>
      readString(context, 'sweepSchedule', GUARDRAIL_DEFAULTS.sweepSchedule, collector, (value) => {
        const problem = checkSweepSchedule(value);
        return problem && `${problem}; on the command line quote it: -c 'sweepSchedule=cron(0 3 * * ? *)'`;
      }),
  },
  sweepConcurrency: {
    type: `whole number, ${SWEEP_CONCURRENCY_RANGE.min} to ${SWEEP_CONCURRENCY_RANGE.max.toLocaleString('en-US')}`,
    default: code(GUARDRAIL_DEFAULTS.sweepConcurrency),
    description: "Sweep workers at once (the work queue event source's `maxConcurrency`).",
    prop: 'sweepConcurrency',
    scope: 'app',
    read: (context, collector): number =>
      readInteger(context, 'sweepConcurrency', GUARDRAIL_DEFAULTS.sweepConcurrency, collector, (value) => {
        const problem = checkIntegerInRange(value, SWEEP_CONCURRENCY_RANGE);
        return problem && `${problem} (sweep workers at once); for example -c sweepConcurrency=${GUARDRAIL_DEFAULTS.sweepConcurrency}`;
      }),
  },
  exemptionWriters: {
    type: 'list of IAM role ARNs (a path and `*` / `?` wildcards allowed)',
    default: 'none: nobody can write exemptions',
    description: "Roles allowed to write the exemptions table; its resource policy denies everyone else. Example: `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Security_*`.",
    prop: 'exemptionWriterRoleArns',
    scope: 'app',
    read: (context, collector): readonly string[] =>
      readList(context, 'exemptionWriters', collector, checkRoleArn, 'arn:aws:iam::111122223333:role/SecurityOperator'),
  },
  vpc: {
    type: `\`${CREATE_VPC}\` or a VPC ID (\`vpc-…\`)`,
    default: 'none: the functions run outside any VPC',
    description:
      `Run the guardrail's functions in a VPC, behind a security group that allows HTTPS out only (Control Tower CT.LAMBDA.PR.3 then passes). \`${CREATE_VPC}\`: the stack creates a VPC with isolated subnets in two Availability Zones, no NAT gateway and flow logs to an encrypted log group; home region only (\`regions\` must name no other). ` +
      'A VPC ID: the VPC is looked up at synth (`Vpc.fromLookup`), which needs the account: run `cdk synth` with AWS credentials (the CLI sets `CDK_DEFAULT_ACCOUNT`); the result is cached in cdk.context.json, so later synths read it from there. Single-account only. See docs/landing-zone.md.',
    prop: 'vpc (`ec2.IVpc`)',
    scope: 'app',
    read: (context, collector): VpcSetting | undefined => readVpc(context, collector),
  },
  vpcEndpoints: {
    type: 'boolean',
    default: code(true),
    description:
      'With `vpc`: create the VPC endpoints the functions need (gateway: S3, DynamoDB; interface, private DNS: S3 for S3 Control, SNS, EventBridge, and SQS and CloudTrail with the sweep, Security Hub with `securityHub`). Interface endpoints cost about $7.30 a month each per Availability Zone plus $0.01 per GB. `false` for a VPC that already has them or routes to AWS through a NAT gateway.',
    prop: 'vpcEndpoints',
    scope: 'app',
    read: (context, collector): boolean => readBoolean(context, 'vpcEndpoints', true, collector),
  },
  profile: {
    type: PROFILES.map((profile) => `\`${profile}\``).join(' or '),
    default: code(GUARDRAIL_DEFAULTS.profile),
    description:
      '`trial` is a sandbox that `cdk destroy` removes completely: every table, key (7-day pending window), bucket (emptied first) and log group is deleted with the stacks, ' +
      'and the audit archive keeps Object Lock on without a default retention (`auditRetentionDays` does not apply; `verify` reports the copies as not COMPLIANCE-locked). ' +
      '`production` retains all of them and locks every archive copy in COMPLIANCE mode. Single-account only. See docs/cost-and-teardown.md.',
    prop: 'removalPolicy, auditArchiveLockMode',
    scope: 'app',
    read: (context, collector): Profile => readChoice(context, 'profile', PROFILES, GUARDRAIL_DEFAULTS.profile, collector),
  },
  organization: {
    type: 'boolean',
    default: code(false),
    description: '`true` builds the organization-wide app (a central stack and a StackSet for the member accounts) instead of the single-account one.',
    prop: 'crossAccount (set by the central stack)',
    scope: 'app',
  },
  organizationId: {
    type: 'organization ID (`o-…`)',
    default: 'required with `organization`',
    description: 'The central bus accepts events only from this organization; the member role trusts only its principals.',
    scope: 'organization',
  },
  memberRegions: {
    type: 'list of region codes',
    default: '`regions` (the home region)',
    description: 'Regions of the member stack instances, whose exposure events are forwarded to the central bus.',
    scope: 'organization',
  },
  memberOrganizationalUnits: {
    type: 'list of OU IDs (`ou-…`) or the root (`r-…`)',
    default: 'required with `organization`',
    description: 'What the StackSet (and the SCP) target; accounts that join them later are covered too.',
    scope: 'organization',
  },
  delegatedAdminAccount: {
    type: 'account ID (12 digits)',
    default: 'none: the management account, `CallAs SELF`',
    description: 'The StackSets delegated administrator account that deploys the central stack (`CallAs DELEGATED_ADMIN`); pins the stack\'s account.',
    scope: 'organization',
  },
  memberRoleName: {
    type: 'IAM role name',
    default: code(ORGANIZATION_DEFAULTS.memberRoleName),
    description: 'Name of the member role in every member account, which the remediator and the sweep assume (`MEMBER_ROLE_NAME`).',
    scope: 'organization',
  },
  preventive: {
    type: 'boolean',
    default: code(ORGANIZATION_DEFAULTS.preventive),
    description: 'Add the `-Preventive` stack with the service control policy that denies changing Block Public Access to all but the break-glass and member roles.',
    scope: 'organization',
  },
  breakGlassRoleName: {
    type: 'IAM role name (no path)',
    default: 'required with `preventive`',
    description: 'The role the SCP leaves able to change Block Public Access; must differ from `memberRoleName`.',
    scope: 'organization',
  },
} as const satisfies Readonly<Record<string, ContextSetting>>;

export type ContextKey = keyof typeof CONTEXT_SETTINGS;

/** The keys parsed by their own `read` function. */
export type PlainContextKey = {
  [K in ContextKey]: (typeof CONTEXT_SETTINGS)[K] extends { readonly read: (...args: never[]) => unknown } ? K : never;
}[ContextKey];

/** The parsed values of the plain keys, each under its key with its reader's type. */
export type PlainSettings = {
  readonly [K in PlainContextKey]: ReturnType<(typeof CONTEXT_SETTINGS)[K]['read']>;
};

/** The context keys this app reads, in table order. */
export const CONTEXT_KEYS: readonly ContextKey[] = Object.keys(CONTEXT_SETTINGS) as ContextKey[];

/** The keys that only mean something with `organization` on. */
export const ORGANIZATION_ONLY_KEYS = CONTEXT_KEYS.filter((key) => CONTEXT_SETTINGS[key].scope === 'organization');

/** Every setting as a row, in table order (for the generated documentation). */
export function contextSettingRows(): readonly (ContextSetting & { readonly key: ContextKey })[] {
  return CONTEXT_KEYS.map((key) => ({ key, ...(CONTEXT_SETTINGS[key] as ContextSetting) }));
}
