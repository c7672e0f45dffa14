/**
 * Parses and validates the app's `cdk.json` context once. Pure: the caller passes the context values and
 * the one environment fact it needs (`CDK_DEFAULT_REGION`); nothing here reads `process.env`.
 *
 * Context comes in two shapes: JSON values from `cdk.json` (arrays, booleans, numbers) and strings from
 * `-c key=value` on the command line. Both are accepted for every key.
 */
import {
  REMEDIATION_MODES,
  REMEDIATION_STRATEGIES,
  validateExemption,
  type Exemption,
  type RemediationMode,
  type RemediationStrategy,
} from '../lambda/remediate/environment';
import {
  AUDIT_RETENTION_DAYS_RANGE,
  GUARDRAIL_DEFAULTS,
  LOG_RETENTION_DAYS,
  RESERVED_CONCURRENCY_RANGE,
  SWEEP_CONCURRENCY_RANGE,
} from './defaults';
import {
  ORGANIZATION_DEFAULTS,
  checkAccountId,
  checkOrganizationId,
  checkOrganizationalUnitId,
  checkRoleName,
  memberRoleRegionOf,
  type OrganizationConfig,
} from './organization/organization-settings';
import {
  checkEmail,
  checkIntegerInRange,
  checkMetricsNamespace,
  checkRegion,
  checkRoleArn,
  checkSensitiveTagKey,
  checkStackName,
  checkSweepSchedule,
} from './validation';

/** The context keys this app reads. Anything else that looks like a misspelling of one is reported. */
export const CONTEXT_KEYS = [
  'stackName',
  'homeRegion',
  'regions',
  'alertEmails',
  'remediationMode',
  'remediationStrategy',
  'exemptions',
  'sensitiveTagKeys',
  'auditRetentionDays',
  'logRetentionDays',
  'createTrail',
  'enforceAccountBlockPublicAccess',
  'reservedConcurrency',
  'metricsNamespace',
  'sweep',
  'sweepSchedule',
  'sweepConcurrency',
  'exemptionWriters',
  'organization',
  'organizationId',
  'memberRegions',
  'memberOrganizationalUnits',
  'delegatedAdminAccount',
  'memberRoleName',
  'preventive',
  'breakGlassRoleName',
] as const;

/** The keys that only mean something with `organization` on. */
const ORGANIZATION_ONLY_KEYS = [
  'organizationId',
  'memberRegions',
  'memberOrganizationalUnits',
  'delegatedAdminAccount',
  'memberRoleName',
  'preventive',
  'breakGlassRoleName',
] as const satisfies readonly ContextKey[];
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export interface GuardrailAppConfig {
  readonly stackName: string;
  /** Region of the main stack (remediator, topic, audit store); events from other regions are forwarded here. */
  readonly homeRegion: string;
  /** Where the home region came from, for messages. */
  readonly homeRegionSource: 'context homeRegion' | 'CDK_DEFAULT_REGION' | 'default';
  /** Every covered region, home region first. */
  readonly regions: readonly string[];
  readonly alertEmails: readonly string[];
  readonly remediationMode: RemediationMode;
  readonly remediationStrategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  readonly sensitiveTagKeys: readonly string[];
  readonly auditRetentionDays: number;
  readonly logRetentionDays: number;
  readonly createTrail: boolean;
  readonly enforceAccountBlockPublicAccess: boolean;
  readonly reservedConcurrency: number;
  readonly metricsNamespace: string;
  /** The sweep (schedule, after each deploy, on account-level changes); `false` leaves it out. */
  readonly sweep: boolean;
  /** EventBridge Scheduler expression of the regular sweep (`rate(...)` or six-field `cron(...)`). */
  readonly sweepSchedule: string;
  /** Sweep workers at once (2 to 1,000). */
  readonly sweepConcurrency: number;
  /** IAM role ARNs allowed to write the exemptions table (its resource policy denies everyone else). */
  readonly exemptionWriters: readonly string[];
  /**
   * The organization-wide deployment (context `organization`): a central stack in the home region and a
   * StackSet for the member accounts, instead of the single-account stacks.
   * @default - single account
   */
  readonly organization?: OrganizationConfig;
}

export interface ContextProblem {
  readonly key: string;
  readonly message: string;
}

/** One or more context values are invalid; `problems` lists each with the key, the bad value and the fix. */
export class AppConfigError extends Error {
  constructor(
    readonly problems: readonly ContextProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `Invalid cdk.json context (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem.key}: ${problem.message}`).join('\n'),
      options,
    );
    this.name = 'AppConfigError';
  }
}

