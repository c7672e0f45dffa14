import { planStrip, type StripInput } from '../../../lambda/remediate/strip';
import { evaluateExposure } from '../../../lambda/shared/exposure';
import type { AclGrant, BucketAcl } from '../../../lambda/shared/exposure/types';

const BUCKET = 'strip-bucket';
const OWNER = { ID: 'owner-canonical-id' };
const OWNER_GRANT: AclGrant = { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID }, Permission: 'FULL_CONTROL' };
const ALL_USERS_READ: AclGrant = { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' };
const AUTHENTICATED_WRITE: AclGrant = { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, Permission: 'WRITE' };
const LOG_DELIVERY_WRITE: AclGrant = { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, Permission: 'WRITE' };

const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
const partnerRead = { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
const denyInsecure = { Sid: 'DenyHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
const publicList = { Sid: 'PublicList', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` };

function policy(statement: unknown): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'KeepMe', Statement: statement });
}

function plan(input: StripInput) {
  const report = evaluateExposure({ bucket: BUCKET, acl: input.acl, policy: input.policy, ownership: input.ownership });
  return planStrip(input, report);
}

function acl(...grants: AclGrant[]): BucketAcl {
  return { Owner: OWNER, Grants: grants };
}

describe('the strip-public-grants plan', () => {
  it('removes only the public statements and keeps the rest of the document as it was', () => {
    // GIVEN a policy with two public statements among private ones
    const input = { acl: null, policy: policy([denyInsecure, publicRead, partnerRead, publicList]), ownership: 'BucketOwnerEnforced' };

    // WHEN the plan is made
    const result = plan(input);

    // THEN exactly statements 1 and 3 go, with their exact content; Version, Id and order stay
    expect(result.removal.policyStatements).toEqual([
      { index: 1, statement: publicRead },
      { index: 3, statement: publicList },
    ]);
    expect(result.policy).toEqual({ action: 'put', text: policy([denyInsecure, partnerRead]) });
    expect(result.removal.policyDeleted).toBe(false);
  });

  it.each([
    ['an array with one public statement', [publicRead]],
    ['a single statement object', publicRead],
  ])('deletes the policy when nothing is left: %s', (_name, statement) => {
    // GIVEN a policy whose every statement is public WHEN planned
    const result = plan({ acl: null, policy: policy(statement), ownership: 'BucketOwnerEnforced' });

    // THEN it is deleted rather than rewritten empty
    expect(result.policy).toEqual({ action: 'delete' });
    expect(result.removal).toMatchObject({ policyDeleted: true, policyStatements: [{ index: 0, statement: publicRead }] });
  });

  it('removes only the public ACL grants and keeps the owner and the log delivery group', () => {
    // GIVEN an ACL with two public grants WHEN planned on a bucket with ACLs enabled
    const result = plan({ acl: acl(OWNER_GRANT, ALL_USERS_READ, LOG_DELIVERY_WRITE, AUTHENTICATED_WRITE), policy: null, ownership: 'ObjectWriter' });

    // THEN the new ACL keeps the owner and everything not public
    expect(result.newAcl).toEqual({ Owner: OWNER, Grants: [OWNER_GRANT, LOG_DELIVERY_WRITE] });
    expect(result.removal.aclGrants).toEqual([
      { index: 1, grant: ALL_USERS_READ },
      { index: 3, grant: AUTHENTICATED_WRITE },
    ]);
    expect(result.policy).toBeUndefined();
  });

  it('leaves the ACL alone on a BucketOwnerEnforced bucket', () => {
    // GIVEN a public grant left in the ACL of a bucket with ACLs disabled WHEN planned
    const result = plan({ acl: acl(OWNER_GRANT, ALL_USERS_READ), policy: null, ownership: 'BucketOwnerEnforced' });

    // THEN no ACL is written and the reason is recorded
    expect(result.newAcl).toBeUndefined();
    expect(result.removal.aclGrants).toEqual([]);
    expect(result.removal.aclLeftAlone).toMatch(/BucketOwnerEnforced/);
  });

  it('leaves a policy S3 would reject in place, since no single statement can be named', () => {
    // GIVEN an invalid policy document WHEN planned
    const result = plan({ acl: null, policy: '{"Statement": [{"Effect": "Allow", "Principal": "*"', ownership: 'BucketOwnerEnforced' });

    // THEN nothing is removed and the reason is recorded
    expect(result.policy).toBeUndefined();
    expect(result.removal.policyStatements).toEqual([]);
    expect(result.removal.policyLeftAlone).toMatch(/not a document S3 would accept/);
  });

  it('plans nothing for a bucket with nothing public', () => {
    const result = plan({ acl: acl(OWNER_GRANT), policy: policy([partnerRead]), ownership: 'ObjectWriter' });
    expect(result).toEqual({ removal: { aclGrants: [], policyStatements: [], policyDeleted: false } });
  });

  it('refuses to strip when the findings point past the ACL it was given', () => {
    // GIVEN a report made from a longer ACL than the one passed in (the state changed between reads)
    const report = evaluateExposure({ bucket: BUCKET, acl: acl(OWNER_GRANT, ALL_USERS_READ), ownership: 'ObjectWriter' });

    // WHEN planned against the shorter ACL
    const result = planStrip({ acl: acl(OWNER_GRANT), policy: null, ownership: 'ObjectWriter' }, report);

    // THEN the ACL is left in place with a reason
    expect(result.newAcl).toBeUndefined();
    expect(result.removal.aclLeftAlone).toMatch(/does not match the findings/);
  });
});
