/**
 * The sweep's reads of an account's other doors (issue 16): listing every access point and Multi-Region Access Point,
 * then reading the settings and policy of those that open a bucket. Read-only, this account's only: the sweep contains a
 * public door through the bucket's Block Public Access (the remediator's bucket actions), never by changing the door.
 *
 * Resource types per the Service Authorization Reference ("Actions, resources, and condition keys for Amazon S3"):
 * s3:ListAccessPoints, s3:ListMultiRegionAccessPoints and s3:GetAccessPoint have none (IAM requires "*");
 * s3:GetAccessPointPolicy takes `accesspoint` (`arn:<partition>:s3:<region>:<account>:accesspoint/<name>`);
 * s3:GetMultiRegionAccessPoint and s3:GetMultiRegionAccessPointPolicy take `multiregionaccesspoint`
 * (`arn:<partition>:s3::<account>:accesspoint/<alias>`). Nothing else: no GetAccessPointPolicyStatus (the engine
 * judges the policy), no Object Lambda read (the sweep lists no Object Lambda access points).
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** No resource type: granted on "*". */
export const SWEEP_DOOR_LIST_ACTIONS = ['s3:ListAccessPoints', 's3:ListMultiRegionAccessPoints', 's3:GetAccessPoint'] as const;
/** On the account's access points. */
export const SWEEP_ACCESS_POINT_READ_ACTIONS = ['s3:GetAccessPointPolicy'] as const;
/** On the account's Multi-Region Access Points. */
export const SWEEP_MULTI_REGION_ACCESS_POINT_READ_ACTIONS = ['s3:GetMultiRegionAccessPoint', 's3:GetMultiRegionAccessPointPolicy'] as const;

/** The statements, as plain data (iam.PolicyStatement props): the stack tests assert them exactly. */
export function sweepDoorReadStatements(partition: string, account: string): iam.PolicyStatementProps[] {
  return [
    { sid: 'ListDoors', actions: [...SWEEP_DOOR_LIST_ACTIONS], resources: ['*'] },
    { sid: 'ReadAccessPointPolicies', actions: [...SWEEP_ACCESS_POINT_READ_ACTIONS], resources: [`arn:${partition}:s3:*:${account}:accesspoint/*`] },
    { sid: 'ReadMultiRegionAccessPoints', actions: [...SWEEP_MULTI_REGION_ACCESS_POINT_READ_ACTIONS], resources: [`arn:${partition}:s3::${account}:accesspoint/*`] },
  ];
}

/** Grants the door reads to `role` and acknowledges their two wildcards (the "*" one is acknowledged with the role's others). */
export function grantSweepDoorReads(role: iam.IRole, partition: string, account: string): void {
  for (const statement of sweepDoorReadStatements(partition, account)) role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:*:<AWS::AccountId>:accesspoint/*]',
      reason: "A sweep judges every access point of the account, in every Region that holds a bucket: s3:GetAccessPointPolicy only (read), this account's only.",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3::<AWS::AccountId>:accesspoint/*]',
      reason: "A sweep judges every Multi-Region Access Point of the account: s3:GetMultiRegionAccessPoint and s3:GetMultiRegionAccessPointPolicy only (read), this account's only.",
    },
  );
}
