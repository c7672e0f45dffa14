/**
 * Settings, defaults and value checks of the organization-wide deployment. Pure (no aws-cdk-lib), shared by
 * the context parser (`lib/config.ts`) and the organization stacks' prop validation.
 * Each check returns `undefined` when the value is fine, otherwise what is wrong and how to fix it.
 */

export const ORGANIZATION_DEFAULTS = {
  /** The member role every member account gets; the remediator assumes `arn:<partition>:iam::<account>:role/<name>`. */
  memberRoleName: 'BucketGuardrailRemediation',
  preventive: false,
} as const;

/** What the organization-wide deployment needs, validated. */
export interface OrganizationConfig {
  /** `o-…`: the member role trusts only principals of this organization; the central bus accepts only its events. */
  readonly organizationId: string;
  /** Regions of every member account whose exposure events are forwarded to the central bus. */
  readonly memberRegions: readonly string[];
  /**
   * The one member region whose stack instance creates the member role (IAM is global): the home region if it is a
   * member region, else the first member region.
   */
  readonly memberRoleRegion: string;
  /** OUs (`ou-…`) or the root (`r-…`) the StackSet and the SCP target; accounts that join them later are covered too. */
  readonly memberOrganizationalUnits: readonly string[];
  /**
   * The account registered as CloudFormation StackSets delegated administrator, where the central stack is deployed
   * (StackSet CallAs DELEGATED_ADMIN).
   * @default - the central stack is deployed in the management account (CallAs SELF)
   */
  readonly delegatedAdminAccount?: string;
  /** Name of the member role (the same in every member account). */
  readonly memberRoleName: string;
  /** Add the service control policy that denies changing Block Public Access to all but the break-glass and member roles. */
  readonly preventive: boolean;
  /** The role exempt from the SCP (required when `preventive`). */
  readonly breakGlassRoleName?: string;
}

const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

export function checkOrganizationId(value: string): string | undefined {
  return ORGANIZATION_ID_PATTERN.test(value)
    ? undefined
    : `"${value}" is not an organization ID ("o-" and 10-32 lower-case letters or digits); find yours with aws organizations describe-organization`;
}

export function checkOrganizationalUnitId(value: string): string | undefined {
  return OU_ID_PATTERN.test(value) || ROOT_ID_PATTERN.test(value)
    ? undefined
    : `"${value}" is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx); list them with aws organizations list-roots and list-organizational-units-for-parent`;
}

export function checkAccountId(value: string): string | undefined {
  return ACCOUNT_ID_PATTERN.test(value) ? undefined : `"${value}" is not an AWS account ID (12 digits)`;
}

export function checkRoleName(value: string): string | undefined {
  return ROLE_NAME_PATTERN.test(value)
    ? undefined
    : `"${value}" is not an IAM role name without a path (1-64 of letters, digits and + = , . @ _ -)`;
}

/** The member role is created in the home region when it is a member region, else in the first member region. */
export function memberRoleRegionOf(homeRegion: string, memberRegions: readonly string[]): string {
  return memberRegions.includes(homeRegion) ? homeRegion : (memberRegions[0] ?? homeRegion);
}
