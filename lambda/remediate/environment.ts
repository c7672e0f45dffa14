/**
 * The remediator's environment contract: typed once, imported by the construct (which sets the
 * variables) and by the handler (which validates them once per cold start).
 *
 * This module is pure: it never reads `process.env` itself; callers pass the environment in.
 */
import { CROSS_ACCOUNT_ENV, parseCrossAccountEnvironment, type CrossAccountSettings } from '../shared/aws/assume-role';
import { parseArchiveLockSettings, type ArchiveLockSettings } from '../shared/audit/archive-lock';
import { validateExemption, type Exemption } from '../shared/exemptions/exemption';
import { parseDefaultProductArn, type FindingTarget } from '../shared/findings/asff';
import { DEFAULT_OUTCOME_EVENT_SOURCE } from '../shared/findings/outcome-event';

/** The exemption contract lives in lambda/shared/exemptions; re-exported for the environment's importers. */
export { validateExemption, type Exemption };

export const REMEDIATION_MODES = ['enforce', 'report-only'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

export const REMEDIATION_STRATEGIES = ['block-public-access', 'strip-public-grants'] as const;
export type RemediationStrategy = (typeof REMEDIATION_STRATEGIES)[number];

/** The variables the construct sets and the handler reads, by name. */
export const REMEDIATE_ENV = {
  alertTopicArn: 'ALERT_TOPIC_ARN',
  auditTableName: 'AUDIT_TABLE_NAME',
  auditArchiveBucket: 'AUDIT_ARCHIVE_BUCKET',
  /** The Object Lock mode of every archive copy: COMPLIANCE, GOVERNANCE or NONE. Optional (see parse). */
  auditArchiveLockMode: 'AUDIT_ARCHIVE_LOCK_MODE',
  /** Whole days each archive copy is retained from its write (COMPLIANCE, GOVERNANCE). */
  auditArchiveRetentionDays: 'AUDIT_ARCHIVE_RETENTION_DAYS',
  mode: 'REMEDIATION_MODE',
  strategy: 'REMEDIATION_STRATEGY',
  exemptions: 'EXEMPTIONS',
  selfRoleArn: 'SELF_ROLE_ARN',
  sensitiveTagKeys: 'SENSITIVE_TAG_KEYS',
  enforceAccountBlockPublicAccess: 'ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS',
  /** The DynamoDB exemptions table (`bucket-guardrail exempt`), read with the bucket state. Optional. */
  exemptionsTableName: 'EXEMPTIONS_TABLE_NAME',
  /**
   * The accounts the remediator acts in, comma-separated 12-digit IDs. Optional. Single-account mode: only
   * SELF_ROLE_ARN's account may be listed (the default). Organization mode: accounts known to be members, looked
   * up without an Organizations call; any other account is checked with Organizations DescribeAccount.
   */
  guardedAccountIds: 'GUARDED_ACCOUNT_IDS',
  /** `true`: act on object ACL data events (PutObjectAcl, PutObject with a public ACL header). Optional. */
  objectAclEvents: 'OBJECT_ACL_EVENTS',
  /** The EventBridge bus (name or ARN) outcome events are put on. Optional: unset, no outcome events. */
  outcomeEventBus: 'OUTCOME_EVENT_BUS',
  /** The `source` of outcome events. Optional. */
  outcomeEventSource: 'OUTCOME_EVENT_SOURCE',
  /** The account's default Security Hub product ARN. Optional: unset, no findings. */
  securityHubProductArn: 'SECURITY_HUB_PRODUCT_ARN',
  /** `true`: alerts carry an AWS Chatbot custom notification as their `https` message. Optional. */
  chatbotNotifications: 'ALERT_CHATBOT_NOTIFICATIONS',
} as const;

/** The handler's configuration after validation. */
export interface RemediateConfig {
  readonly alertTopicArn: string;
  readonly auditTableName: string;
  /** The Object Lock archive bucket; when absent no archive copy is written. */
  readonly auditArchiveBucket?: string;
  /**
   * How each archive copy is locked: its mode and retain-until date are sent with the write, as the archive's
   * bucket policy requires.
   * @default - no explicit lock: the bucket's default retention applies
   */
  readonly auditArchiveLock?: ArchiveLockSettings;
  readonly mode: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  /** ARN of the role the remediator runs as (`arn:aws:iam::<account>:role/<name>`). */
  readonly selfRoleArn: string;
  /** Tag keys whose presence marks a bucket as holding sensitive data (raises severity one level). */
  readonly sensitiveTagKeys: readonly string[];
  /** Turn all four account-level Block Public Access settings back on after an account-level event weakens them. */
  readonly enforceAccountBlockPublicAccess: boolean;
  /** The exemptions table, read in the first round trip with the bucket state; when absent only `exemptions` apply. */
  readonly exemptionsTableName?: string;
  /**
   * Organization-wide: the member role to assume in every account other than the function's own
   * (MEMBER_ROLE_NAME, ORGANIZATION_ID). When absent every call uses the function's own credentials.
   */
  readonly crossAccount?: CrossAccountSettings;
  /**
   * Accounts known to be guarded (GUARDED_ACCOUNT_IDS). Events about any other account are ignored, except, in
   * organization mode, accounts Organizations DescribeAccount finds in ORGANIZATION_ID.
   * @default - single account: SELF_ROLE_ARN's account; organization: SELF_ROLE_ARN's account, others looked up
   */
  readonly guardedAccountIds?: readonly string[];
  /**
   * Act on object ACL data events (OBJECT_ACL_EVENTS): PutObjectAcl, and PutObject with a public canned ACL or grant.
   * @default false - they are ignored with a reason
   */
  readonly objectAclEvents?: boolean;
  /** Outcome events: the bus and the `source`. @default - no outcome events */
  readonly outcomeEvents?: { readonly bus: string; readonly source: string };
  /** Security Hub findings go to this default product. @default - no findings */
  readonly securityHub?: FindingTarget;
  /** Alerts carry an AWS Chatbot custom notification (`https` message). @default false */
  readonly chatbotNotifications?: boolean;
}

/** Invalid configuration: names the variable and the fix. Thrown at cold start. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
    this.name = 'ConfigurationError';
  }
}

const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const ARN_PATTERN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ConfigurationError(name, 'is not set; the PublicBucketGuardrail construct sets it, set it yourself when running the handler elsewhere');
  }
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(name, `is "${value}"; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

/** Parses and validates the environment. Throws ConfigurationError naming the variable and the fix. */
export function parseRemediateEnvironment(env: Readonly<Record<string, string | undefined>>): RemediateConfig {
  const alertTopicArn = required(env, REMEDIATE_ENV.alertTopicArn);
  if (!ARN_PATTERN.test(alertTopicArn) || !alertTopicArn.includes(':sns:')) {
    throw new ConfigurationError(REMEDIATE_ENV.alertTopicArn, `"${alertTopicArn}" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
  }
  const auditTableName = required(env, REMEDIATE_ENV.auditTableName);
  if (!TABLE_NAME_PATTERN.test(auditTableName)) {
    throw new ConfigurationError(REMEDIATE_ENV.auditTableName, `"${auditTableName}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)`);
  }
  const auditArchiveBucket = env[REMEDIATE_ENV.auditArchiveBucket]?.trim() || undefined;
  const auditArchiveLock = parseArchiveLock(env);
  const mode = oneOf(REMEDIATE_ENV.mode, env[REMEDIATE_ENV.mode]?.trim() || 'enforce', REMEDIATION_MODES);
  const strategy = oneOf(
    REMEDIATE_ENV.strategy,
    env[REMEDIATE_ENV.strategy]?.trim() || 'block-public-access',
    REMEDIATION_STRATEGIES,
  );
  const selfRoleArn = required(env, REMEDIATE_ENV.selfRoleArn);
  if (!ROLE_ARN_PATTERN.test(selfRoleArn)) {
    throw new ConfigurationError(REMEDIATE_ENV.selfRoleArn, `"${selfRoleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }

  let exemptions: Exemption[] = [];
  const rawExemptions = env[REMEDIATE_ENV.exemptions]?.trim();
  if (rawExemptions) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawExemptions);
    } catch (error) {
      throw new ConfigurationError(REMEDIATE_ENV.exemptions, 'is not valid JSON; expected an array such as [{"bucket":"site-*","reason":"…","owner":"…","expires":"2027-01-31"}]', { cause: error });
    }
    if (!Array.isArray(parsed)) {
      throw new ConfigurationError(REMEDIATE_ENV.exemptions, 'must be a JSON array of {bucket, reason, owner, expires}');
    }
    try {
      exemptions = parsed.map((item, index) => validateExemption(item, `[${index}]`));
    } catch (error) {
      throw new ConfigurationError(REMEDIATE_ENV.exemptions, (error as Error).message, { cause: error });
    }
  }

  const sensitiveTagKeys = (env[REMEDIATE_ENV.sensitiveTagKeys] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);

  const enforceAccountBlockPublicAccess =
    oneOf(REMEDIATE_ENV.enforceAccountBlockPublicAccess, env[REMEDIATE_ENV.enforceAccountBlockPublicAccess]?.trim() || 'false', ['true', 'false'] as const) === 'true';

  const objectAclEvents = oneOf(REMEDIATE_ENV.objectAclEvents, env[REMEDIATE_ENV.objectAclEvents]?.trim() || 'false', ['true', 'false'] as const) === 'true';

  const exemptionsTableName = env[REMEDIATE_ENV.exemptionsTableName]?.trim() || undefined;
  if (exemptionsTableName !== undefined && !TABLE_NAME_PATTERN.test(exemptionsTableName)) {
    throw new ConfigurationError(
      REMEDIATE_ENV.exemptionsTableName,
      `"${exemptionsTableName}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -); leave it unset to use only EXEMPTIONS`,
    );
  }

  let crossAccount: CrossAccountSettings | undefined;
  try {
    crossAccount = parseCrossAccountEnvironment(env);
  } catch (error) {
    const variable = (error as { variable?: unknown }).variable;
    throw new ConfigurationError(typeof variable === 'string' ? variable : CROSS_ACCOUNT_ENV.memberRoleName, messageAfterVariable(error), { cause: error });
  }

  const guardedAccountIds = parseGuardedAccountIds(env[REMEDIATE_ENV.guardedAccountIds], selfRoleArn, crossAccount !== undefined);

  const outcomeEventBus = env[REMEDIATE_ENV.outcomeEventBus]?.trim() || undefined;
  if (outcomeEventBus !== undefined && !EVENT_BUS_PATTERN.test(outcomeEventBus)) {
    throw new ConfigurationError(REMEDIATE_ENV.outcomeEventBus, `"${outcomeEventBus}" is not an event bus name or ARN; use default, a bus name such as security-events, or arn:aws:events:<region>:<account>:event-bus/<name>`);
  }
  const outcomeEventSource = env[REMEDIATE_ENV.outcomeEventSource]?.trim() || DEFAULT_OUTCOME_EVENT_SOURCE;
  if (!EVENT_SOURCE_PATTERN.test(outcomeEventSource) || outcomeEventSource.startsWith('aws.')) {
    throw new ConfigurationError(REMEDIATE_ENV.outcomeEventSource, `"${outcomeEventSource}" is not a custom event source (1-256 of letters, digits . - _ /, not starting with aws.); for example ${DEFAULT_OUTCOME_EVENT_SOURCE}`);
  }
  const productArn = env[REMEDIATE_ENV.securityHubProductArn]?.trim() || undefined;
  const securityHub = productArn !== undefined ? parseDefaultProductArn(productArn) : undefined;
  if (productArn !== undefined && securityHub === undefined) {
    throw new ConfigurationError(REMEDIATE_ENV.securityHubProductArn, `"${productArn}" is not the account's default product ARN (arn:<partition>:securityhub:<region>:<account>:product/<account>/default)`);
  }
  const chatbotNotifications = oneOf(REMEDIATE_ENV.chatbotNotifications, env[REMEDIATE_ENV.chatbotNotifications]?.trim() || 'false', ['true', 'false'] as const) === 'true';

  return {
    alertTopicArn,
    auditTableName,
    auditArchiveBucket,
    ...(auditArchiveLock !== undefined ? { auditArchiveLock } : {}),
    mode,
    strategy,
    exemptions,
    selfRoleArn,
    sensitiveTagKeys,
    enforceAccountBlockPublicAccess,
    ...(exemptionsTableName !== undefined ? { exemptionsTableName } : {}),
    ...(crossAccount !== undefined ? { crossAccount } : {}),
    ...(guardedAccountIds !== undefined ? { guardedAccountIds } : {}),
    ...(objectAclEvents ? { objectAclEvents } : {}),
    ...(outcomeEventBus !== undefined ? { outcomeEvents: { bus: outcomeEventBus, source: outcomeEventSource } } : {}),
    ...(securityHub !== undefined ? { securityHub } : {}),
    ...(chatbotNotifications ? { chatbotNotifications: true } : {}),
  };
}

const EVENT_BUS_PATTERN = /^([A-Za-z0-9._\-/]{1,256}|arn:[a-z-]+:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256})$/;
const EVENT_SOURCE_PATTERN = /^[A-Za-z0-9._\-/]{1,256}$/;

/** GUARDED_ACCOUNT_IDS: unset or empty → undefined; single-account mode may name only SELF_ROLE_ARN's account. */
function parseGuardedAccountIds(raw: string | undefined, selfRoleArn: string, organizationMode: boolean): readonly string[] | undefined {
  const ids = (raw ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) return undefined;
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) {
    throw new ConfigurationError(REMEDIATE_ENV.guardedAccountIds, `"${bad}" is not a 12-digit account ID; use comma-separated IDs such as 111122223333,444455556666`);
  }
  const home = selfRoleArn.split(':')[4];
  if (!organizationMode) {
    const other = ids.find((id) => id !== home);
    if (other !== undefined) {
      throw new ConfigurationError(
        REMEDIATE_ENV.guardedAccountIds,
        `names ${other}, but single-account mode acts only in its own account ${home}; deploy the organization mode (MEMBER_ROLE_NAME, ORGANIZATION_ID) to guard other accounts`,
      );
    }
  }
  return [...new Set(ids)];
}

