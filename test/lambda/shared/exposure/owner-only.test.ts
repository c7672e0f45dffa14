/**
 * The bucket-owner-only APIs (GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy): S3 answers them with
 * 405 Method Not Allowed for any identity outside the bucket owner's account (S3 API Reference of each), so a
 * public grant of them gives the public no access level. The public verdict stays S3's: the policy is public.
 */
import fc from 'fast-check';
import { evaluateExposure } from '../../../../lambda/shared/exposure';
import { OWNER_ONLY_BUCKET_ACTIONS, isOwnerOnlyAction } from '../../../../lambda/shared/exposure/actions';
import { exposureSeverity } from '../../../../lambda/remediate/severity';
import { BUCKET, BUCKET_ARN, OBJECTS_ARN } from './case-helper';

const PUBLIC_PRINCIPALS: unknown[] = ['*', { AWS: '*' }, { AWS: ['*'] }, { AWS: ['arn:aws:iam::444455556666:root', '*'] }];
const ACL_LEVELS = ['readAcp', 'writeAcp'];

/** An owner-only action name in any case IAM accepts, or a wildcard that selects only owner-only actions. */
const ownerOnlyActionArb = fc.oneof(
  fc.constantFrom(...OWNER_ONLY_BUCKET_ACTIONS).chain((name) =>
    fc.constantFrom(`s3:${name}`, `s3:${name}`.toLowerCase(), `S3:${name.toUpperCase()}`),
  ),
  fc.constantFrom('s3:*etBucketPolicy', 's3:DeleteBucketPol*', 's3:?etBucketPolicy', 's3:PutBucketPolic?'),
);

function policyOf(statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('bucket-owner-only APIs granted to the public', () => {
  it('never yield readAcp or writeAcp, nor their severity; the policy stays public (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PUBLIC_PRINCIPALS),
        fc.array(ownerOnlyActionArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<unknown>(BUCKET_ARN, '*', [BUCKET_ARN, OBJECTS_ARN], 'arn:aws:s3:::amzn-s3-demo-*'),
        (principal, actions, resource) => {
          // GIVEN one public statement whose actions are only owner-only APIs
          const report = evaluateExposure({
            bucket: BUCKET,
            policy: policyOf([{ Effect: 'Allow', Principal: principal, Action: actions, Resource: resource }]),
            bucketPublicAccessBlock: null,
            accountPublicAccessBlock: null,
          });
          // THEN public as S3 says, with no permission-level access and no critical/medium (ACL) severity
          expect(report.policyIsPublic).toBe(true);
          expect(report.public).toBe(true);
          for (const level of ACL_LEVELS) expect(report.access).not.toContain(level);
          for (const finding of report.findings) for (const level of ACL_LEVELS) expect(finding.access).not.toContain(level);
          expect(exposureSeverity(report)).not.toBe('critical');
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['s3:GetBucketPolicy', 'readAcp'],
    ['s3:PutBucketPolicy', 'writeAcp'],
    ['s3:DeleteBucketPolicy', 'writeAcp'],
  ])('%s alone gives no access; before, the engine reported %s', (action) => {
    // GIVEN a public statement granting only that API
    const report = evaluateExposure({ bucket: BUCKET, policy: policyOf([{ Effect: 'Allow', Principal: '*', Action: action, Resource: BUCKET_ARN }]) });
    // THEN public, with an empty access list, and the why says the API is owner-only
    expect(report.public).toBe(true);
    expect(report.access).toEqual([]);
    expect(report.findings[0]?.why).toMatch(/bucket-owner-only API with 405 Method Not Allowed/);
  });

  it('leaves the real access of the other actions in the same statement', () => {
    // GIVEN owner-only APIs next to GetBucketAcl and PutBucketAcl, which the public can call
    const report = evaluateExposure({
      bucket: BUCKET,
      policy: policyOf([{ Effect: 'Allow', Principal: '*', Action: ['s3:PutBucketPolicy', 's3:GetBucketAcl', 's3:PutBucketAcl'], Resource: BUCKET_ARN }]),
    });
    // THEN the ACL APIs still count
    expect(report.access).toEqual(['readAcp', 'writeAcp']);
    expect(exposureSeverity(report)).toBe('critical');
  });

  it('knows exactly the three APIs the S3 API Reference marks 405 for outside identities', () => {
    expect([...OWNER_ONLY_BUCKET_ACTIONS]).toEqual(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);
    expect(isOwnerOnlyAction('S3:GETBUCKETPOLICY')).toBe(true);
    expect(isOwnerOnlyAction('s3:GetBucketPolicyStatus')).toBe(false);
    expect(isOwnerOnlyAction('s3:PutBucketAcl')).toBe(false);
  });
});
