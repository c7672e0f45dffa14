/**
 * The words of a finding: an on-call engineer must see which statement or grant, the exact reason, what
 * neutralises it today and the smallest fix.
 */
import { type Finding, evaluateExposure } from '../../../../lambda/shared/exposure';
import { OBJECTS_ARN, snapshotFor } from './case-helper';

function onlyFinding(given: Record<string, unknown>): Finding {
  const report = evaluateExposure(snapshotFor(given));
  expect(report.findings).toHaveLength(1);
  const [finding] = report.findings;
  if (finding === undefined) throw new Error('expected one finding');
  return finding;
}

const website = (extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'PublicReadGetObject', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN, ...extra }],
});

describe('finding explanations', () => {
  const rows: ReadonlyArray<readonly [string, Record<string, unknown>, string[], string[]]> = [
    [
      'a statement for "*" with no condition',
      { policy: website() },
      ['Statement 0 (Sid "PublicReadGetObject")', 'Principal is "*"', 'there is no Condition', 'read object data (s3:GetObject)'],
      ['Delete statement 0 (Sid "PublicReadGetObject")', 'RestrictPublicBuckets'],
    ],
    [
      'a 0.0.0.0/0 source IP condition',
      { policy: website({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }) },
      ['its only condition does not limit callers', 'aws:SourceIp 0.0.0.0/0 is wider than S3 allows for a non-public CIDR (/8 for IPv4, /32 for IPv6)'],
      ['narrow aws:SourceIp 0.0.0.0/0 to the ranges you trust, each /8 or longer'],
    ],
    [
      'an IfExists condition',
      { policy: website({ Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }) },
      ['StringEqualsIfExists also passes when the request has no aws:SourceVpce'],
      ['use StringEquals instead of StringEqualsIfExists'],
    ],
    [
      'a negated condition',
      { policy: website({ Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }) },
      ['a negated operator excludes some callers but lets every other caller in'],
      ['use IpAddress with the aws:SourceIp values you trust instead of NotIpAddress'],
    ],
    [
      'a wildcard value',
      { policy: website({ Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } }) },
      ['aws:SourceVpc value "vpc-*" contains a wildcard'],
      ['replace "vpc-*" with the exact aws:SourceVpc value'],
    ],
    [
      'an Allow with NotPrincipal',
      { policy: website({ Principal: undefined, NotPrincipal: { AWS: '444455556666' } }) },
      ['NotPrincipal {"AWS":"444455556666"}', 'grants everyone except the listed principals'],
      ['replace NotPrincipal with a Principal naming the accounts'],
    ],
    [
      'a statement neutralised by RestrictPublicBuckets on the account',
      { policy: website(), accountPublicAccessBlock: { RestrictPublicBuckets: true } },
      ['RestrictPublicBuckets (set on the account) is on', "only AWS service principals and users in the bucket owner's account"],
      ['Nothing is exposed through this statement while RestrictPublicBuckets stays on'],
    ],
    [
      'a statement under BlockPublicPolicy only',
      { policy: website(), bucketPublicAccessBlock: { BlockPublicPolicy: true } },
      ['BlockPublicPolicy (set on the bucket) is on, but it only rejects new public policies'],
      ['BlockPublicPolicy does not, as it only blocks new policies'],
    ],
    [
      'a public-read ACL grant',
      { acl: { Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] } },
      ['Grant 0 of the bucket ACL gives the AllUsers group (anyone on the internet, no AWS account needed) READ', "list the bucket's objects"],
      ['Delete grant 0 (AllUsers READ) from the bucket ACL', 'turn on IgnorePublicAcls', 'BlockPublicAcls alone does not help'],
    ],
    [
      'an ACL grant ignored because of IgnorePublicAcls on both levels',
      { acl: { Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'WRITE' }] }, bucketPublicAccessBlock: { IgnorePublicAcls: true }, accountPublicAccessBlock: { IgnorePublicAcls: true } },
      ['IgnorePublicAcls (set on the bucket and the account) is on, so S3 ignores this grant today'],
      ['takes effect again if IgnorePublicAcls is turned off'],
    ],
    [
      'an invalid policy',
      { policy: { Version: '2012-10-17', Statement: [{ Sid: 'Oops', Effect: 'allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN }] } },
      ['statement 0 (Sid "Oops"): Effect is "allow"; S3 accepts only "Allow" or "Deny" (case-sensitive)', 'fail closed'],
      ['Correct the policy document'],
    ],
  ];

  it.each(rows)('explains %s in plain words, with the fix', (_name, given, whyParts, fixParts) => {
    // GIVEN a snapshot with exactly one public grant or statement
    // WHEN it is evaluated
    const finding = onlyFinding(given);
    // THEN the why names it and the exact reason, and the fix says the smallest change
    for (const part of whyParts) expect(finding.why).toContain(part);
    for (const part of fixParts) expect(finding.fix).toContain(part);
  });

  it('reports the principal as written and the Sid of the statement', () => {
    // GIVEN a public statement with a principal map
    const finding = onlyFinding({ policy: website({ Principal: { AWS: ['arn:aws:iam::444455556666:root', '*'] } }) });
    // THEN the finding carries the statement index, Sid and principal as written
    expect(finding).toMatchObject({ source: 'policy', statementIndex: 0, sid: 'PublicReadGetObject', principal: '{"AWS":["arn:aws:iam::444455556666:root","*"]}' });
  });

  it('uses the bucket in the snapshot, not a fixed name', () => {
    // GIVEN a public statement on another bucket's objects
    const report = evaluateExposure({ ...snapshotFor({ policy: website() }), bucket: 'another-bucket' });
    // THEN a statement on amzn-s3-demo-bucket objects grants nothing on another-bucket
    expect(report.bucket).toBe('another-bucket');
    expect(report.public).toBe(false);
    expect(report.findings).toEqual([]);
  });
});