/**
 * AUDIT_ARCHIVE_LOCK_MODE and AUDIT_ARCHIVE_RETENTION_DAYS: both unset → undefined (no explicit lock); the days
 * alone mean COMPLIANCE; COMPLIANCE or GOVERNANCE need the days; NONE takes none.
 */
function parseArchiveLock(env: Readonly<Record<string, string | undefined>>): ArchiveLockSettings | undefined {
  const mode = env[REMEDIATE_ENV.auditArchiveLockMode]?.trim() || undefined;
  const days = env[REMEDIATE_ENV.auditArchiveRetentionDays]?.trim() || undefined;
  if (mode === undefined && days === undefined) return undefined;
  try {
    return parseArchiveLockSettings(mode ?? 'COMPLIANCE', days);
  } catch (error) {
    const variable = mode !== undefined && !['COMPLIANCE', 'GOVERNANCE', 'NONE'].includes(mode) ? REMEDIATE_ENV.auditArchiveLockMode : REMEDIATE_ENV.auditArchiveRetentionDays;
    throw new ConfigurationError(variable, `${(error as Error).message}; the construct sets both from auditArchiveLockMode and auditRetention`, { cause: error });
  }
}

/** "VARIABLE: message" → "message", so a wrapped error names its variable once. */
function messageAfterVariable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const colon = message.indexOf(': ');
  return colon >= 0 ? message.slice(colon + 2) : message;
}