type Context = Readonly<Record<string, unknown>>;

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

class ProblemCollector {
  readonly problems: ContextProblem[] = [];
  add(key: string, message: string): void {
    this.problems.push({ key, message });
  }
}

function readString<T extends string>(
  context: Context,
  key: ContextKey,
  fallback: T,
  collector: ProblemCollector,
  check: (value: string) => string | undefined,
): T | string {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw !== 'string') {
    collector.add(key, `${show(raw)} is not a string; set it as "${key}": "${fallback}" in cdk.json or -c ${key}=${fallback}`);
    return fallback;
  }
  const problem = check(raw.trim());
  if (problem) collector.add(key, problem);
  return raw.trim();
}

function readChoice<T extends string>(context: Context, key: ContextKey, allowed: readonly T[], fallback: T, collector: ProblemCollector): T {
  const value = readString(context, key, fallback, collector, (candidate) =>
    (allowed as readonly string[]).includes(candidate)
      ? undefined
      : `"${candidate}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}; for example -c ${key}=${allowed[0]}`,
  );
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function readBoolean(context: Context, key: ContextKey, fallback: boolean, collector: ProblemCollector): boolean {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  collector.add(key, `${show(raw)} is not true or false; use -c ${key}=true or "${key}": true in cdk.json`);
  return fallback;
}

function readInteger(
  context: Context,
  key: ContextKey,
  fallback: number,
  collector: ProblemCollector,
  check: (value: number) => string | undefined,
): number {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    collector.add(key, `${show(raw)} is not a whole number; use -c ${key}=${fallback} or "${key}": ${fallback} in cdk.json`);
    return fallback;
  }
  const problem = check(value);
  if (problem) {
    collector.add(key, problem);
    return fallback;
  }
  return value;
}

/** A list from a JSON array of strings or from a comma-separated string. */
function readList(context: Context, key: ContextKey, collector: ProblemCollector, check: (value: string) => string | undefined, example: string): string[] {
  const raw = context[key];
  if (raw === undefined || raw === null) return [];
  let items: string[];
  if (typeof raw === 'string') {
    items = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  } else if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) {
    items = raw.map((item: string) => item.trim());
  } else {
    collector.add(key, `${show(raw)} is not a list; use a comma list (-c ${key}=${example}) or a JSON array of strings in cdk.json`);
    return [];
  }
  const valid: string[] = [];
  items.forEach((item, index) => {
    const problem = check(item);
    if (problem) {
      collector.add(`${key}[${index}]`, problem);
    } else if (!valid.includes(item)) {
      valid.push(item);
    }
  });
  return valid;
}

function readExemptions(context: Context, collector: ProblemCollector): Exemption[] {
  let raw = context.exemptions;
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      collector.add(
        'exemptions',
        `${show(raw)} is not JSON; expected an array such as [{"bucket":"site-*","reason":"public website","owner":"web-team","expires":"2027-01-31"}]`,
      );
      return [];
    }
  }
  if (!Array.isArray(raw)) {
    collector.add('exemptions', `${show(raw)} is not an array; expected [{"bucket", "reason", "owner", "expires"}, …]`);
    return [];
  }
  const exemptions: Exemption[] = [];
  raw.forEach((item: unknown, index: number) => {
    try {
      exemptions.push(validateExemption(item, `exemptions[${index}]`));
    } catch (error) {
      collector.add(`exemptions[${index}]`, `${error instanceof Error ? error.message : String(error)} (got ${show(item)})`);
    }
  });
  return exemptions;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** Context keys that look like a misspelt key of ours (feature flags and lookups contain ':' and are skipped). */
function findMisspeltKeys(context: Context, collector: ProblemCollector): void {
  for (const key of Object.keys(context)) {
    if ((CONTEXT_KEYS as readonly string[]).includes(key) || /[:@/]/.test(key)) continue;
    const near = CONTEXT_KEYS.find((known) => known.toLowerCase() === key.toLowerCase() || editDistance(known.toLowerCase(), key.toLowerCase()) <= 2);
    if (near) collector.add(key, `is not a setting of this app; did you mean "${near}"?`);
  }
}

/**
 * Parses the context. Throws AppConfigError listing every problem at once.
 * @param context the app's context values by key (at least the CONTEXT_KEYS that are set)
 * @param environment.defaultRegion the CLI's `CDK_DEFAULT_REGION`, if any
 */
