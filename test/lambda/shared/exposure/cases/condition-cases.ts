/**
 * Condition keys and operators. Every key S3 lists in "The meaning of 'public'" is tried with a fixed
 * value (non-public), a wildcard and a policy variable (both public); then each operator family on a
 * fixed value (IAM condition operators, ...IfExists, Null, ForAnyValue / ForAllValues); then
 * aws:SourceIp widths for IPv4 and IPv6.
 */
import { DOCS, type ExposureCase, OBJECTS_ARN, policy, policyFinding } from '../case-helper';

function publicReadIf(condition: Record<string, unknown>): Record<string, unknown> {
  return { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN, Condition: condition };
}

interface KeyRow {
  readonly key: string;
  readonly operator: string;
  readonly fixed: string;
  readonly wildcard: string;
}

/** Each listed key, with a fixed value and a wildcarded one. */
const KEY_ROWS: KeyRow[] = [
  { key: 'aws:SourceIp', operator: 'IpAddress', fixed: '192.0.2.0/24', wildcard: '192.0.2.*' },
  { key: 'aws:SourceArn', operator: 'ArnEquals', fixed: 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE', wildcard: 'arn:aws:cloudfront::*:distribution/*' },
  { key: 'aws:SourceVpc', operator: 'StringEquals', fixed: 'vpc-111bbb22', wildcard: 'vpc-*' },
  { key: 'aws:SourceVpce', operator: 'StringEquals', fixed: 'vpce-1a2b3c4d', wildcard: 'vpce-1a2b3c4?' },
  { key: 'aws:SourceOwner', operator: 'StringEquals', fixed: '111122223333', wildcard: '1111*' },
  { key: 'aws:SourceAccount', operator: 'StringEquals', fixed: '111122223333', wildcard: '*' },
  { key: 's3:x-amz-server-side-encryption-aws-kms-key-id', operator: 'StringEquals', fixed: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', wildcard: 'arn:aws:kms:us-east-1:111122223333:key/*' },
  { key: 'aws:userid', operator: 'StringEquals', fixed: 'AIDACKCEVSQ6C2EXAMPLE', wildcard: 'AIDA*' },
  { key: 's3:DataAccessPointArn', operator: 'StringEquals', fixed: 'arn:aws:s3:us-west-2:123456789012:accesspoint/finance', wildcard: 'arn:aws:s3:us-west-2:*:accesspoint/finance' },
  { key: 's3:DataAccessPointAccount', operator: 'StringEquals', fixed: '123456789012', wildcard: '12345678901?' },
  { key: 'aws:PrincipalOrgID', operator: 'StringEquals', fixed: 'o-a1b2c3d4e5', wildcard: 'o-*' },
  { key: 'aws:PrincipalAccount', operator: 'StringEquals', fixed: '111122223333', wildcard: '*' },
  { key: 'aws:PrincipalArn', operator: 'ArnLike', fixed: 'arn:aws:iam::111122223333:role/Reader', wildcard: 'arn:aws:iam::*:role/Reader' },
  { key: 'aws:PrincipalOrgPaths', operator: 'StringEquals', fixed: 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', wildcard: 'o-*/r-ab12/ou-ab12-11111111/*' },
];

const keyCases: ExposureCase[] = KEY_ROWS.flatMap((row): ExposureCase[] => [
  {
    title: `${row.operator} ${row.key} with a fixed value makes a statement for "*" non-public`,
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ [row.operator]: { [row.key]: row.fixed } })) },
    expected: { public: false, policyIsPublic: false, findings: [] },
  },
  {
    title: `${row.key} with the wildcard value ${row.wildcard} leaves the statement public`,
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ [row.operator === 'StringEquals' ? 'StringLike' : row.operator]: { [row.key]: row.wildcard } })) },
    expected: { public: true, access: ['read'], findings: [policyFinding(0, ['read'])] },
  },
  {
    title: `${row.key} with a policy variable value leaves the statement public`,
    source: DOCS.variables,
    given: { policy: policy(publicReadIf({ [row.operator]: { [row.key]: row.key === 'aws:SourceIp' ? '${aws:SourceIp}' : '${aws:username}' } })) },
    expected: { public: true, access: ['read'] },
  },
]);

const operatorCases: ExposureCase[] = [
  {
    title: 'condition key names are case-insensitive: AWS:SOURCEVPCE with a fixed value still restricts',
    source: DOCS.conditionElement,
    given: { policy: policy(publicReadIf({ StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } })) },
    expected: { public: false, policyIsPublic: false },
  },
  {
    title: 'StringEqualsIgnoreCase with a fixed value restricts',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringEqualsIgnoreCase: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: false },
  },
  {
    title: 'StringLike with a fixed value (no wildcard) restricts',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringLike: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: false },
  },
  {
    title: 'several fixed values for one key still restrict (any of a fixed set)',
    source: DOCS.conditionElement,
    given: { policy: policy(publicReadIf({ StringEquals: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-5e6f7a8b'] } })) },
    expected: { public: false },
  },
  {
    title: 'one wildcard among several values makes the key unrestricted',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ StringLike: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-*'] } })) },
    expected: { public: true, access: ['read'] },
  },
  {
    title: 'StringNotEquals on a listed key excludes some callers but allows everyone else: public',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: true, access: ['read'], whyMentions: ['negated operator'] },
  },
  {
    title: 'StringNotLike on a listed key is public',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringNotLike: { 'aws:SourceVpc': 'vpc-111bbb22' } })) },
    expected: { public: true },
  },
  {
    title: 'ArnNotEquals on aws:SourceArn is public',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:topic' } })) },
    expected: { public: true },
  },
  {
    title: 'StringEqualsIfExists passes when the key is absent, so it does not restrict',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: true, access: ['read'], whyMentions: ['StringEqualsIfExists also passes when the request has no aws:SourceVpce'] },
  },
  {
    title: 'ArnLikeIfExists on aws:SourceArn does not restrict',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE' } })) },
    expected: { public: true },
  },
  {
    title: 'Null checks presence only, so Null aws:SourceVpce false does not restrict',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ Null: { 'aws:SourceVpce': 'false' } })) },
    expected: { public: true, whyMentions: ['Null only checks whether aws:SourceVpce is present'] },
  },
  {
    title: 'ForAnyValue:StringEquals with fixed values fails when the key is absent, so it restricts',
    source: DOCS.multiValuedKeys,
    given: { policy: policy(publicReadIf({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/' } })) },
    expected: { public: false },
  },
  {
    title: 'ForAllValues:StringEquals passes when the key is absent, so it does not restrict',
    source: DOCS.multiValuedKeys,
    given: { policy: policy(publicReadIf({ 'ForAllValues:StringEquals': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/' } })) },
    expected: { public: true, whyMentions: ['ForAllValues passes when the request has no aws:PrincipalOrgPaths'] },
  },
  {
    title: 'a condition on a key S3 does not list (aws:Referer) does not restrict, whatever its value',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ StringLike: { 'aws:Referer': 'https://www.example.com/' } })) },
    expected: { public: true, access: ['read'], whyMentions: ['aws:Referer is not one of the keys S3 accepts'] },
  },
  {
    title: 'Bool aws:SecureTransport does not restrict who can call',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ Bool: { 'aws:SecureTransport': 'true' } })) },
    expected: { public: true },
  },
  {
    title: 'conditions are ANDed: one fixed listed key among non-restricting ones restricts',
    source: DOCS.conditionElement,
    given: { policy: policy(publicReadIf({ Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: false },
  },
  {
    title: 'an unknown condition operator makes the policy invalid (fail closed)',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ StringEqualz: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })) },
    expected: { public: true, policyValid: false, findings: [policyFinding(null, ['read', 'list', 'write', 'readAcp', 'writeAcp'])] },
  },
  {
    title: 'aws:userid in the pattern "AROLEID:*" is not a fixed value',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } })) },
    expected: { public: true, whyMentions: ['AROLEID:*'] },
  },
  {
    title: 's3:DataAccessPointArn with a wildcard in the Region is public',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:*:123456789012:accesspoint/*' } })) },
    expected: { public: true },
  },
  {
    title: 's3:DataAccessPointArn naming a Multi-Region Access Point (no Region in its ARN) makes a statement for "*" non-public',
    source: DOCS.multiRegionAccessPointPermissions,
    given: { policy: policy(publicReadIf({ StringEquals: { 's3:DataAccessPointArn': 'arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap' } })) },
    expected: { public: false, policyIsPublic: false, findings: [] },
  },
  {
    title: 's3:DataAccessPointArn naming any Multi-Region Access Point of one account (wildcard alias) is non-public',
    source: DOCS.multiRegionAccessPointPermissions,
    given: { policy: policy(publicReadIf({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3::123456789012:accesspoint/*' } })) },
    expected: { public: false, policyIsPublic: false, findings: [] },
  },
  {
    title: 's3:DataAccessPointArn of a Multi-Region Access Point with a wildcard account is public',
    source: DOCS.multiRegionAccessPointPermissions,
    given: { policy: policy(publicReadIf({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3::*:accesspoint/mfzwi23gnjvgw.mrap' } })) },
    expected: { public: true },
  },
];

interface IpRow {
  readonly cidr: string | string[];
  readonly public: boolean;
  readonly why: string;
}

const IP_ROWS: IpRow[] = [
  { cidr: '0.0.0.0/0', public: true, why: 'the whole IPv4 internet' },
  { cidr: '0.0.0.0/1', public: true, why: 'the documented example of a very broad range' },
  { cidr: '128.0.0.0/7', public: true, why: 'one bit wider than /8' },
  { cidr: '11.0.0.0/8', public: false, why: 'exactly /8, the widest non-public IPv4 range' },
  { cidr: '10.0.0.0/8', public: false, why: 'an RFC 1918 private range' },
  { cidr: '192.0.2.0/24', public: false, why: 'a narrow range' },
  { cidr: '203.0.113.7/32', public: false, why: 'a single address' },
  { cidr: '203.0.113.7', public: false, why: 'a bare address (a /32)' },
  { cidr: '::/0', public: true, why: 'the whole IPv6 internet' },
  { cidr: '2001:db8::/31', public: true, why: 'one bit wider than /32' },
  { cidr: '2001:db8::/32', public: false, why: 'exactly /32, the widest non-public IPv6 range' },
  { cidr: '2001:db8:1234::/48', public: false, why: 'a narrow IPv6 range' },
  { cidr: '2001:db8::1', public: false, why: 'a bare IPv6 address' },
  { cidr: ['192.0.2.0/24', '0.0.0.0/0'], public: true, why: 'one too-wide range in the list' },
  { cidr: ['192.0.2.0/24', '2001:db8::/32'], public: false, why: 'IPv4 and IPv6 ranges that are both narrow enough' },
  { cidr: '192.0.2.0/33', public: true, why: 'an invalid prefix length' },
  { cidr: 'not-an-address', public: true, why: 'not an IP address' },
];

const ipCases: ExposureCase[] = [
  ...IP_ROWS.map((row): ExposureCase => ({
    title: `IpAddress aws:SourceIp ${JSON.stringify(row.cidr)} is ${row.public ? 'public' : 'non-public'}: ${row.why}`,
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ IpAddress: { 'aws:SourceIp': row.cidr } })) },
    expected: row.public ? { public: true, access: ['read'], findings: [policyFinding(0, ['read'])] } : { public: false, policyIsPublic: false, findings: [] },
  })),
  {
    title: 'the why of a 0.0.0.0/0 condition names the statement and says it is wider than S3 allows',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })) },
    expected: { public: true, whyMentions: ['Statement 0 (Sid "PublicRead")', 'Principal is "*"', 'aws:SourceIp 0.0.0.0/0 is wider than S3 allows for a non-public CIDR'] },
  },
  {
    title: 'NotIpAddress with a narrow range lets the rest of the internet in: public',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } })) },
    expected: { public: true, access: ['read'] },
  },
  {
    title: 'IpAddressIfExists does not restrict (requests without aws:SourceIp pass)',
    source: DOCS.conditionOperators,
    given: { policy: policy(publicReadIf({ IpAddressIfExists: { 'aws:SourceIp': '192.0.2.0/24' } })) },
    expected: { public: true },
  },
  {
    title: 'the documented IpAddress 54.240.143.0/24 plus NotIpAddress 54.240.143.188/32 example is non-public',
    source: DOCS.bucketPolicyExamples,
    given: { policy: policy(publicReadIf({ IpAddress: { 'aws:SourceIp': '54.240.143.0/24' }, NotIpAddress: { 'aws:SourceIp': '54.240.143.188/32' } })) },
    expected: { public: false },
  },
  {
    title: 'IpAddress on aws:VpcSourceIp (not a key S3 lists) does not restrict',
    source: DOCS.blockPublicAccess,
    given: { policy: policy(publicReadIf({ IpAddress: { 'aws:VpcSourceIp': '10.0.0.0/16' } })) },
    expected: { public: true },
  },
];

export const conditionCases: ExposureCase[] = [...keyCases, ...operatorCases, ...ipCases];