/** The inverse of parseRemediateEnvironment, for the construct. Values may be CDK tokens. */
export function toRemediateEnvironment(config: {
  alertTopicArn: string;
  auditTableName: string;
  auditArchiveBucket?: string;
  auditArchiveLock?: ArchiveLockSettings;
  mode: RemediationMode;
  strategy: RemediationStrategy;
  exemptions: readonly Exemption[];
  selfRoleArn: string;
  sensitiveTagKeys: readonly string[];
  enforceAccountBlockPublicAccess: boolean;
  exemptionsTableName?: string;
  crossAccount?: CrossAccountSettings;
  guardedAccountIds?: readonly string[];
  objectAclEvents?: boolean;
  outcomeEventBus?: string;
  outcomeEventSource?: string;
  securityHubProductArn?: string;
  chatbotNotifications?: boolean;
}): Record<string, string> {
  const env: Record<string, string> = {
    [REMEDIATE_ENV.alertTopicArn]: config.alertTopicArn,
    [REMEDIATE_ENV.auditTableName]: config.auditTableName,
    [REMEDIATE_ENV.mode]: config.mode,
    [REMEDIATE_ENV.strategy]: config.strategy,
    [REMEDIATE_ENV.exemptions]: JSON.stringify(config.exemptions),
    [REMEDIATE_ENV.selfRoleArn]: config.selfRoleArn,
    [REMEDIATE_ENV.sensitiveTagKeys]: config.sensitiveTagKeys.join(','),
    [REMEDIATE_ENV.enforceAccountBlockPublicAccess]: String(config.enforceAccountBlockPublicAccess),
  };
  if (config.auditArchiveBucket !== undefined) {
    env[REMEDIATE_ENV.auditArchiveBucket] = config.auditArchiveBucket;
  }
  if (config.auditArchiveLock !== undefined) {
    env[REMEDIATE_ENV.auditArchiveLockMode] = config.auditArchiveLock.mode;
    if (config.auditArchiveLock.mode !== 'NONE') env[REMEDIATE_ENV.auditArchiveRetentionDays] = String(config.auditArchiveLock.retentionDays);
  }
  if (config.exemptionsTableName !== undefined) {
    env[REMEDIATE_ENV.exemptionsTableName] = config.exemptionsTableName;
  }
  if (config.crossAccount !== undefined) {
    env[CROSS_ACCOUNT_ENV.memberRoleName] = config.crossAccount.memberRoleName;
    env[CROSS_ACCOUNT_ENV.organizationId] = config.crossAccount.organizationId;
  }
  if (config.objectAclEvents === true) {
    env[REMEDIATE_ENV.objectAclEvents] = 'true';
  }
  if (config.guardedAccountIds !== undefined && config.guardedAccountIds.length > 0) {
    env[REMEDIATE_ENV.guardedAccountIds] = config.guardedAccountIds.join(',');
  }
  if (config.outcomeEventBus !== undefined) {
    env[REMEDIATE_ENV.outcomeEventBus] = config.outcomeEventBus;
    env[REMEDIATE_ENV.outcomeEventSource] = config.outcomeEventSource ?? DEFAULT_OUTCOME_EVENT_SOURCE;
  }
  if (config.securityHubProductArn !== undefined) {
    env[REMEDIATE_ENV.securityHubProductArn] = config.securityHubProductArn;
  }
  if (config.chatbotNotifications === true) {
    env[REMEDIATE_ENV.chatbotNotifications] = 'true';
  }
  return env;
}
