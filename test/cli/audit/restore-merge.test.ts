import { mergeAtIndexes, restoredPolicy, sameGrant, sameGrants, samePolicy } from '../../../cli/audit/restore-merge';
import type { AclGrant } from '../../../lambda/shared/exposure/types';

const PUBLIC_READ: AclGrant = { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' };
const OWNER_FULL: AclGrant = { Grantee: { Type: 'CanonicalUser', ID: 'owner-id', DisplayName: 'ops' }, Permission: 'FULL_CONTROL' };

describe('mergeAtIndexes', () => {
  it('puts each removed item back at its original index, in ascending order', () => {
    expect(mergeAtIndexes(['a', 'c'], [{ index: 3, item: 'd' }, { index: 1, item: 'b' }])).toEqual({ merged: ['a', 'b', 'c', 'd'], added: 2 });
  });

  it('skips an item already present and clamps an index past the end', () => {
    expect(mergeAtIndexes(['a', 'b'], [{ index: 0, item: 'a' }, { index: 9, item: 'z' }])).toEqual({ merged: ['a', 'b', 'z'], added: 1 });
  });
});

describe('grant and policy comparison', () => {
  it('compares grants by grantee and permission, not by the display name S3 may add or drop', () => {
    const withoutName: AclGrant = { Grantee: { Type: 'CanonicalUser', ID: 'owner-id' }, Permission: 'FULL_CONTROL' };
    expect(sameGrant(OWNER_FULL, withoutName)).toBe(true);
    expect(sameGrant(OWNER_FULL, { ...withoutName, Permission: 'READ' })).toBe(false);
    expect(sameGrants([OWNER_FULL, PUBLIC_READ], [withoutName, PUBLIC_READ])).toBe(true);
    expect(sameGrants([OWNER_FULL], [OWNER_FULL, PUBLIC_READ])).toBe(false);
  });

  it('compares policies as JSON; an invalid policy is never the same as anything', () => {
    expect(samePolicy('{"Version":"2012-10-17","Statement":[]}', '{ "Version": "2012-10-17", "Statement": [] }')).toBe(true);
    expect(samePolicy(null, null)).toBe(true);
    expect(samePolicy('{not json', '{not json')).toBe(false);
  });
});

describe('restoredPolicy', () => {
  const publicStatement = { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  const ownStatement = { Sid: 'Own', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: 'arn:aws:s3:::b' };
  const basis = JSON.stringify({ Version: '2012-10-17', Statement: [publicStatement, ownStatement] });
  const afterStrip = JSON.stringify({ Version: '2012-10-17', Statement: [ownStatement] });

  it('puts the basis back verbatim when the policy is still as the strip left it', () => {
    const notes: string[] = [];
    expect(restoredPolicy({ what: 'the bucket policy', removed: [{ index: 0, statement: publicStatement }], basis, afterStrip, current: afterStrip }, notes)).toEqual({ policy: basis });
    expect(notes).toEqual([]);
  });

  it('merges the removed statement into a policy changed since, and says so', () => {
    const added = { Sid: 'Added', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: 'arn:aws:s3:::b' };
    const current = JSON.stringify({ Version: '2012-10-17', Statement: [ownStatement, added] });
    const notes: string[] = [];
    const result = restoredPolicy({ what: 'the bucket policy', removed: [{ index: 0, statement: publicStatement }], basis, afterStrip, current }, notes);
    expect(JSON.parse(result.policy ?? '{}')).toEqual({ Version: '2012-10-17', Statement: [publicStatement, ownStatement, added] });
    expect(notes).toEqual([expect.stringMatching(/^The bucket policy changed after the remediation; 1 removed statement will be merged/)]);
  });

  it('refuses a merge that would give two statements the same Sid, and a current policy that is not JSON', () => {
    const clash = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...ownStatement, Sid: 'Public' }] });
    expect(restoredPolicy({ what: 'the bucket policy', removed: [{ index: 0, statement: publicStatement }], basis, afterStrip, current: clash }, []).refused).toMatch(/two statements with Sid "Public"/);
    expect(restoredPolicy({ what: 'the policy of access point ap1', removed: [{ index: 0, statement: publicStatement }], basis, afterStrip, current: '{oops' }, []).refused).toMatch(/policy of access point ap1 is not valid JSON/);
  });

  it('has nothing to put back when nothing was removed', () => {
    expect(restoredPolicy({ what: 'the bucket policy', removed: [], basis, afterStrip, current: afterStrip }, [])).toEqual({});
  });
});
