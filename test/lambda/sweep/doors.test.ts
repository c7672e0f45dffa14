import { doorScopeOf, doorVerdictsOf, foreignDoorsOf, judgeForeignDoor, listingErrorsOf, type DoorInventory, type ForeignDoor } from '../../../lambda/sweep/doors';
import { evaluateExposure } from '../../../lambda/shared/exposure';

const OURS = '111122223333';
const THEIRS = '444455556666';
const OPEN = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
const DENIED = { name: 'AccessDenied', code: 'AccessDenied', message: 'Access Denied' };

function publicPointPolicy(region: string, account: string, name: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${region}:${account}:accesspoint/${name}/object/*` }],
  });
}

const inventory: DoorInventory = {
  account: OURS,
  regions: [
    {
      region: 'eu-west-1',
      accessPoints: [
        { name: 'reports', region: 'eu-west-1', bucket: 'data', bucketAccountId: OURS, networkOrigin: 'Internet' },
        { name: 'no-owner-said', region: 'eu-west-1', bucket: 'logs' },
        { name: 'partner-share', region: 'eu-west-1', bucket: 'partner-data', bucketAccountId: THEIRS, networkOrigin: 'Internet' },
      ],
    },
    { region: 'us-east-1', error: DENIED },
  ],
  multiRegion: {
    accessPoints: [
      {
        name: 'global',
        alias: 'mfzwi23gnjvgw.mrap',
        publicAccessBlock: OPEN,
        regions: [
          { bucket: 'data', region: 'eu-west-1', bucketAccountId: OURS },
          { bucket: 'partner-replica', region: 'us-west-2', bucketAccountId: THEIRS },
        ],
      },
    ],
  },
};

describe('doorScopeOf', () => {
  test.each([
    ['a bucket with an access point and a Multi-Region Access Point of ours', { name: 'data', region: 'eu-west-1' }, { accessPoints: true, multiRegionAccessPoints: ['global'] }],
    ['an access point whose listing does not name the bucket owner (taken as ours)', { name: 'logs', region: 'eu-west-1' }, { accessPoints: true }],
    ['a bucket without doors', { name: 'plain', region: 'eu-west-1' }, undefined],
    ["a bucket that shares its name with another account's bucket in the listing is never given that door", { name: 'partner-data', region: 'eu-west-1' }, undefined],
    ['a bucket whose Region could not be listed: read its own access points', { name: 'old', region: 'us-east-1' }, { accessPoints: true }],
    ['a bucket in a Region that was not listed at all: read its own access points', { name: 'far', region: 'ap-southeast-2' }, { accessPoints: true }],
  ])('%s', (_name, bucket, expected) => {
    // GIVEN the account's listings WHEN a bucket's doors are asked for (the sweep: fall back to reading per bucket)
    // THEN exactly the doors of our account that open it are named
    expect(doorScopeOf(inventory, bucket, 'read-per-bucket')).toEqual(expected);
  });

  test('without the per-bucket fallback, a bucket of an unlisted Region is checked with its Multi-Region Access Points only', () => {
    expect(doorScopeOf(inventory, { name: 'old', region: 'us-east-1' }, 'none')).toBeUndefined();
    expect(doorScopeOf({ ...inventory, regions: [{ region: 'eu-west-1', error: DENIED }] }, { name: 'data', region: 'eu-west-1' }, 'none')).toEqual({ multiRegionAccessPoints: ['global'] });
  });

  test('a failed Multi-Region listing leaves the access points', () => {
    expect(doorScopeOf({ ...inventory, multiRegion: { error: DENIED } }, { name: 'data', region: 'eu-west-1' }, 'none')).toEqual({ accessPoints: true });
  });
});

describe('foreignDoorsOf and listingErrorsOf', () => {
  test("names our access points and Multi-Region routes to other accounts' buckets, and the listings that failed", () => {
    expect(foreignDoorsOf(inventory)).toEqual([
      { kind: 'accessPoint', name: 'partner-share', region: 'eu-west-1', bucket: 'partner-data', bucketAccount: THEIRS },
      { kind: 'multiRegionAccessPoint', name: 'global', region: 'us-west-2', bucket: 'partner-replica', bucketAccount: THEIRS },
    ]);
    expect(listingErrorsOf(inventory)).toEqual([{ scope: 'us-east-1', error: DENIED }]);
    expect(listingErrorsOf({ ...inventory, multiRegion: { error: DENIED } })).toEqual([
      { scope: 'us-east-1', error: DENIED },
      { scope: 'multi-region', error: DENIED },
    ]);
  });
});

describe('judgeForeignDoor (an access point of ours on a bucket of another account)', () => {
  const door: ForeignDoor = { kind: 'accessPoint', name: 'partner-share', region: 'eu-west-1', bucket: 'partner-data', bucketAccount: THEIRS };
  const arn = `arn:aws:s3:eu-west-1:${OURS}:accesspoint/partner-share`;

  test.each([
    ['public policy, its own Block Public Access off, Internet origin', { NetworkOrigin: 'Internet', PublicAccessBlockConfiguration: OPEN }, true, /lets the public in/],
    ['public policy, VPC origin', { NetworkOrigin: 'VPC', VpcConfiguration: { VpcId: 'vpc-1' }, PublicAccessBlockConfiguration: OPEN }, false, /network origin is VPC/],
    ['public policy, its own RestrictPublicBuckets on', { NetworkOrigin: 'Internet', PublicAccessBlockConfiguration: { ...OPEN, RestrictPublicBuckets: true } }, false, /RestrictPublicBuckets is on/],
  ])('%s', (_name, settings, isPublic, why) => {
    // GIVEN the access point's own settings and a public policy, and nothing known about the other account's bucket
    const verdict = judgeForeignDoor(door, { Name: 'partner-share', AccessPointArn: arn, Bucket: 'partner-data', BucketAccountId: THEIRS, Policy: publicPointPolicy('eu-west-1', OURS, 'partner-share'), ...settings });
    // THEN it is judged on its own side only: the unknown bucket policy is no reason to call it private
    expect(verdict).toEqual(expect.objectContaining({ kind: 'accessPoint', name: 'partner-share', bucket: 'partner-data', bucketAccount: THEIRS, public: isPublic, policyIsPublic: true }));
    expect(verdict.why).toMatch(why);
    expect(verdict.why).toMatch(/belongs to account 444455556666.*neither reads nor changes/);
    if (isPublic) expect(verdict.access).toEqual(['read']);
  });

  test('an access point without a policy opens nothing', () => {
    const verdict = judgeForeignDoor(door, { Name: 'partner-share', AccessPointArn: arn, NetworkOrigin: 'Internet', PublicAccessBlockConfiguration: OPEN, Policy: null });
    expect(verdict).toEqual(expect.objectContaining({ public: false, policyIsPublic: false, access: [] }));
  });

  test('a Multi-Region Access Point routing to their bucket is judged on its own policy and Block Public Access', () => {
    const mrap: ForeignDoor = { kind: 'multiRegionAccessPoint', name: 'global', region: 'us-west-2', bucket: 'partner-replica', bucketAccount: THEIRS };
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3::${OURS}:accesspoint/mfzwi23gnjvgw.mrap/object/*` }] });
    expect(judgeForeignDoor(mrap, { Name: 'global', Alias: 'mfzwi23gnjvgw.mrap', AccountId: OURS, PublicAccessBlock: OPEN, Policy: policy }).public).toBe(true);
    expect(judgeForeignDoor(mrap, { Name: 'global', Alias: 'mfzwi23gnjvgw.mrap', AccountId: OURS, PublicAccessBlock: { ...OPEN, RestrictPublicBuckets: true }, Policy: policy }).public).toBe(false);
  });
});

describe('doorVerdictsOf', () => {
  test("one verdict per door of the bucket's report, with what the public can do and why", () => {
    // GIVEN a private bucket that delegates to its access points, one public access point and one restricted to a VPC
    const delegation = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'], Condition: { StringEquals: { 's3:DataAccessPointAccount': OURS } } }],
    });
    const report = evaluateExposure({
      bucket: 'data',
      accountId: OURS,
      policy: delegation,
      bucketPublicAccessBlock: OPEN,
      accessPoints: [
        { Name: 'reports', AccessPointArn: `arn:aws:s3:eu-west-1:${OURS}:accesspoint/reports`, NetworkOrigin: 'Internet', PublicAccessBlockConfiguration: OPEN, Policy: publicPointPolicy('eu-west-1', OURS, 'reports') },
        { Name: 'inside', AccessPointArn: `arn:aws:s3:eu-west-1:${OURS}:accesspoint/inside`, NetworkOrigin: 'VPC', PublicAccessBlockConfiguration: OPEN, Policy: publicPointPolicy('eu-west-1', OURS, 'inside') },
      ],
    });
    // WHEN its doors are listed for scan
    const verdicts = doorVerdictsOf(report.accessPoints ?? []);
    // THEN each has its verdict, and the reason that applies
    expect(verdicts.map((door) => [door.name, door.public, door.access])).toEqual([
      ['reports', true, ['read']],
      ['inside', false, []],
    ]);
    expect(verdicts[1]?.why).toMatch(/network origin is VPC/);
    expect(verdicts[0]?.arn).toBe(`arn:aws:s3:eu-west-1:${OURS}:accesspoint/reports`);
  });
});
