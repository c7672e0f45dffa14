/**
 * Organization-wide operation: the guardrail's Lambdas assume the member role in the account an event or a
 * sweep names. One grant, shared by the remediator, the sweep lister and the sweep worker.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface CrossAccountSettings {
  readonly memberRoleName: string;
  readonly organizationId: string;
  /**
   * Member accounts known at deploy time: the remediator guards them without an Organizations lookup
   * (GUARDED_ACCOUNT_IDS).
   * @default - none: the remediator looks up every other account with Organizations DescribeAccount
   */
  readonly memberAccountIds?: readonly string[];
}

/**
 * sts:AssumeRole on `arn:<partition>:iam::*:role/<memberRoleName>` where `aws:ResourceOrgID` is the organization
 * (statement `AssumeMemberRole`), and the cdk-nag acknowledgement of its account wildcard on `role`.
 */
export function grantAssumeMemberRole(role: iam.Role, crossAccount: CrossAccountSettings): void {
  const { memberRoleName, organizationId } = crossAccount;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeMemberRole',
      actions: ['sts:AssumeRole'],
      resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleName}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`,
    reason:
      'The member role has the same name in every member account and accounts join the organization later; the account is a ' +
      'wildcard, narrowed to roles of this organization by aws:ResourceOrgID.',
  });
}

/**
 * organizations:DescribeAccount on the accounts of `organizationId` (statement `DescribeMemberAccounts`): the
 * remediator asks Organizations whether an event's account is a member before it acts there. An account's ARN is
 * `arn:<partition>:organizations::<management account>:account/<organization ID>/<account ID>`; the management
 * account is not known here (the central stack may run in a delegated administrator account), so it is a wildcard,
 * and the organization ID pins the organization.
 */
export function grantDescribeMemberAccounts(role: iam.Role, organizationId: string): void {
  const resource = `arn:${Aws.PARTITION}:organizations::*:account/${organizationId}/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeMemberAccounts', actions: ['organizations:DescribeAccount'], resources: [resource] }));
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:account/${organizationId}/*]`,
    reason:
      'DescribeAccount answers whether an event\'s account belongs to the organization, for accounts that joined after the deploy: ' +
      'any account of this organization (its ID is in the ARN); the management account in the ARN is not known at deploy time.',
  });
}

/** cdk-nag IAM5: a Lambda creates its log streams, with generated names, in its own log group. */
export function logStreamsFinding(logGroupNagArn: string): { id: string; reason: string } {
  return {
    id: `AwsSolutions-IAM5[Resource::${logGroupNagArn}]`,
    reason: "Lambda creates one log stream per execution environment, with a generated name, inside this function's own log group.",
  };
}
