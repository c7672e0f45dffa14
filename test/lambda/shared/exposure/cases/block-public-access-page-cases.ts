/**
 * Every example policy in the S3 User Guide section "The meaning of 'public'", and the worked example of
 * a policy with both public and non-public statements under RestrictPublicBuckets.
 */
import { BUCKET_ARN, DOCS, type ExposureCase, OBJECTS_ARN, policy, policyFinding } from '../case-helper';

const source = DOCS.blockPublicAccess;

const cloudTrailStatement = {
  Sid: 'CloudTrail',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: OBJECTS_ARN,
};
const account2Statement = {
  Sid: 'Account2',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444455556666:root' },
  Action: ['s3:GetObject', 's3:ListBucket'],
  Resource: [BUCKET_ARN, OBJECTS_ARN],
};
const everyoneStatement = { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN };

export const blockPublicAccessPageCases: ExposureCase[] = [
  {
    title: 'a Federated graph.facebook.com principal allowed s3:PutObject on "*" is public',
    source,
    given: { policy: policy({ Principal: { Federated: 'graph.facebook.com' }, Resource: '*', Action: 's3:PutObject', Effect: 'Allow' }) },
    expected: { public: true, policyIsPublic: true, access: ['write'], findings: [policyFinding(0, ['write'])], whyMentions: ['graph.facebook.com'] },
  },
  {
    title: 'Principal "*" allowed s3:PutObject on "*" with no condition is public',
    source,
    given: { policy: policy({ Principal: '*', Resource: '*', Action: 's3:PutObject', Effect: 'Allow' }) },
    expected: { public: true, access: ['write'], findings: [policyFinding(0, ['write'])], whyMentions: ['there is no Condition'] },
  },
  {
    title: 'StringLike aws:SourceVpc "vpc-*" is a wildcard, so the statement stays public',
    source,
    given: { policy: policy({ Principal: '*', Resource: '*', Action: 's3:PutObject', Effect: 'Allow', Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } }) },
    expected: { public: true, access: ['write'], whyMentions: ['"vpc-*" contains a wildcard'] },
  },
  {
    title: 'StringEquals aws:SourceVpc with the fixed value vpc-91237329 makes the same statement non-public',
    source,
    given: { policy: policy({ Principal: '*', Resource: '*', Action: 's3:PutObject', Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } } }) },
    expected: { public: false, policyIsPublic: false, access: [], findings: [] },
  },
  {
    title: 'one public statement makes a policy with a service-principal and a cross-account statement public, and only it is reported',
    source,
    given: { policy: policy(cloudTrailStatement, account2Statement, everyoneStatement) },
    expected: { public: true, policyIsPublic: true, access: ['read'], findings: [policyFinding(2, ['read'])], whyMentions: ['Sid "Everyone"'] },
  },
  {
    title: 'RestrictPublicBuckets neutralises the public statement of that policy while the policy status stays public',
    source,
    given: { policy: policy(cloudTrailStatement, account2Statement, everyoneStatement), bucketPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: false, policyIsPublic: true, access: [], findings: [policyFinding(2, ['read'], 'RestrictPublicBuckets')] },
  },
  {
    title: 'without the public statement the policy grants only fixed principals and is not public, even with RestrictPublicBuckets',
    source,
    given: { policy: policy(cloudTrailStatement, account2Statement), bucketPublicAccessBlock: { RestrictPublicBuckets: true } },
    expected: { public: false, policyIsPublic: false, findings: [] },
  },
  {
    title: 's3:DataAccessPointArn may use a wildcard for the access point name when the account is fixed',
    source,
    given: { policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:*', Resource: [BUCKET_ARN, OBJECTS_ARN], Condition: { StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' } } }) },
    expected: { public: false, policyIsPublic: false, findings: [] },
  },
  {
    title: 'a value that is a policy variable is not a fixed value',
    source,
    given: { policy: policy(publicReadWith({ StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } })) },
    expected: { public: true, access: ['read'], whyMentions: ['policy variable'] },
  },
];

function publicReadWith(condition: Record<string, unknown>): Record<string, unknown> {
  return { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN, Condition: condition };
}
