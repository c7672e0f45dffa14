/**
 * MemberStackSet: the service-managed StackSet that puts MemberStack into every account of the target OUs, in
 * every member region, including accounts that join those OUs later (automatic deployment), and removes it
 * from accounts that leave.
 *
 * Deployment facts this construct relies on (CloudFormation User Guide, "StackSets with service-managed
 * permissions"):
 * - The StackSet is created in the management account (CallAs SELF) or in an account registered as
 *   StackSets delegated administrator (CallAs DELEGATED_ADMIN), with trusted access for StackSets enabled.
 * - Service-managed StackSets never deploy to the management account, even when it is inside a target OU.
 * - OperationPreferences apply to the operations CloudFormation runs for this resource (create and update), not
 *   to automatic deployments into accounts that join later.
 */
import { CfnStackSet, Fn } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { RemediatorS3Actions } from '../remediator-permissions';
import { checkRegion } from '../validation';
import { MEMBER_STACK_PARAMETERS } from './member-stack';
import { synthesizeMemberTemplate, type MemberTemplate } from './member-template';
import { checkAccountId, checkOrganizationalUnitId, checkOrganizationId, checkRoleName } from './organization-settings';

/** How StackSet operations roll out: tolerant of a few broken accounts, fast enough for thousands. */
export const MEMBER_STACK_SET_OPERATION_PREFERENCES = {
  /** Regions are independent (the member role is created by one region's instance and nothing waits for it). */
  regionConcurrencyType: 'PARALLEL',
  /** Keep rolling out while at most 10 % of the accounts in a region fail (for example a name collision). */
  failureTolerancePercentage: 10,
  /** A quarter of the accounts of a region at once. */
  maxConcurrentPercentage: 25,
  /** Concurrency stays at maxConcurrentPercentage however many accounts fail (within the tolerance). */
  concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
} as const;

export interface MemberStackSetProps {
  /** Name of the StackSet (unique in the region of the central stack). */
  readonly stackSetName: string;
  readonly organizationId: string;
  /** The OUs (`ou-…`) or the root (`r-…`) whose accounts get the member stack. */
  readonly organizationalUnitIds: readonly string[];
  /** Regions of the stack instances in every account. */
  readonly regions: readonly string[];
  /** The one region of `regions` whose instance creates the member role. */
  readonly memberRoleRegion: string;
  readonly memberRoleName: string;
  /** The remediator's S3 permissions: the member role gets exactly these. */
  readonly s3Actions: RemediatorS3Actions;
  /** The central bus the member rules forward to. */
  readonly centralEventBus: events.IEventBus;
  /**
   * The central roles the member role trusts, and the only ones: the remediator's and, with the sweep, the sweep
   * worker's and lister's.
   */
  readonly centralRoles: readonly iam.IRole[];
  /**
   * The central sweep covers the member accounts: the member role may also list buckets and look up CloudTrail events.
   * @default false
   */
  readonly sweep?: boolean;
  /**
   * The member rules also forward the object ACL data events: the central guardrail's `objectAclEvents`.
   * @default false
   */
  readonly objectAclEvents?: boolean;
  /**
   * The StackSets delegated administrator account the stack is deployed in (CallAs DELEGATED_ADMIN).
   * @default - deployed in the management account (CallAs SELF)
   */
  readonly delegatedAdminAccount?: string;
  /**
   * Context for the private App that synthesizes the member template (pass the main app's, for its feature flags).
   * @default - the context of this construct's tree
   */
  readonly templateContext?: Readonly<Record<string, unknown>>;
}

/** A prop value is invalid; the message shows the value and the fix. */
export class MemberStackSetPropsError extends Error {
  constructor(
    readonly prop: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`MemberStackSet ${prop}: ${message}`, options);
    this.name = 'MemberStackSetPropsError';
  }
}

function validate(props: MemberStackSetProps): void {
  const problem = (prop: string, message: string | undefined): void => {
    if (message) throw new MemberStackSetPropsError(prop, message);
  };
  problem('organizationId', checkOrganizationId(props.organizationId));
  problem('memberRoleName', checkRoleName(props.memberRoleName));
  if (props.organizationalUnitIds.length === 0) {
    throw new MemberStackSetPropsError('organizationalUnitIds', 'is empty; name the OUs (ou-…) or the root (r-…) whose accounts get the member stack');
  }
  props.organizationalUnitIds.forEach((id, index) => problem(`organizationalUnitIds[${index}]`, checkOrganizationalUnitId(id)));
  if (props.regions.length === 0) {
    throw new MemberStackSetPropsError('regions', 'is empty; name the regions of the member accounts to cover, such as ["us-east-1", "eu-west-1"]');
  }
  props.regions.forEach((region, index) => problem(`regions[${index}]`, checkRegion(region)));
  if (!props.regions.includes(props.memberRoleRegion)) {
    throw new MemberStackSetPropsError(
      'memberRoleRegion',
      `"${props.memberRoleRegion}" is not one of the regions [${props.regions.join(', ')}]; the member role must be created by one of the stack instances`,
    );
  }
  if (props.delegatedAdminAccount !== undefined) problem('delegatedAdminAccount', checkAccountId(props.delegatedAdminAccount));
  if (props.centralRoles.length === 0) {
    throw new MemberStackSetPropsError('centralRoles', 'is empty; pass the central remediator role (and the sweep roles) the member role trusts');
  }
}

export class MemberStackSet extends Construct {
  readonly stackSet: CfnStackSet;
  /** The member template embedded as TemplateBody. */
  readonly memberTemplate: MemberTemplate;

  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id);
    validate(props);

    this.memberTemplate = synthesizeMemberTemplate(
      {
        organizationId: props.organizationId,
        memberRoleName: props.memberRoleName,
        memberRoleRegion: props.memberRoleRegion,
        s3Actions: props.s3Actions,
        sweep: props.sweep ?? false,
        objectAclEvents: props.objectAclEvents ?? false,
      },
      { context: props.templateContext ?? this.node.getAllContext() },
    );

    this.stackSet = new CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName,
      description: 'S3 bucket guardrail member accounts: forward exposure events to the central bus; member remediation role',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.delegatedAdminAccount !== undefined ? 'DELEGATED_ADMIN' : 'SELF',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // Lets StackSets run non-conflicting operations (such as automatic deployments) concurrently and queue the rest.
      managedExecution: { Active: true },
      // The member role has a fixed name: CAPABILITY_NAMED_IAM; the forwarding role a generated one: CAPABILITY_IAM.
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      operationPreferences: { ...MEMBER_STACK_SET_OPERATION_PREFERENCES },
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] },
          regions: [...props.regions],
        },
      ],
      parameters: [
        { parameterKey: MEMBER_STACK_PARAMETERS.centralEventBusArn, parameterValue: props.centralEventBus.eventBusArn },
        { parameterKey: MEMBER_STACK_PARAMETERS.centralRoleArns, parameterValue: Fn.join(',', props.centralRoles.map((role) => role.roleArn)) },
      ],
      templateBody: this.memberTemplate.templateBody,
    });
  }
}
