/**
 * The central stack of the organization-wide deployment, for the security (StackSets delegated administrator)
 * account, in the home region:
 *
 * - a custom event bus whose resource policy accepts events:PutEvents only from principals of the organization
 *   (`aws:PrincipalOrgID`) in accounts under the member OUs (`aws:PrincipalOrgPaths`): the member accounts'
 *   forwarding rules put their exposure events here;
 * - the PublicBucketGuardrail with its rule on that bus and `crossAccount` set, so the remediator may assume the
 *   member role in the event's account (and only in accounts of the organization), and its sweep lists the
 *   organization's accounts (organizations:ListAccounts: deploy in the management account or an account that is a
 *   delegated administrator for an Organizations service, as the StackSets one is) and sweeps each through that role;
 * - the member StackSet (service-managed, automatic deployment) that gives every member account, in every member
 *   region, the forwarding rule and, in one region, the member role.
 *
 * The outputs are the single-account stack's (the CLI finds the audit store through them) plus the bus and
 * StackSet.
 */
import { Annotations, CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { EVERY_ACCOUNT } from '../../lambda/shared/exemptions/exemption';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { GUARDRAIL_DEFAULTS } from '../defaults';
import { PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../public-bucket-guardrail';
import { remediatorS3Actions } from '../remediator-permissions';
import { addGuardrailOutputs, addStackOutput } from '../guardrail-outputs';
import { MEMBER_ORGANIZATIONAL_UNITS_ENV } from '../../lambda/sweep/accounts';
import { MemberStackSet } from './member-stack-set';
import type { OrganizationConfig } from './organization-settings';

// `aws:PrincipalOrgPaths` patterns of the accounts under the member OUs: the organization, the root and a star for
// the root; the organization, a star, the OU and a star for an OU at any depth (the stack does not know the root's
// ID, and a star in StringLike spans slashes).
/** The `aws:PrincipalOrgPaths` patterns of the accounts under the member OUs (see above). */
export function memberOrganizationPaths(organizationId: string, targets: readonly string[]): string[] {
  return targets.map((target) => (target.startsWith('r-') ? `${organizationId}/${target}/*` : `${organizationId}/*/${target}/*`));
}

/** Output keys the central stack adds to GUARDRAIL_STACK_OUTPUTS. A contract, like those. */
export const CENTRAL_STACK_OUTPUTS = {
  centralEventBusArn: 'CentralEventBusArn',
  memberStackSetName: 'MemberStackSetName',
  memberRoleName: 'MemberRoleName',
  organizationId: 'OrganizationId',
} as const;

/**
 * Names the central stack gives the guardrail's roles that change Block Public Access in the security account (the
 * remediator's and the sweep worker's), so the preventive SCP, in another stack and account, can exempt them by
 * exact ARN. IAM names are global to the account: one central stack per stack name.
 */
export function centralGuardrailRoleNames(stackName: string): { readonly remediator: string; readonly sweepWorker: string } {
  return { remediator: `${stackName}-Remediator`, sweepWorker: `${stackName}-SweepWorker` };
}

/** The longest IAM role name. */
const MAX_ROLE_NAME_LENGTH = 64;

/** Statement ID of the central bus policy. */
export const CENTRAL_BUS_POLICY_SID = 'AllowPutEventsFromOrganization';

/** The organization settings the central stack uses. */
export type CentralOrganizationSettings = Pick<
  OrganizationConfig,
  'organizationId' | 'memberRegions' | 'memberRoleRegion' | 'memberOrganizationalUnits' | 'delegatedAdminAccount' | 'memberRoleName'
>;

export interface OrganizationGuardrailStackProps extends StackProps {
  readonly organization: CentralOrganizationSettings;

  /**
   * Settings of the guardrail construct (its rule goes on the central bus; `crossAccount` is set from `organization`).
   * @default - the construct's defaults
   */
  readonly guardrail?: Omit<PublicBucketGuardrailProps, 'eventBus' | 'crossAccount'>;

  /**
   * Name of the central event bus.
   * @default - `<stackName>-exposure-events`
   */
  readonly eventBusName?: string;

  /**
   * Name of the member StackSet.
   * @default - `<stackName>-Member`
   */
  readonly memberStackSetName?: string;
}

/** The stack's props are invalid; the message shows the value and the fix. */
export class OrganizationGuardrailPropsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`OrganizationGuardrailStack: ${message}`, options);
    this.name = 'OrganizationGuardrailPropsError';
  }
}

