import { main } from '../../cli/main';
import { SNAPSHOT_KEYS } from '../../cli/snapshot-input';
import type { ExposureReport } from '../../lambda/shared/exposure/types';
import { memoryIo } from './cli-io';

/** Issue 12.2: explain reads the S3 API's own shapes and refuses keys it does not know, naming them. */
const BUCKET = 'api-shapes';
const PUBLIC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
});
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const OWNER = { ID: 'owner-canonical-id' };
const PUBLIC_READ_ACL = {
  Owner: OWNER,
  Grants: [
    { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID }, Permission: 'FULL_CONTROL' },
    { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
  ],
};

async function explain(snapshot: unknown): Promise<{ code: number; report?: ExposureReport; err: string }> {
  const io = memoryIo({ stdin: JSON.stringify(snapshot) });
  const code = await main(['explain', '-', '--json'], io);
  return { code, err: io.err(), ...(code !== 2 ? { report: JSON.parse(io.out()) as ExposureReport } : {}) };
}

describe('explain accepts the S3 API\'s own shapes', () => {
  test.each([
    ['GetBucketPolicy output at the top level ("Policy")', { bucket: BUCKET, Policy: PUBLIC_POLICY }, ['read']],
    ['GetBucketPolicy output under "policy"', { bucket: BUCKET, policy: { Policy: PUBLIC_POLICY } }, ['read']],
    ['GetBucketAcl output as "ACL"', { bucket: BUCKET, ACL: PUBLIC_READ_ACL, ownership: 'ObjectWriter' }, ['list']],
    ['GetBucketOwnershipControls output', { bucket: BUCKET, acl: PUBLIC_READ_ACL, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }, ['list']],
  ])('%s is read and judged public', async (_, snapshot, access) => {
    // GIVEN a snapshot in an API shape WHEN explained THEN it is public with that access, exit 1
    const { code, report } = await explain(snapshot);
    expect(code).toBe(1);
    expect(report?.access).toEqual(access);
  });

  test.each([
    ['wrapped in PublicAccessBlockConfiguration', { bucket: BUCKET, policy: PUBLIC_POLICY, bucketPublicAccessBlock: { PublicAccessBlockConfiguration: ALL_ON } }],
    ['given as GetPublicAccessBlock output at the top level', { bucket: BUCKET, policy: PUBLIC_POLICY, PublicAccessBlockConfiguration: ALL_ON }],
    ['of the account, wrapped', { bucket: BUCKET, policy: PUBLIC_POLICY, accountPublicAccessBlock: { PublicAccessBlockConfiguration: ALL_ON } }],
    ['with GetBucketOwnershipControls enforcing owner', { bucket: BUCKET, acl: PUBLIC_READ_ACL, ownership: { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } } }],
  ])('Block Public Access %s neutralises the public grants (exit 0)', async (_, snapshot) => {
    const { code, report } = await explain(snapshot);
    expect(report?.public).toBe(false);
    expect(code).toBe(0);
  });

  test('explicit nulls are a meaningful snapshot: a bucket with no ACL and no policy', async () => {
    const { code, report } = await explain({ bucket: BUCKET, acl: null, policy: null });
    expect(code).toBe(0);
    expect(report?.public).toBe(false);
  });
});

describe('explain refuses keys it does not know (exit 2, naming the key)', () => {
  test.each([
    ['a misspelt key', { bucket: BUCKET, polcy: PUBLIC_POLICY }, /unknown key "polcy"; a snapshot takes bucket, accountId, acl/],
    ['a Block Public Access setting at the top level', { bucket: BUCKET, policy: null, BlockPublicAcls: true }, /misplaced key "BlockPublicAcls": it belongs inside "bucketPublicAccessBlock"/],
    ['ACL grants at the top level', { bucket: BUCKET, Grants: PUBLIC_READ_ACL.Grants }, /misplaced key "Grants": it belongs inside "acl"/],
    ['a misspelt setting inside the block', { bucket: BUCKET, bucketPublicAccessBlock: { BlockPublicAcl: true } }, /unknown key "bucketPublicAccessBlock.BlockPublicAcl"/],
    ['an unknown key inside the ACL', { bucket: BUCKET, acl: { ...PUBLIC_READ_ACL, Grant: [] } }, /unknown key "acl.Grant"; acl takes Owner, Grants/],
    ['GetBucketPolicyStatus output', { bucket: BUCKET, PolicyStatus: { IsPublic: true } }, /misplaced key "PolicyStatus": it belongs nowhere: GetBucketPolicyStatus is S3's verdict/],
    ['the same field twice', { bucket: BUCKET, policy: null, Policy: PUBLIC_POLICY }, /"Policy" and "policy" both give the policy; keep one/],
    ['a bucket name alone', { bucket: BUCKET }, /the snapshot says nothing about the bucket's state; give at least one of acl, policy/],
  ])('%s', async (_, snapshot, message) => {
    // GIVEN a snapshot with a key explain cannot read WHEN explained THEN exit 2 and stderr names the key
    const { code, err } = await explain(snapshot);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('in an array, the message names the snapshot\'s position', async () => {
    const io = memoryIo({ stdin: JSON.stringify([{ bucket: 'a', policy: null }, { bucket: 'b', Acl: {} }]) });
    expect(await main(['explain', '-'], io)).toBe(2);
    expect(io.err()).toContain('standard input[1]: unknown key "Acl"');
  });

  test('every key of the table is accepted (one table to extend, e.g. with accessPoints)', async () => {
    // GIVEN each key the table lists, with null WHEN explained with a bucket name THEN none is refused
    for (const key of Object.keys(SNAPSHOT_KEYS).filter((name) => name !== 'bucket' && name !== 'accountId')) {
      const { code, err } = await explain({ bucket: BUCKET, [key]: null });
      expect({ key, code, err }).toEqual({ key, code: 0, err: '' });
    }
  });
});
