/**
 * The remediator's S3 permissions, in one place. Pure (no aws-cdk-lib); the construct turns these into
 * policy statements and the stack tests assert them exactly.
 *
 * IAM action names follow the Service Authorization Reference ("Actions, resources, and condition keys for
 * Amazon S3"), which differ from some API names:
 *   API GetPublicAccessBlock (bucket)         → s3:GetBucketPublicAccessBlock
 *   API PutPublicAccessBlock (bucket)         → s3:PutBucketPublicAccessBlock
 *   S3 Control GetPublicAccessBlock (account) → s3:GetAccountPublicAccessBlock (no resource type: "*")
 *   S3 Control PutPublicAccessBlock (account) → s3:PutAccountPublicAccessBlock (no resource type: "*")
 * Every bucket action below is a bucket-resource action; none reads or writes object data.
 */
import type { RemediationMode, RemediationStrategy } from '../lambda/remediate/environment';

/** The parallel reads of the handler's step 3 (bucket level). */
export const BUCKET_READ_ACTIONS = [
  's3:GetBucketAcl',
  's3:GetBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicyStatus',
  's3:GetBucketTagging',
] as const;

/** Containment: turn on the four bucket-level Block Public Access settings. */
export const BUCKET_CONTAIN_ACTIONS = ['s3:PutBucketPublicAccessBlock'] as const;

