/**
 * Parses and validates the app's `cdk.json` context once. Pure: the caller passes the context values and
 * the one environment fact it needs (`CDK_DEFAULT_REGION`); nothing here reads `process.env`.
 *
 * Context comes in two shapes: JSON values from `cdk.json` (arrays, booleans, numbers) and strings from
 * `-c key=value` on the command line. Both are accepted for every key.
 */
import { GUARDRAIL_DEFAULTS } from './defaults';
import {
  ORGANIZATION_DEFAULTS,
  checkAccountId,
  checkOrganizationId,
  checkOrganizationalUnitId,
  checkRoleName,
  memberRoleRegionOf,
  type OrganizationConfig,
} from './organization/organization-settings';
import { ProblemCollector, editDistance, isSet, readBoolean, readList, readString, type Context, type ContextProblem } from './config-readers';
import { CONTEXT_KEYS, CONTEXT_SETTINGS, ORGANIZATION_ONLY_KEYS, type ContextSetting, type PlainContextKey, type PlainSettings } from './config-settings';
import { checkRegion } from './validation';

export { CONTEXT_KEYS, CONTEXT_SETTINGS, type ContextKey, type ContextSetting } from './config-settings';
export type { ContextProblem } from './config-readers';

/**
 * The parsed context. Every plain key of `CONTEXT_SETTINGS` (one with a `read` function) appears under its own
 * name with its reader's type; the keys parsed together are spelled out here.
 */
export interface GuardrailAppConfig extends PlainSettings {
  /** Region of the main stack (remediator, topic, audit store); events from other regions are forwarded here. */
  readonly homeRegion: string;
  /** Where the home region came from, for messages. */
  readonly homeRegionSource: 'context homeRegion' | 'CDK_DEFAULT_REGION' | 'default';
  /** Every covered region, home region first. */
  readonly regions: readonly string[];
  /**
   * The organization-wide deployment (context `organization`): a central stack in the home region and a
   * StackSet for the member accounts, instead of the single-account stacks.
   * @default - single account
   */
  readonly organization?: OrganizationConfig;
  /**
   * The home stack's account: set only when `vpc` names a VPC to look up (the lookup needs it), from the CLI's
   * `CDK_DEFAULT_ACCOUNT`.
   * @default - left to deploy time (`AWS::AccountId`), so synth needs no credentials
   */
  readonly account?: string;
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
 * @param environment.defaultAccount the CLI's `CDK_DEFAULT_ACCOUNT`, if any (used only to look up `vpc`)
 */
export function parseAppConfig(
  context: Context,
  environment: { readonly defaultRegion?: string; readonly defaultAccount?: string } = {},
): GuardrailAppConfig {
  const collector = new ProblemCollector();
  findMisspeltKeys(context, collector);

  // Table order is report order: the home region and the regions are read where `homeRegion` stands.
  const plain: Partial<Record<PlainContextKey, unknown>> = {};
  let home: HomeRegions | undefined;
  for (const key of CONTEXT_KEYS) {
    const setting: ContextSetting = CONTEXT_SETTINGS[key];
    if (setting.read) {
      plain[key as PlainContextKey] = setting.read(context, collector);
    } else if (key === 'homeRegion') {
      home = readHomeRegions(context, environment, collector);
    }
  }
  const { homeRegion, homeRegionSource, regions } = home ?? readHomeRegions(context, environment, collector);
  const config: GuardrailAppConfig = { ...(plain as PlainSettings), homeRegion, homeRegionSource, regions };

  const organization = readOrganization(context, collector, { homeRegion, regions });
  if (organization !== undefined && config.profile === 'trial') {
    collector.add('profile', 'trial is for a single-account sandbox; the organization-wide deployment has no trial profile: remove -c profile=trial or -c organization=true');
  }

  const account = checkVpc(context, config, organization !== undefined || isSet(context.organization), environment, collector);

  if (collector.problems.length > 0) {
    throw new AppConfigError(collector.problems);
  }
  return { ...config, ...(organization ? { organization } : {}), ...(account !== undefined ? { account } : {}) };
}

/**
 * The rules that tie `vpc` and `vpcEndpoints` to other keys. Returns the account a VPC lookup needs.
 */
function checkVpc(
  context: Context,
  config: Pick<GuardrailAppConfig, 'vpc' | 'regions' | 'homeRegion'>,
  organization: boolean,
  environment: { readonly defaultAccount?: string },
  collector: ProblemCollector,
): string | undefined {
  const vpc = config.vpc;
  if (vpc === undefined) {
    if (context.vpcEndpoints !== undefined && context.vpcEndpoints !== null && context.vpcEndpoints !== '') {
      collector.add('vpcEndpoints', 'is set but vpc is not; add -c vpc=create (or -c vpc=<VPC ID>) to run the functions in a VPC, or remove vpcEndpoints');
    }
    return undefined;
  }
  if (organization) {
    collector.add('vpc', 'is not supported with organization=true yet (the member-role calls need STS and Organizations endpoints); remove vpc');
    return undefined;
  }
  if ('create' in vpc && config.regions.length > 1) {
    collector.add(
      'vpc',
      `"create" makes an isolated VPC whose endpoints serve ${config.homeRegion} only, but regions also names ${config.regions.slice(1).join(', ')}, where the functions call S3 and CloudTrail; ` +
        'cover the home region only, or use -c vpc=<VPC ID> of a VPC that routes to those regions (NAT or Transit Gateway)',
    );
  }
  if ('vpcId' in vpc) {
    const account = environment.defaultAccount;
    if (account === undefined || !/^\d{12}$/.test(account)) {
      collector.add(
        'vpc',
        `looking up ${vpc.vpcId} needs the account, and CDK_DEFAULT_ACCOUNT is ${account === undefined ? 'not set' : `"${account}"`}: run cdk synth with AWS credentials for the account, or use -c vpc=create`,
      );
      return undefined;
    }
    return account;
  }
  return undefined;
}

interface HomeRegions {
  readonly homeRegion: string;
  readonly homeRegionSource: GuardrailAppConfig['homeRegionSource'];
  readonly regions: readonly string[];
}

/** `homeRegion` (else `CDK_DEFAULT_REGION`, else the fallback) and `regions`, which must include it. */
function readHomeRegions(context: Context, environment: { readonly defaultRegion?: string }, collector: ProblemCollector): HomeRegions {
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
  return { homeRegion, homeRegionSource, regions };
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
