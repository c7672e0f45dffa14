/**
 * Block Public Access: each setting, bucket and account combined setting by setting, and the two
 * settings (BlockPublicAcls, BlockPublicPolicy) that only refuse future calls.
 */
import { DOCS, type ExposureCase, OBJECTS_ARN, aclFinding, policy, policyFinding, publicRead } from '../case-helper';
import { CANNED_ACLS } from './acl-cases';

const publicPolicy = policy(publicRead());
const allFour = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const allOff = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

export const blockPublicAccessCases: ExposureCase[] = [
  {
    title: 'BlockPublicPolicy on the bucket does not change an existing public policy',
    source: DOCS.publicAccessBlockApi,
    given: { policy: publicPolicy, bucketPublicAccessBlock: { BlockPublicPolicy: true } },
    expected: { public: true, access: ['read'], findings: [policyFinding(0, ['read'])], whyMentions: ['BlockPublicPolicy (set on the bucket) is on, but it only rejects new public policies'] },
  },
  {
    title: 'BlockPublicPolicy on the account does not change an existing public policy',
    source: DOCS.publicAccessBlockApi,
    given: { policy: publicPolicy, accountPublicAccessBlock: { BlockPublicPolicy: true } },
    expected: { public: true, access: ['read'] },
  },
  {
    title: 'RestrictPublicBuckets on the bucket neutralises a public policy',
    source: DOCS.publicAccessBlockApi,
    given: { policy: publicPolicy, bucketPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: false, policyIsPublic: true, findings: [policyFinding(0, ['read'], 'RestrictPublicBuckets')] },
  },
  {
    title: 'RestrictPublicBuckets on the account neutralises a public policy even when the bucket setting is off',
    source: DOCS.blockPublicAccess,
    given: { policy: publicPolicy, bucketPublicAccessBlock: allOff, accountPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: false, policyIsPublic: true, whyMentions: ['RestrictPublicBuckets (set on the account) is on'] },
  },
  {
    title: 'IgnorePublicAcls does not touch a public policy',
    source: DOCS.publicAccessBlockApi,
    given: { policy: publicPolicy, bucketPublicAccessBlock: { IgnorePublicAcls: true } },
    expected: { public: true, access: ['read'] },
  },
  {
    title: 'BlockPublicAcls on the bucket does not change an existing public ACL',
    source: DOCS.publicAccessBlockApi,
    given: { acl: CANNED_ACLS['public-read'], bucketPublicAccessBlock: { BlockPublicAcls: true } },
    expected: { public: true, access: ['list'], findings: [aclFinding(1, ['list'])], whyMentions: ['it only rejects new public ACLs'] },
  },
  {
    title: 'IgnorePublicAcls on the bucket neutralises a public ACL',
    source: DOCS.publicAccessBlockApi,
    given: { acl: CANNED_ACLS['public-read'], bucketPublicAccessBlock: { IgnorePublicAcls: true } },
    expected: { public: false, aclIsPublic: true, findings: [aclFinding(1, ['list'], 'IgnorePublicAcls')] },
  },
  {
    title: 'IgnorePublicAcls on the account neutralises a public ACL even when the bucket setting is off',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read'], bucketPublicAccessBlock: allOff, accountPublicAccessBlock: { IgnorePublicAcls: true } },
    expected: { public: false, aclIsPublic: true },
  },
  {
    title: 'RestrictPublicBuckets does not touch a public ACL',
    source: DOCS.publicAccessBlockApi,
    given: { acl: CANNED_ACLS['public-read'], bucketPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: true, access: ['list'] },
  },
  {
    title: 'a public ACL and a public policy: IgnorePublicAcls leaves the policy exposure',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read'], policy: publicPolicy, accountPublicAccessBlock: { IgnorePublicAcls: true } },
    expected: { public: true, access: ['read'], findings: [aclFinding(1, ['list'], 'IgnorePublicAcls'), policyFinding(0, ['read'])] },
  },
  {
    title: 'a public ACL and a public policy: RestrictPublicBuckets leaves the ACL exposure',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read'], policy: publicPolicy, bucketPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: true, access: ['list'], findings: [aclFinding(1, ['list']), policyFinding(0, ['read'], 'RestrictPublicBuckets')] },
  },
  {
    title: 'a public ACL and a public policy with no Block Public Access: access is the union',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read-write'], policy: publicPolicy },
    expected: { public: true, access: ['read', 'list', 'write'] },
  },
  {
    title: 'all four settings on the bucket make everything non-public',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read-write'], policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }), bucketPublicAccessBlock: allFour },
    expected: { public: false, policyIsPublic: true, aclIsPublic: true, access: [] },
  },
  {
    title: 'all four settings on the account make everything non-public',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['public-read-write'], policy: publicPolicy, accountPublicAccessBlock: allFour },
    expected: { public: false, access: [] },
  },
  {
    title: 'the settings combine per setting: IgnorePublicAcls from the bucket and RestrictPublicBuckets from the account',
    source: DOCS.blockPublicAccess,
    given: {
      acl: CANNED_ACLS['public-read'],
      policy: publicPolicy,
      bucketPublicAccessBlock: { ...allOff, IgnorePublicAcls: true },
      accountPublicAccessBlock: { ...allOff, RestrictPublicBuckets: true },
    },
    expected: { public: false, findings: [aclFinding(1, ['list'], 'IgnorePublicAcls'), policyFinding(0, ['read'], 'RestrictPublicBuckets')] },
  },
  {
    title: 'BlockPublicAcls and BlockPublicPolicy together change nothing today',
    source: DOCS.publicAccessBlockApi,
    given: { acl: CANNED_ACLS['public-read'], policy: publicPolicy, accountPublicAccessBlock: { BlockPublicAcls: true, BlockPublicPolicy: true } },
    expected: { public: true, access: ['read', 'list'] },
  },
  {
    title: 'a Block Public Access flag that is not a boolean is read as off (fail closed)',
    source: DOCS.publicAccessBlockApi,
    given: { policy: publicPolicy, bucketPublicAccessBlock: { RestrictPublicBuckets: 'true' } },
    expected: { public: true, access: ['read'] },
  },
  {
    title: 'an invalid policy is neutralised by RestrictPublicBuckets like any public policy',
    source: DOCS.blockPublicAccess,
    given: { policy: policy({ Effect: 'allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN }), accountPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: false, policyIsPublic: true, policyValid: false, findings: [policyFinding(null, ['read', 'list', 'write', 'readAcp', 'writeAcp'], 'RestrictPublicBuckets')] },
  },
];