export class OrganizationGuardrailStack extends Stack {
  readonly eventBus: events.EventBus;
  /** The central bus's resource policy: events:PutEvents for principals of the organization only. */
  readonly eventBusPolicy: iam.PolicyDocument;
  readonly guardrail: PublicBucketGuardrail;
  readonly memberStackSet: MemberStackSet;
  /** Names of the guardrail's roles that change Block Public Access here (remediator; sweep worker with a sweep). */
  readonly guardrailRoleNames: readonly string[];

  constructor(scope: Construct, id: string, props: OrganizationGuardrailStackProps) {
    super(scope, id, props);
    const organization = props.organization;
    const delegatedAdmin = organization.delegatedAdminAccount;
    if (delegatedAdmin !== undefined && !Token.isUnresolved(this.account) && this.account !== delegatedAdmin) {
      throw new OrganizationGuardrailPropsError(
        `env.account ${this.account} is not the delegated administrator account ${delegatedAdmin}; deploy the central stack in the delegated administrator account`,
      );
    }

    const roleNames = centralGuardrailRoleNames(this.stackName);
    const longest = Math.max(roleNames.remediator.length, roleNames.sweepWorker.length);
    if (longest > MAX_ROLE_NAME_LENGTH) {
      throw new OrganizationGuardrailPropsError(
        `stackName "${this.stackName}" makes role names of ${longest} characters, more than IAM's ${MAX_ROLE_NAME_LENGTH}; use a stack name of at most ${MAX_ROLE_NAME_LENGTH - (longest - this.stackName.length)} characters`,
      );
    }

    // ---- Exemptions are scoped by account: one naming none would cover only this (the central) account's buckets,
    // never the members' it was surely meant for; '*' (every account) is allowed, with a warning.
    (props.guardrail?.exemptions ?? []).forEach((exemption, index) => {
      if (exemption.account === undefined) {
        throw new OrganizationGuardrailPropsError(
          `exemptions[${index}] ("${exemption.bucket}") names no account; an organization-wide guardrail needs "account": the member account ID whose bucket may be public, or "*" for every account`,
        );
      }
      if (exemption.account === EVERY_ACCOUNT) {
        Annotations.of(this).addWarningV2('bucket-guardrail:exemption-every-account', `exemptions[${index}] exempts "${exemption.bucket}" in EVERY account of the organization until ${exemption.expires}`);
      }
    });

    // ---- The central bus: only principals of the organization may put events on it.
    const eventBusName = props.eventBusName ?? `${this.stackName}-exposure-events`;
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(eventBusName) || eventBusName === 'default') {
      throw new OrganizationGuardrailPropsError(
        `eventBusName "${eventBusName}" is not a custom event bus name (1-256 of letters, digits, . _ -, not "default"); use for example "guardrail-exposure-events"`,
      );
    }
    this.eventBus = new events.EventBus(this, 'CentralEventBus', {
      eventBusName,
      description: 'S3 exposure events forwarded by every member account and region of the organization',
    });
    // The policy is the bus's own Policy property, so the bus never exists without it. (A separate
    // AWS::Events::EventBusPolicy would work as well, but cdk-nag's check of that resource type reads a deprecated
    // property and makes every synth print a jsii deprecation warning; the stack tests assert this policy instead.)
    this.eventBusPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: CENTRAL_BUS_POLICY_SID,
          effect: iam.Effect.ALLOW,
          principals: [new iam.StarPrincipal()],
          actions: ['events:PutEvents'],
          // Built from the name: a GetAtt of the bus inside its own property would be a circular reference.
          resources: [this.formatArn({ service: 'events', resource: 'event-bus', resourceName: eventBusName })],
          conditions: {
            StringEquals: { 'aws:PrincipalOrgID': organization.organizationId },
            // Only accounts under the member OUs (where the StackSet put the forwarding rule and the member role):
            // another account of the organization could otherwise feed the remediator events of its own choosing.
            'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': memberOrganizationPaths(organization.organizationId, organization.memberOrganizationalUnits) },
          },
        }),
      ],
    });
    (this.eventBus.node.defaultChild as events.CfnEventBus).policy = this.eventBusPolicy;

    // ---- The guardrail on that bus, allowed into the member role of the organization's accounts.
    this.guardrail = new PublicBucketGuardrail(this, 'Guardrail', {
      ...props.guardrail,
      // The sweep checks trail coverage in the member regions unless the caller named the regions itself.
      coveredRegions: props.guardrail?.coveredRegions ?? organization.memberRegions,
      eventBus: this.eventBus,
      crossAccount: { memberRoleName: organization.memberRoleName, organizationId: organization.organizationId },
    });
    const remediatorRole = this.guardrail.remediateFunction.role;
    if (remediatorRole === undefined) {
      throw new OrganizationGuardrailPropsError('the remediator function has no role to trust in the member accounts');
    }
    // Fixed names (instead of generated ones) so the preventive SCP can exempt these roles by exact ARN.
    const named: string[] = [];
    const nameRole = (role: iam.IRole, roleName: string): void => {
      const cfnRole = role.node.defaultChild;
      if (!(cfnRole instanceof iam.CfnRole)) {
        throw new OrganizationGuardrailPropsError(`the role ${role.node.path} is not created by this stack, so it cannot be named ${roleName}`);
      }
      cfnRole.roleName = roleName;
      named.push(roleName);
    };
    nameRole(remediatorRole, roleNames.remediator);
    const sweep = this.guardrail.sweep;
    if (sweep !== undefined) {
      nameRole(sweep.workerRole, roleNames.sweepWorker);
      // The lister sweeps only the accounts under the member OUs (the StackSet's targets, where the member role
      // exists). These calls, like ListAccounts, have no resource-level scoping we can rely on across the accounts'
      // OU ARNs (they contain the management account's ID, which this stack does not know).
      sweep.listerFunction.addEnvironment(MEMBER_ORGANIZATIONAL_UNITS_ENV, organization.memberOrganizationalUnits.join(','));
      sweep.listerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ListMemberOrganizationalUnits',
          actions: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent', 'organizations:DescribeOrganization'],
          resources: ['*'],
        }),
      );
    }
    this.guardrailRoleNames = named;

    // ---- The member StackSet: forwarding rules in every member region, the member role in one.
    this.memberStackSet = new MemberStackSet(this, 'MemberStackSet', {
      stackSetName: props.memberStackSetName ?? `${this.stackName}-Member`,
      organizationId: organization.organizationId,
      organizationalUnitIds: organization.memberOrganizationalUnits,
      regions: organization.memberRegions,
      memberRoleRegion: organization.memberRoleRegion,
      memberRoleName: organization.memberRoleName,
      s3Actions: remediatorS3Actions({
        mode: props.guardrail?.remediationMode ?? GUARDRAIL_DEFAULTS.remediationMode,
        strategy: props.guardrail?.remediationStrategy ?? GUARDRAIL_DEFAULTS.remediationStrategy,
        enforceAccountBlockPublicAccess: props.guardrail?.enforceAccountBlockPublicAccess ?? GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess,
        // The member role (created in one Region) strips access point policies in every Region the remediator covers.
        regions: props.guardrail?.coveredRegions ?? organization.memberRegions,
      }),
      centralEventBus: this.eventBus,
      // The remediator acts in the event's account; the sweep's lister lists and its worker checks every member account.
      centralRoles: [remediatorRole, ...(this.guardrail.sweep !== undefined ? [this.guardrail.sweep.workerRole, this.guardrail.sweep.listerRole] : [])],
      sweep: this.guardrail.sweep !== undefined,
      // The member rules route what the central rule routes.
      objectAclEvents: props.guardrail?.objectAclEvents ?? GUARDRAIL_DEFAULTS.objectAclEvents,
      delegatedAdminAccount: delegatedAdmin,
    });
    // Member rules start forwarding as soon as their stack exists; the bus (with its policy) is created first
    // because the StackSet's parameters reference it.

    addGuardrailOutputs(this, this.guardrail, {
      value: organization.memberRegions.join(','),
      description: 'Regions of the member accounts whose events reach the remediator',
    });
    const output = (key: string, value: string, description: string): CfnOutput => addStackOutput(this, key, value, description);
    output(CENTRAL_STACK_OUTPUTS.centralEventBusArn, this.eventBus.eventBusArn, 'Central bus the member accounts forward exposure events to');
    output(CENTRAL_STACK_OUTPUTS.memberStackSetName, this.memberStackSet.stackSet.stackSetName, 'StackSet of the member accounts');
    output(CENTRAL_STACK_OUTPUTS.memberRoleName, organization.memberRoleName, 'Role the remediator assumes in each member account');
    output(CENTRAL_STACK_OUTPUTS.organizationId, organization.organizationId, 'Organization covered');
  }
}
