/**
 * Policy document syntax: Effect case, Statement shape, required elements, Version, Sids, the JSON
 * string form GetBucketPolicy returns. Where S3 would reject the document, the engine reports
 * policyValid false and fails closed (public, every access level).
 */
import { ALL_LEVELS, BUCKET_ARN, DOCS, type ExposureCase, OBJECTS_ARN, policy, policyFinding, publicRead } from '../case-helper';

const invalid = (whyMentions: string[]): ExposureCase['expected'] => ({
  public: true,
  policyIsPublic: true,
  policyValid: false,
  access: ALL_LEVELS,
  findings: [policyFinding(null, ALL_LEVELS)],
  whyMentions,
});

export const policyDocumentCases: ExposureCase[] = [
  {
    title: 'Effect "allow" (wrong case) is invalid: fail closed',
    source: DOCS.effect,
    given: { policy: policy(publicRead({ Effect: 'allow' })) },
    expected: invalid(['Effect is "allow"', 'case-sensitive']),
  },
  {
    title: 'Effect "DENY" (wrong case) is invalid: fail closed',
    source: DOCS.effect,
    given: { policy: policy(publicRead({ Principal: { AWS: '444455556666' } }), { Effect: 'DENY', Principal: '*', Action: 's3:*', Resource: '*' }) },
    expected: invalid(['statement 1']),
  },
  {
    title: 'a statement without Effect is invalid',
    source: DOCS.grammar,
    given: { policy: policy({ Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN }) },
    expected: invalid(['Effect is missing']),
  },
  {
    title: 'a bucket policy statement without Principal is invalid',
    source: DOCS.grammar,
    given: { policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS_ARN }) },
    expected: invalid(['neither Principal nor NotPrincipal']),
  },
  {
    title: 'a statement with both Principal and NotPrincipal is invalid',
    source: DOCS.notPrincipal,
    given: { policy: policy(publicRead({ NotPrincipal: { AWS: '444455556666' } })) },
    expected: invalid(['both Principal and NotPrincipal']),
  },
  {
    title: 'a statement with both Action and NotAction is invalid',
    source: DOCS.notAction,
    given: { policy: policy(publicRead({ NotAction: 's3:PutObject' })) },
    expected: invalid(['both Action and NotAction']),
  },
  {
    title: 'a statement without Resource is invalid',
    source: DOCS.grammar,
    given: { policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }) },
    expected: invalid(['neither Resource nor NotResource']),
  },
  {
    title: 'a policy without Statement is invalid',
    source: DOCS.grammar,
    given: { policy: { Version: '2012-10-17' } },
    expected: invalid(['Statement is missing']),
  },
  {
    title: 'an empty Statement array is invalid',
    source: DOCS.grammar,
    given: { policy: { Version: '2012-10-17', Statement: [] } },
    expected: invalid(['empty array']),
  },
  {
    title: 'a policy that is a JSON array is invalid',
    source: DOCS.grammar,
    given: { policy: [publicRead()] },
    expected: invalid(['must be a JSON object']),
  },
  {
    title: 'an unparsable policy string is invalid',
    source: DOCS.grammar,
    given: { policy: '{"Version": "2012-10-17", "Statement": [' },
    expected: invalid(['not valid JSON']),
  },
  {
    title: 'an unknown Version is invalid',
    source: DOCS.version,
    given: { policy: { Version: '2021-01-01', Statement: [publicRead()] } },
    expected: invalid(['Version "2021-01-01"']),
  },
  {
    title: 'duplicate Sids are invalid',
    source: DOCS.grammar,
    given: { policy: policy(publicRead({ Principal: { AWS: '444455556666' } }), publicRead({ Principal: { AWS: '777788889999' } })) },
    expected: invalid(['Sids must be unique']),
  },
  {
    title: 'a lower-case element name ("principal") is unknown: invalid',
    source: DOCS.grammar,
    given: { policy: policy({ Effect: 'Allow', principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN }) },
    expected: invalid(['unknown field "principal"']),
  },
  {
    title: 'an action without a service prefix is invalid',
    source: DOCS.action,
    given: { policy: policy(publicRead({ Action: 'GetObject' })) },
    expected: invalid(['no service prefix']),
  },
  {
    title: 'a Principal that is neither "*" nor an object is invalid',
    source: DOCS.principal,
    given: { policy: policy(publicRead({ Principal: ['*'] })) },
    expected: invalid(['Principal must be "*" or an object']),
  },
  {
    title: 'the policy as the JSON string GetBucketPolicy returns is read like the object',
    source: DOCS.bucketPolicyExamples,
    given: { policy: JSON.stringify(policy(publicRead())) },
    expected: { public: true, policyValid: true, access: ['read'], findings: [policyFinding(0, ['read'])] },
  },
  {
    title: 'a single statement object instead of an array is valid and reported as statement 0',
    source: DOCS.grammar,
    given: { policy: { Version: '2012-10-17', Statement: publicRead() } },
    expected: { public: true, policyValid: true, access: ['read'], findings: [policyFinding(0, ['read'])] },
  },
  {
    title: 'Version "2008-10-17" is valid',
    source: DOCS.version,
    given: { policy: { Version: '2008-10-17', Statement: [publicRead()] } },
    expected: { public: true, policyValid: true, access: ['read'] },
  },
  {
    title: 'a policy without Version is valid',
    source: DOCS.version,
    given: { policy: { Statement: [publicRead()] } },
    expected: { public: true, policyValid: true },
  },
  {
    title: 'no policy (null) is valid and not public',
    source: DOCS.blockPublicAccess,
    given: { policy: null },
    expected: { public: false, policyIsPublic: false, policyValid: true, findings: [] },
  },
  {
    title: 'an empty policy string means no policy',
    source: DOCS.blockPublicAccess,
    given: { policy: '' },
    expected: { public: false, policyIsPublic: false, policyValid: true },
  },
  {
    title: 'the finding names the exact index of the public statement among non-public ones',
    source: DOCS.blockPublicAccess,
    given: {
      policy: policy(
        { Sid: 'Logs', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${BUCKET_ARN}/logs/*` },
        { Sid: 'DenyHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [BUCKET_ARN, OBJECTS_ARN], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Sid: 'Website', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/site/*` },
        { Sid: 'Listing', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: BUCKET_ARN },
      ),
    },
    expected: { public: true, access: ['read', 'list'], findings: [policyFinding(2, ['read']), policyFinding(3, ['list'])], whyMentions: ['Sid "Website"', 'Sid "Listing"'] },
  },
];
