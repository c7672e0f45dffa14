/**
 * Organization-wide operation: the guardrail's Lambdas assume the member role in the account an event or a
 * sweep names. One grant, shared by the remediator, the sweep lister and the sweep worker.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface CrossAccountSettings {
  readonly memberRoleName: string;
  readonly organizationId: string;
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

/** cdk-nag IAM5: a Lambda creates its log streams, with generated names, in its own log group. */
export function logStreamsFinding(logGroupNagArn: string): { id: string; reason: string } {
  return {
    id: `AwsSolutions-IAM5[Resource::${logGroupNagArn}]`,
    reason: "Lambda creates one log stream per execution environment, with a generated name, inside this function's own log group.",
  };
}
