/**
 * Access points and Multi-Region Access Points, written from the AWS documentation: the access point
 * policy judged for public with access point ARNs, its network origin, Block Public Access at the access
 * point, bucket and account, and the bucket policy's delegation to access points.
 */
import type { AccessLevel, AccessPointNeutraliser } from '../../../../../lambda/shared/exposure';
import { BUCKET_ARN, DOCS, OBJECTS_ARN, type SnapshotOverrides, type Statement, allowEveryone, denyEveryone, policy, publicRead } from '../case-helper';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const AP_NAME = 'reports-ap';
export const AP_ARN = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${AP_NAME}`;
export const AP_OBJECTS = `${AP_ARN}/object/*`;
export const MRAP_ALIAS = 'mfzwi23gnjvgw.mrap';
export const MRAP_ARN = `arn:aws:s3::${ACCOUNT}:accesspoint/${MRAP_ALIAS}`;

export const AP_DOCS = {
  policies: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html',
  bpa: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html',
  vpc: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html',
  accessPointApi: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_AccessPoint.html',
  policyStatus: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetAccessPointPolicyStatus.html',
  conditionKeys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
  mrapPermissions: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html',
  mrapBpa: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/multi-region-access-point-block-public-access.html',
  mrapPolicyApi: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetMultiRegionAccessPointPolicy.html',
  meaningOfPublic: DOCS.blockPublicAccess,
} as const;

export const ALL_OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
export const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** The documented delegation statement: everyone, every action, pinned to access points of one account. */
export function delegate(condition: Record<string, unknown> = { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } }, extra: Statement = {}): Statement {
  return { Sid: 'DelegateToAccessPoints', Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: [BUCKET_ARN, OBJECTS_ARN], Condition: condition, ...extra };
}

export function accessPoint(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: AP_NAME,
    Bucket: 'amzn-s3-demo-bucket',
    NetworkOrigin: 'Internet',
    AccessPointArn: AP_ARN,
    PublicAccessBlockConfiguration: ALL_OFF,
    Policy: policy(allowEveryone('s3:GetObject', AP_OBJECTS)),
    ...overrides,
  };
}

export function multiRegionAccessPoint(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: 'reports-global',
    Alias: MRAP_ALIAS,
    PublicAccessBlock: ALL_OFF,
    Policy: policy(allowEveryone('s3:GetObject', `${MRAP_ARN}/object/*`)),
    ...overrides,
  };
}

export interface ExpectedDoorFinding {
  readonly index: number | null;
  readonly access: AccessLevel[];
  readonly neutralisedBy?: AccessPointNeutraliser;
}

export interface AccessPointCase {
  readonly title: string;
  readonly source: string;
  readonly given: SnapshotOverrides & { accessPoints?: unknown; multiRegionAccessPoints?: unknown };
  readonly expected: {
    /** The bucket report's verdict (its own and through its access points). */
    readonly bucketPublic: boolean;
    readonly directlyPublic?: boolean;
    /** The first access point (or Multi-Region Access Point) report. */
    readonly door: {
      readonly public: boolean;
      readonly policyIsPublic?: boolean;
      readonly policyValid?: boolean;
      readonly access?: AccessLevel[];
      readonly findings?: ExpectedDoorFinding[];
      readonly whyMentions?: string[];
    };
  };
}

const f = (index: number | null, access: AccessLevel[], neutralisedBy?: AccessPointNeutraliser): ExpectedDoorFinding =>
  ({ index, access, ...(neutralisedBy === undefined ? {} : { neutralisedBy }) });

const delegating = policy(delegate());