export function parseAppConfig(context: Context, environment: { readonly defaultRegion?: string } = {}): GuardrailAppConfig {
  const collector = new ProblemCollector();
  findMisspeltKeys(context, collector);

  const stackName = readString(context, 'stackName', GUARDRAIL_DEFAULTS.stackName, collector, checkStackName);

  let homeRegion: string = GUARDRAIL_DEFAULTS.fallbackHomeRegion;
  let homeRegionSource: GuardrailAppConfig['homeRegionSource'] = 'default';
  if (context.homeRegion !== undefined && context.homeRegion !== '') {
    homeRegion = readString(context, 'homeRegion', GUARDRAIL_DEFAULTS.fallbackHomeRegion, collector, checkRegion);
    homeRegionSource = 'context homeRegion';
  } else if (environment.defaultRegion) {
    homeRegion = environment.defaultRegion;
    homeRegionSource = 'CDK_DEFAULT_REGION';
    const problem = checkRegion(homeRegion);
    if (problem) collector.add('homeRegion', `CDK_DEFAULT_REGION ${problem}, or set -c homeRegion=<region>`);
  }

  const listedRegions = readList(context, 'regions', collector, checkRegion, 'us-east-1,eu-west-1');
  if (listedRegions.length > 0 && !listedRegions.includes(homeRegion)) {
    collector.add(
      'regions',
      `[${listedRegions.join(', ')}] does not include the home region ${homeRegion} (from ${homeRegionSource}), where the remediator runs; ` +
        `add ${homeRegion} to regions or set -c homeRegion=${listedRegions[0]}`,
    );
  }
  const regions = [homeRegion, ...listedRegions.filter((region) => region !== homeRegion)];

  const config: GuardrailAppConfig = {
    stackName,
    homeRegion,
    homeRegionSource,
    regions,
    alertEmails: readList(context, 'alertEmails', collector, checkEmail, 'oncall@example.com,security@example.com'),
    remediationMode: readChoice(context, 'remediationMode', REMEDIATION_MODES, GUARDRAIL_DEFAULTS.remediationMode, collector),
    remediationStrategy: readChoice(context, 'remediationStrategy', REMEDIATION_STRATEGIES, GUARDRAIL_DEFAULTS.remediationStrategy, collector),
    exemptions: readExemptions(context, collector),
    sensitiveTagKeys: readList(context, 'sensitiveTagKeys', collector, checkSensitiveTagKey, 'data-classification'),
    auditRetentionDays: readInteger(context, 'auditRetentionDays', GUARDRAIL_DEFAULTS.auditRetentionDays, collector, (days) => {
      const problem = checkIntegerInRange(days, AUDIT_RETENTION_DAYS_RANGE);
      return problem && `${problem} (days of Object Lock COMPLIANCE retention); for example -c auditRetentionDays=365`;
    }),
    logRetentionDays: readInteger(context, 'logRetentionDays', GUARDRAIL_DEFAULTS.logRetentionDays, collector, (days) =>
      (LOG_RETENTION_DAYS as readonly number[]).includes(days)
        ? undefined
        : `${days} is not a retention CloudWatch Logs offers; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    ),
    createTrail: readBoolean(context, 'createTrail', GUARDRAIL_DEFAULTS.createTrail, collector),
    enforceAccountBlockPublicAccess: readBoolean(
      context,
      'enforceAccountBlockPublicAccess',
      GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess,
      collector,
    ),
    reservedConcurrency: readInteger(context, 'reservedConcurrency', GUARDRAIL_DEFAULTS.reservedConcurrency, collector, (value) => {
      const problem = checkIntegerInRange(value, RESERVED_CONCURRENCY_RANGE);
      return problem && `${problem}; for example -c reservedConcurrency=${GUARDRAIL_DEFAULTS.reservedConcurrency}`;
    }),
    metricsNamespace: readString(context, 'metricsNamespace', GUARDRAIL_DEFAULTS.metricsNamespace, collector, checkMetricsNamespace),
    sweep: readBoolean(context, 'sweep', GUARDRAIL_DEFAULTS.sweep, collector),
    sweepSchedule: readString(context, 'sweepSchedule', GUARDRAIL_DEFAULTS.sweepSchedule, collector, (value) => {
      const problem = checkSweepSchedule(value);
      return problem && `${problem}; on the command line quote it: -c 'sweepSchedule=cron(0 3 * * ? *)'`;
    }),
    sweepConcurrency: readInteger(context, 'sweepConcurrency', GUARDRAIL_DEFAULTS.sweepConcurrency, collector, (value) => {
      const problem = checkIntegerInRange(value, SWEEP_CONCURRENCY_RANGE);
      return problem && `${problem} (sweep workers at once); for example -c sweepConcurrency=${GUARDRAIL_DEFAULTS.sweepConcurrency}`;
    }),
    exemptionWriters: readList(context, 'exemptionWriters', collector, checkRoleArn, 'arn:aws:iam::111122223333:role/SecurityOperator'),
  };

  const organization = readOrganization(context, collector, { homeRegion, regions });

  if (collector.problems.length > 0) {
    throw new AppConfigError(collector.problems);
  }
  return organization ? { ...config, organization } : config;
}

function isSet(value: unknown): boolean {
  return !(value === undefined || value === null || value === '' || value === false || value === 'false' || (Array.isArray(value) && value.length === 0));
}

/** The organization settings when `organization` is on; otherwise a problem for each organization-only key that is set. */
function readOrganization(
  context: Context,
  collector: ProblemCollector,
  home: { readonly homeRegion: string; readonly regions: readonly string[] },
): OrganizationConfig | undefined {
  const problemsBefore = collector.problems.length;
  const enabled = readBoolean(context, 'organization', false, collector);
  if (!enabled) {
    // A malformed switch is reported on its own; the settings it would enable are not reported as well.
    if (collector.problems.length > problemsBefore) return undefined;
    for (const key of ORGANIZATION_ONLY_KEYS) {
      if (isSet(context[key])) {
        collector.add(key, `is set but organization is off; add -c organization=true for the organization-wide deployment, or remove ${key}`);
      }
    }
    return undefined;
  }

  const organizationId = readString(context, 'organizationId', '', collector, checkOrganizationId);
  if (organizationId === '') {
    collector.add('organizationId', 'is required with organization=true; for example -c organizationId=o-abcdefghij (aws organizations describe-organization)');
  }

  const memberOrganizationalUnits = readList(context, 'memberOrganizationalUnits', collector, checkOrganizationalUnitId, 'ou-ab12-cdefgh12,ou-ab12-ijklmn34');
  if (memberOrganizationalUnits.length === 0 && !collector.problems.some((problem) => problem.key.startsWith('memberOrganizationalUnits'))) {
    collector.add(
      'memberOrganizationalUnits',
      'is required with organization=true: the OUs (ou-…) or the root (r-…) whose accounts get the member stack; for example -c memberOrganizationalUnits=ou-ab12-cdefgh12',
    );
  }

  const listedMemberRegions = readList(context, 'memberRegions', collector, checkRegion, 'us-east-1,eu-west-1');
  const memberRegions = listedMemberRegions.length > 0 ? listedMemberRegions : [...home.regions];

  let delegatedAdminAccount: string | undefined;
  if (isSet(context.delegatedAdminAccount)) {
    const raw = typeof context.delegatedAdminAccount === 'number' ? String(context.delegatedAdminAccount) : context.delegatedAdminAccount;
    delegatedAdminAccount = readString({ delegatedAdminAccount: raw }, 'delegatedAdminAccount', '', collector, checkAccountId);
  }

  const memberRoleName = readString(context, 'memberRoleName', ORGANIZATION_DEFAULTS.memberRoleName, collector, checkRoleName);
  const preventive = readBoolean(context, 'preventive', ORGANIZATION_DEFAULTS.preventive, collector);
  let breakGlassRoleName: string | undefined;
  if (isSet(context.breakGlassRoleName)) {
    breakGlassRoleName = readString(context, 'breakGlassRoleName', '', collector, checkRoleName);
  } else if (preventive) {
    collector.add(
      'breakGlassRoleName',
      'is required with preventive=true: the role still allowed to change Block Public Access in member accounts; for example -c breakGlassRoleName=BreakGlass',
    );
  }
  if (breakGlassRoleName !== undefined && breakGlassRoleName === memberRoleName) {
    collector.add('breakGlassRoleName', `"${breakGlassRoleName}" is the member role's name; name a separate break-glass role`);
  }

  return {
    organizationId,
    memberRegions,
    memberRoleRegion: memberRoleRegionOf(home.homeRegion, memberRegions),
    memberOrganizationalUnits,
    ...(delegatedAdminAccount !== undefined ? { delegatedAdminAccount } : {}),
    memberRoleName,
    preventive,
    ...(breakGlassRoleName !== undefined ? { breakGlassRoleName } : {}),
  };
}

/** Reads every CONTEXT_KEYS value through `get` (for example `app.node.tryGetContext`) plus all keys for the typo check. */
export function collectContext(get: (key: string) => unknown, allKeys: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const context: Record<string, unknown> = { ...allKeys };
  for (const key of CONTEXT_KEYS) {
    const value = get(key);
    if (value !== undefined) context[key] = value;
  }
  return context;
}