/** Only with the strip-public-grants strategy: remove public grants and statements. */
export const BUCKET_STRIP_ACTIONS = ['s3:PutBucketAcl', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'] as const;

export const ACCOUNT_READ_ACTIONS = ['s3:GetAccountPublicAccessBlock'] as const;

/** Only with enforceAccountBlockPublicAccess. */
export const ACCOUNT_ENFORCE_ACTIONS = ['s3:PutAccountPublicAccessBlock'] as const;

/**
 * Only with the strip-public-grants strategy in enforce mode: take the public statements out of a public access
 * point's policy (PutAccessPointPolicy), or delete the policy when every statement is public. Granted on the
 * account's access points in the Regions the guardrail covers (`arn:<partition>:s3:<region>:<account>:accesspoint/*`),
 * never on Multi-Region Access Points (their policy is not written: the request is asynchronous).
 */
export const ACCESS_POINT_STRIP_ACTIONS = ['s3:PutAccessPointPolicy', 's3:DeleteAccessPointPolicy'] as const;

/**
 * Reading the doors to a bucket (issue 16), read-only. Resource types per the Service Authorization Reference:
 * `accesspoint` is `arn:<partition>:s3:<region>:<account>:accesspoint/<name>`, `multiregionaccesspoint` is
 * `arn:<partition>:s3::<account>:accesspoint/<alias>`, `objectlambdaaccesspoint` is
 * `arn:<partition>:s3-object-lambda:<region>:<account>:accesspoint/<name>`. The guardrail contains access points
 * through the bucket's Block Public Access (RestrictPublicBuckets); only the strip strategy writes their policies.
 */
export const ACCESS_POINT_READ_ACTIONS = ['s3:GetAccessPointPolicy', 's3:GetAccessPointPolicyStatus'] as const;
export const MULTI_REGION_ACCESS_POINT_READ_ACTIONS = ['s3:GetMultiRegionAccessPoint', 's3:GetMultiRegionAccessPointPolicy'] as const;
export const OBJECT_LAMBDA_READ_ACTIONS = ['s3:GetAccessPointConfigurationForObjectLambda'] as const;
/** s3:GetAccessPoint, s3:ListAccessPoints and s3:ListMultiRegionAccessPoints have no resource type: granted on `*`. */
export const ACCESS_POINT_LIST_ACTIONS = ['s3:GetAccessPoint', 's3:ListAccessPoints', 's3:ListMultiRegionAccessPoints'] as const;
/** Only with objectAclEvents: read the ACL of the object an event names (never written). */
export const OBJECT_ACL_READ_ACTIONS = ['s3:GetObjectAcl'] as const;

export interface RemediatorS3Actions {
  /** Granted on `arn:<partition>:s3:::*` (bucket ARNs) within the deploying account. */
  readonly bucketActions: readonly string[];
  /** Granted on `*`: these actions have no resource type. */
  readonly accountActions: readonly string[];
  /** Granted on `*` (no resource type): s3:GetAccessPoint, s3:ListAccessPoints, s3:ListMultiRegionAccessPoints. */
  readonly accessPointListActions?: readonly string[];
  /** Granted on the account's access points: `arn:<partition>:s3:*:<account>:accesspoint/*`. */
  readonly accessPointActions?: readonly string[];
  /** Granted on the account's Multi-Region Access Points: `arn:<partition>:s3::<account>:accesspoint/*`. */
  readonly multiRegionAccessPointActions?: readonly string[];
  /** Granted on the account's Object Lambda access points: `arn:<partition>:s3-object-lambda:*:<account>:accesspoint/*`. */
  readonly objectLambdaActions?: readonly string[];
  /** Granted on object ARNs (`arn:<partition>:s3:::<bucket>/<key>`, any) of the account's buckets; empty unless objectAclEvents. */
  readonly objectActions?: readonly string[];
  /**
   * Granted on the account's access points in `accessPointWriteRegions` only
   * (`arn:<partition>:s3:<region>:<account>:accesspoint/*`); empty unless the strip strategy in enforce mode.
   */
  readonly accessPointWriteActions?: readonly string[];
  /**
   * The Regions whose access points `accessPointWriteActions` may change: every Region the guardrail covers (its
   * events reach the one remediator, which acts in each event's Region).
   * @default - the Region of the stack the statements are added to
   */
  readonly accessPointWriteRegions?: readonly string[];
}

/**
 * The S3 actions for a remediation mode and strategy. `report-only` changes nothing, so it gets the reads only:
 * no containment, no stripping, no account-level write, whatever the strategy and enforceAccountBlockPublicAccess.
 */
export function remediatorS3Actions(settings: {
  /** @default 'enforce' */
  readonly mode?: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly enforceAccountBlockPublicAccess: boolean;
  /** @default false */
  readonly objectAclEvents?: boolean;
  /**
   * The Regions the guardrail covers, where the strip strategy may change access point policies.
   * @default - the Region of the stack the statements are added to
   */
  readonly regions?: readonly string[];
}): RemediatorS3Actions {
  const writes = (settings.mode ?? 'enforce') === 'enforce';
  const strips = writes && settings.strategy === 'strip-public-grants';
  return {
    bucketActions: [
      ...BUCKET_READ_ACTIONS,
      ...(writes ? BUCKET_CONTAIN_ACTIONS : []),
      ...(strips ? BUCKET_STRIP_ACTIONS : []),
    ],
    accountActions: [...ACCOUNT_READ_ACTIONS, ...(writes && settings.enforceAccountBlockPublicAccess ? ACCOUNT_ENFORCE_ACTIONS : [])],
    accessPointListActions: [...ACCESS_POINT_LIST_ACTIONS],
    accessPointActions: [...ACCESS_POINT_READ_ACTIONS],
    multiRegionAccessPointActions: [...MULTI_REGION_ACCESS_POINT_READ_ACTIONS],
    objectLambdaActions: [...OBJECT_LAMBDA_READ_ACTIONS],
    objectActions: settings.objectAclEvents === true ? [...OBJECT_ACL_READ_ACTIONS] : [],
    accessPointWriteActions: strips ? [...ACCESS_POINT_STRIP_ACTIONS] : [],
    ...(strips && settings.regions !== undefined && settings.regions.length > 0 ? { accessPointWriteRegions: [...settings.regions] } : {}),
  };
}

/** One IAM statement of the remediator's S3 Control and object reads, as plain data (iam.PolicyStatement props). */
export interface ReadStatement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, string>>;
}

/**
 * The access point, Multi-Region Access Point, Object Lambda and (objectAclEvents) object ACL reads, scoped to
 * `account` in `partition`, and with the strip strategy the access point policy writes, scoped to the account's
 * access points in `accessPointWriteRegions` (default `stackRegion`): the same statements for the central remediator
 * and the member role, so a member account's access-point event is handled with exactly the remediator's permissions.
 */