export const accessPointCases: AccessPointCase[] = [
  // Block Public Access at the access point, the bucket and the account
  {
    title: 'a public access point policy with the access point Block Public Access off, on a delegating bucket, is public',
    source: AP_DOCS.bpa,
    given: { policy: delegating, accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, directlyPublic: false, door: { public: true, policyIsPublic: true, access: ['read'], findings: [f(0, ['read'])] } },
  },
  {
    title: 'the default access point Block Public Access (all four on) neutralises a public access point policy',
    source: AP_DOCS.bpa,
    given: { policy: delegating, accessPoints: [accessPoint({ PublicAccessBlockConfiguration: ALL_ON })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: true, access: [], findings: [f(0, ['read'], 'RestrictPublicBuckets')], whyMentions: ['set on the access point'] } },
  },
  {
    title: 'RestrictPublicBuckets alone on the access point neutralises its public policy',
    source: DOCS.publicAccessBlockApi,
    given: { policy: delegating, accessPoints: [accessPoint({ PublicAccessBlockConfiguration: { ...ALL_OFF, RestrictPublicBuckets: true } })] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')] } },
  },
  {
    title: 'BlockPublicPolicy on the access point only refuses new public policies: the existing one still works',
    source: DOCS.publicAccessBlockApi,
    given: { policy: delegating, accessPoints: [accessPoint({ PublicAccessBlockConfiguration: { ...ALL_OFF, BlockPublicPolicy: true } })] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'], whyMentions: ['only refuses new public policies'] } },
  },
  {
    title: 'RestrictPublicBuckets on the bucket neutralises a public access point policy',
    source: AP_DOCS.bpa,
    given: { policy: delegating, bucketPublicAccessBlock: { RestrictPublicBuckets: true }, accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')], whyMentions: ['set on the bucket'] } },
  },
  {
    title: "RestrictPublicBuckets on the bucket owner's account neutralises a public access point policy",
    source: AP_DOCS.meaningOfPublic,
    given: { policy: delegating, accountPublicAccessBlock: { RestrictPublicBuckets: true }, accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')], whyMentions: ['set on the account'] } },
  },
  {
    title: 'BlockPublicPolicy on the account does not neutralise an access point policy already in place',
    source: DOCS.publicAccessBlockApi,
    given: { policy: delegating, accountPublicAccessBlock: { BlockPublicPolicy: true, BlockPublicAcls: true, IgnorePublicAcls: true }, accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: 'a missing access point Block Public Access configuration counts as off (fail closed)',
    source: AP_DOCS.bpa,
    given: { policy: delegating, accessPoints: [accessPoint({ PublicAccessBlockConfiguration: null })] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  // Network origin
  {
    title: 'an access point with network origin VPC is never public, whatever its policy',
    source: AP_DOCS.vpc,
    given: { policy: delegating, accessPoints: [accessPoint({ NetworkOrigin: 'VPC', VpcConfiguration: { VpcId: 'vpc-1a2b3c' } })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: true, findings: [f(0, ['read'], 'NetworkOriginVpc')], whyMentions: ['network origin is VPC'] } },
  },
  {
    title: 'a VpcConfiguration alone makes the network origin VPC',
    source: AP_DOCS.accessPointApi,
    given: { policy: delegating, accessPoints: [accessPoint({ NetworkOrigin: undefined, VpcConfiguration: { VpcId: 'vpc-1a2b3c' } })] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'NetworkOriginVpc')] } },
  },
  // The bucket must allow the same access: delegation shapes
  {
    title: 'a public access point on a bucket without a policy gives nothing: the bucket does not allow the same access',
    source: AP_DOCS.policies,
    given: { policy: null, accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: true, access: [], findings: [f(0, ['read'], 'BucketDoesNotAllow')], whyMentions: ['neither delegates access control to access points'] } },
  },
  {
    title: "delegation to another account's access points does not let this access point through",
    source: AP_DOCS.policies,
    given: { policy: policy(delegate({ StringEquals: { 's3:DataAccessPointAccount': OTHER_ACCOUNT } })), accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'delegation with s3:DataAccessPointArn naming this access point lets it through',
    source: AP_DOCS.conditionKeys,
    given: { policy: policy(delegate({ StringEquals: { 's3:DataAccessPointArn': AP_ARN } })), accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: "delegation with s3:DataAccessPointArn for every access point of the account (wildcard name) lets it through",
    source: AP_DOCS.meaningOfPublic,
    given: { policy: policy(delegate({ StringLike: { 's3:DataAccessPointArn': `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*` } })), accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, directlyPublic: false, door: { public: true, access: ['read'] } },
  },
  {
    title: 'delegation with s3:DataAccessPointArn naming another access point does not let this one through',
    source: AP_DOCS.conditionKeys,
    given: { policy: policy(delegate({ StringEquals: { 's3:DataAccessPointArn': `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/other-ap` } })), accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'delegation of reads only does not let a public write through the access point',
    source: AP_DOCS.policies,
    given: {
      policy: policy(delegate(undefined, { Action: 's3:GetObject', Resource: OBJECTS_ARN })),
      accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:PutObject', AP_OBJECTS)) })],
    },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['write'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'the public gets only what both the access point and the delegating bucket allow',
    source: AP_DOCS.policies,
    given: {
      policy: policy(delegate(undefined, { Action: ['s3:GetObject', 's3:ListBucket'] })),
      accessPoints: [accessPoint({ Policy: policy(allowEveryone(['s3:GetObject', 's3:PutObject'], AP_OBJECTS)) })],
    },
    expected: { bucketPublic: true, door: { public: true, access: ['read'], findings: [f(0, ['read', 'write'])] } },
  },
  {
    title: 'a delegation to a fixed principal does not let public callers through',
    source: AP_DOCS.policies,
    given: { policy: policy(delegate(undefined, { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })), accessPoints: [accessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'a delegation that also requires a VPC endpoint does not let public callers through',
    source: AP_DOCS.meaningOfPublic,
    given: {
      policy: policy(delegate({ StringEquals: { 's3:DataAccessPointAccount': ACCOUNT, 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
      accessPoints: [accessPoint()],
    },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: "a bucket Deny for requests not through this account's access points leaves the delegation working",
    source: AP_DOCS.policies,
    given: {
      policy: policy(delegate(), denyEveryone('s3:*', [BUCKET_ARN, OBJECTS_ARN], { Condition: { StringNotEquals: { 's3:DataAccessPointAccount': ACCOUNT } } })),
      accessPoints: [accessPoint()],
    },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: "a bucket Deny of reads through this account's access points takes the access point's read away",
    source: DOCS.evaluationLogic,
    given: {
      policy: policy(delegate(), denyEveryone('s3:GetObject*', OBJECTS_ARN, { Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } } })),
      accessPoints: [accessPoint()],
    },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'a delegation limited to VPC-origin access points does not let an Internet access point through',
    source: AP_DOCS.conditionKeys,
    given: {
      policy: policy(delegate({ StringEquals: { 's3:DataAccessPointAccount': ACCOUNT, 's3:AccessPointNetworkOrigin': 'VPC' } })),
      accessPoints: [accessPoint()],
    },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'a bucket that grants the same access publicly itself lets the access point through without delegation',
    source: AP_DOCS.policies,
    given: { policy: policy(publicRead()), accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, directlyPublic: true, door: { public: true, access: ['read'], whyMentions: ['Bucket policy statement 0 lets'] } },
  },
  {
    title: 'an invalid bucket policy is taken to allow everything through the access point (fail closed)',
    source: DOCS.grammar,
    given: { policy: '{"Statement": "not a statement"', accessPoints: [accessPoint()] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'], whyMentions: ['bucket policy is not valid'] } },
  },
  // The access point policy judged for "public", with access point ARNs as resources
  {
    title: 'an access point policy for a fixed principal is not public (GetAccessPointPolicyStatus IsPublic false)',
    source: AP_DOCS.policyStatus,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Jane` }, Action: 's3:GetObject', Resource: AP_OBJECTS }) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false, findings: [] } },
  },
  {
    title: 'an access point policy for everyone pinned to a VPC endpoint is not public',
    source: AP_DOCS.meaningOfPublic,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:GetObject', AP_OBJECTS, { Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false, findings: [] } },
  },
  {
    title: 'an access point policy whose resources are the bucket ARNs grants nothing through the access point',
    source: AP_DOCS.policies,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:GetObject', OBJECTS_ARN)) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false, findings: [] } },
  },
  {
    title: "an access point policy naming another access point's objects grants nothing through this one",
    source: AP_DOCS.policies,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:GetObject', `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/other-ap/object/*`)) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false } },
  },
  {
    title: 'an access point policy on every access point of the account (wildcard) is public',
    source: AP_DOCS.policies,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:GetObject', `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*`)) })] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: 'ListBucket on the access point ARN itself gives the public list access',
    source: AP_DOCS.policies,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:ListBucket', AP_ARN)) })] },
    expected: { bucketPublic: true, door: { public: true, access: ['list'] } },
  },
  {
    title: 'a Deny for everyone in the access point policy takes its public read away',
    source: DOCS.evaluationLogic,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: policy(allowEveryone('s3:GetObject', AP_OBJECTS), denyEveryone('s3:GetObject', AP_OBJECTS)) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false, findings: [] } },
  },
  {
    title: 'an invalid access point policy is treated as public (fail closed)',
    source: DOCS.grammar,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: { Statement: [{ Effect: 'allow', Principal: '*', Action: 's3:GetObject', Resource: AP_OBJECTS }] } })] },
    expected: { bucketPublic: true, door: { public: true, policyValid: false, findings: [f(null, ['read', 'list', 'write', 'readAcp', 'writeAcp'])] } },
  },
  {
    title: 'without AccessPointArn, a statement naming the access point in any Region is read as reaching it (fail closed)',
    source: AP_DOCS.policies,
    given: { policy: delegating, accessPoints: [accessPoint({ AccessPointArn: undefined, Policy: JSON.stringify(policy(allowEveryone('s3:GetObject', `arn:aws:s3:*:${ACCOUNT}:accesspoint/${AP_NAME}/object/*`))) })] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: 'the access point policy may be given as the JSON string GetAccessPointPolicy returns',
    source: AP_DOCS.policyStatus,
    given: { policy: delegating, accessPoints: [accessPoint({ Policy: JSON.stringify(policy(allowEveryone('s3:GetObject', AP_OBJECTS))) })] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
];

export const multiRegionAccessPointCases: AccessPointCase[] = [
  {
    title: 'a public Multi-Region Access Point policy with its Block Public Access off, on a bucket delegating to it by ARN, is public',
    source: AP_DOCS.mrapPermissions,
    given: { policy: policy(delegate({ StringEquals: { 's3:DataAccessPointArn': MRAP_ARN } })), multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: true, door: { public: true, policyIsPublic: true, access: ['read'] } },
  },
  {
    title: 'a Multi-Region Access Point with its default Block Public Access (all on) is not public',
    source: AP_DOCS.mrapBpa,
    given: { policy: delegating, multiRegionAccessPoints: [multiRegionAccessPoint({ PublicAccessBlock: ALL_ON })] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')], whyMentions: ['set on the Multi-Region Access Point'] } },
  },
  {
    title: "RestrictPublicBuckets on an underlying bucket neutralises a public Multi-Region Access Point policy",
    source: AP_DOCS.mrapBpa,
    given: { policy: delegating, bucketPublicAccessBlock: { RestrictPublicBuckets: true }, multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')] } },
  },
  {
    title: "RestrictPublicBuckets on the owner account neutralises a public Multi-Region Access Point policy",
    source: AP_DOCS.mrapBpa,
    given: { policy: delegating, accountPublicAccessBlock: ALL_ON, multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: false, door: { public: false, findings: [f(0, ['read'], 'RestrictPublicBuckets')] } },
  },
  {
    title: 'a public Multi-Region Access Point gives nothing when the underlying bucket policy does not permit the request',
    source: AP_DOCS.mrapPermissions,
    given: { policy: null, multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: true, findings: [f(0, ['read'], 'BucketDoesNotAllow')] } },
  },
  {
    title: 'delegation with s3:DataAccessPointAccount lets a Multi-Region Access Point of that account through',
    source: AP_DOCS.mrapPermissions,
    given: { policy: delegating, multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: 'the policy may be given as GetMultiRegionAccessPointPolicy output (Established.Policy is judged)',
    source: AP_DOCS.mrapPolicyApi,
    given: {
      policy: delegating,
      multiRegionAccessPoints: [multiRegionAccessPoint({ Policy: { Established: { Policy: JSON.stringify(policy(allowEveryone('s3:GetObject', `${MRAP_ARN}/object/*`))) }, Proposed: { Policy: '' } } })],
    },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
  {
    title: 'a Multi-Region Access Point policy naming a regional access point ARN grants nothing through it',
    source: AP_DOCS.mrapPermissions,
    given: { policy: delegating, multiRegionAccessPoints: [multiRegionAccessPoint({ Policy: policy(allowEveryone('s3:GetObject', AP_OBJECTS)) })] },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false } },
  },
  {
    title: 'a Multi-Region Access Point policy pinned to an organization is not public',
    source: AP_DOCS.meaningOfPublic,
    given: {
      policy: delegating,
      multiRegionAccessPoints: [multiRegionAccessPoint({ Policy: policy(allowEveryone('s3:GetObject', `${MRAP_ARN}/object/*`, { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })) })],
    },
    expected: { bucketPublic: false, door: { public: false, policyIsPublic: false } },
  },
  {
    title: 'a delegation on s3:AccessPointNetworkOrigin cannot be decided for a Multi-Region Access Point and is read as letting it through',
    source: AP_DOCS.conditionKeys,
    given: { policy: policy(delegate({ StringEquals: { 's3:AccessPointNetworkOrigin': 'Internet' } })), multiRegionAccessPoints: [multiRegionAccessPoint()] },
    expected: { bucketPublic: true, door: { public: true, access: ['read'] } },
  },
];