export function accessPointReadStatements(actions: RemediatorS3Actions, partition: string, account: string, stackRegion?: string): ReadStatement[] {
  const statements: ReadStatement[] = [
    { sid: 'ListAccessPoints', actions: [...(actions.accessPointListActions ?? [])], resources: ['*'] },
    { sid: 'ReadAccessPoints', actions: [...(actions.accessPointActions ?? [])], resources: [`arn:${partition}:s3:*:${account}:accesspoint/*`] },
    { sid: 'ReadMultiRegionAccessPoints', actions: [...(actions.multiRegionAccessPointActions ?? [])], resources: [`arn:${partition}:s3::${account}:accesspoint/*`] },
    { sid: 'ReadObjectLambdaAccessPoints', actions: [...(actions.objectLambdaActions ?? [])], resources: [`arn:${partition}:s3-object-lambda:*:${account}:accesspoint/*`] },
  ];
  const writeActions = actions.accessPointWriteActions ?? [];
  if (writeActions.length > 0) {
    statements.push({ sid: 'StripAccessPointPolicies', actions: [...writeActions], resources: accessPointWriteResources(actions, partition, account, stackRegion) });
  }
  if ((actions.objectActions ?? []).length > 0) {
    statements.push({
      sid: 'ReadObjectAcls',
      actions: [...(actions.objectActions ?? [])],
      resources: [`arn:${partition}:s3:::*/*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    });
  }
  return statements.filter((statement) => statement.actions.length > 0);
}

/** `arn:<partition>:s3:<region>:<account>:accesspoint/*` per Region the access point policy writes may reach. */
export function accessPointWriteResources(actions: RemediatorS3Actions, partition: string, account: string, stackRegion?: string): string[] {
  const regions = actions.accessPointWriteRegions ?? (stackRegion !== undefined ? [stackRegion] : undefined);
  if (regions === undefined || regions.length === 0) {
    throw new Error('the access point policy writes need the Regions they may reach: pass regions to remediatorS3Actions or the stack Region');
  }
  return [...new Set(regions)].map((region) => `arn:${partition}:s3:${region}:${account}:accesspoint/*`);
}

/**
 * cdk-nag acknowledgement of the access point policy writes' wildcard, one per Region as cdk-nag names it (a
 * literal Region, or `<AWS::Region>` for the stack's own when it is a token).
 */
export function accessPointWriteAcknowledgement(nagRegion: string): { readonly id: string; readonly reason: string } {
  return {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:${nagRegion}:<AWS::AccountId>:accesspoint/*]`,
    reason:
      "Strip strategy only: any access point of the account in a covered Region can be public; s3:PutAccessPointPolicy and s3:DeleteAccessPointPolicy remove exactly its public statements (recorded first), this account's and Region's access points only.",
  };
}

/** cdk-nag acknowledgements of accessPointReadStatements' wildcards, for every role that carries them. */
export const ACCESS_POINT_READ_ACKNOWLEDGEMENTS: ReadonlyArray<{ readonly id: string; readonly reason: string }> = [
  {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:*:<AWS::AccountId>:accesspoint/*]',
    reason:
      'Any access point of the account, in any Region the guardrail covers, can open a bucket to the public; read actions only (s3:GetAccessPointPolicy, s3:GetAccessPointPolicyStatus), limited to this account.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3::<AWS::AccountId>:accesspoint/*]',
    reason: "Any Multi-Region Access Point of the account can open its buckets; read actions only (s3:GetMultiRegionAccessPoint, s3:GetMultiRegionAccessPointPolicy), this account's only.",
  },
  {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3-object-lambda:*:<AWS::AccountId>:accesspoint/*]',
    reason: "An Object Lambda access point event is resolved to its supporting access point; read action only (s3:GetAccessPointConfigurationForObjectLambda), this account's only.",
  },
  {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*/*]',
    reason: "objectAclEvents only: s3:GetObjectAcl on the object an event names, any bucket of this account (s3:ResourceAccount); no object data is read and no ACL written.",
  },
];
