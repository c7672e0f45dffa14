/**
 * The other doors end to end (issue 16): access point, Object Lambda access point and Multi-Region Access Point
 * events, and object ACL data events, each delivered in its CloudTrail shape (test/fixtures/events/doors) over the
 * real adapters and the stateful fakes. A bucket that is private on its own but public through the door is
 * contained with one write (the bucket's Block Public Access) and one alert, and its record names the door.
 */
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { processEvent } from '../../../lambda/remediate/pipeline';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, privateAcl } from '../../fakes/s3-fake';
import { ACCOUNT, BUCKET, REGION, fakeBackedDeps, fixture, writesTo, type TestDeps } from './support';

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes();
});

afterEach(() => {
  fakes.restore();
});

function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  return fakeBackedDeps(fakes, config);
}

/** The documented bucket policy that delegates access control to the account's access points. */
function delegationPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } },
      },
    ],
  });
}

function publicAccessPointPolicy(name: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${name}/object/*` }],
  });
}

const MRAP_ALIAS = 'mfzwi23gnjvgw.mrap';

function publicMultiRegionPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3::${ACCOUNT}:accesspoint/${MRAP_ALIAS}/object/*` }],
  });
}

/** A bucket private on its own (no public grant or statement) with every Block Public Access setting off. */
function delegatingBucket() {
  return fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: delegationPolicy(BUCKET), publicAccessBlock: null, ownership: null });
}

function records(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

function expectContainedOnce(record: AuditRecord | undefined): void {
  expect(writesTo(fakes, BUCKET)).toEqual(['s3:PutPublicAccessBlock']);
  expect(fakes.sns.published).toHaveLength(1);
  expect(record?.outcome).toBe('remediated');
  expect(record?.after?.bucketPublicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
}

describe('access point events', () => {
  it.each(['doors/create-access-point', 'doors/put-access-point-policy'])('%s: the bucket behind a public access point is contained with one write and one alert', async (name) => {
    // GIVEN a bucket that delegates to its access points, and an Internet access point with a public policy
    delegatingBucket();
    fakes.s3.addAccessPoint({ name: 'public-reports', bucket: BUCKET, policy: publicAccessPointPolicy('public-reports') });

    // WHEN the access point event is delivered
    const result = await processEvent(fixture(name), deps());

    // THEN the bucket is contained once, verified, and the record names the access point and its verdict
    expect(result.outcome).toBe('remediated');
    const [record] = records();
    expectContainedOnce(record);
    expect(record?.bucket).toBe(BUCKET);
    expect(record?.through).toEqual({ kind: 'accessPoint', name: 'public-reports', region: REGION, account: ACCOUNT, arn: `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/public-reports` });
    expect(record?.verdict?.engine.directlyPublic).toBe(false);
    expect(record?.verdict?.engine.accessPoints?.[0]).toMatchObject({ name: 'public-reports', public: true, access: ['read'] });
    // the calls went to S3 Control for that account and access point only
    const controlReads = fakes.log.entries.filter((entry) => entry.service === 's3control').map((entry) => entry.command);
    expect(controlReads).toEqual(expect.arrayContaining(['GetAccessPoint', 'GetAccessPointPolicy', 'ListAccessPoints']));
  });

  it('finds every access point of the bucket across ListAccessPoints pages', async () => {
    // GIVEN a private access point listed first and the public one on the second page
    delegatingBucket();
    fakes.s3.addAccessPoint({ name: 'internal-only', bucket: BUCKET });
    fakes.s3.addAccessPoint({ name: 'public-reports', bucket: BUCKET, policy: publicAccessPointPolicy('public-reports') });

    // WHEN a policy is put on the private one
    const event = fixture('doors/put-access-point-policy');
    event.detail.requestParameters.name = 'internal-only';
    const result = await processEvent(event, deps());

    // THEN both were judged and the public one found
    expect(result.outcome).toBe('remediated');
    const [record] = records();
    expect(record?.verdict?.engine.accessPoints?.map((point) => [point.name, point.public])).toEqual([
      ['internal-only', false],
      ['public-reports', true],
    ]);
    expect(fakes.log.entries.filter((entry) => entry.command === 'ListAccessPoints')).toHaveLength(4); // two pages, read and verify
  });

  it('leaves a bucket whose access point is VPC-only alone (already private, no write)', async () => {
    // GIVEN the public policy on an access point reachable only from a VPC
    delegatingBucket();
    fakes.s3.addAccessPoint({ name: 'public-reports', bucket: BUCKET, policy: publicAccessPointPolicy('public-reports'), networkOrigin: 'VPC' });

    // WHEN the policy event is delivered
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN nothing is written and the record says why
    expect(result.outcome).toBe('already-private');
    expect(writesTo(fakes, BUCKET)).toEqual([]);
    expect(records()[0]?.verdict?.engine.accessPoints?.[0]?.findings[0]?.neutralisedBy).toBe('NetworkOriginVpc');
  });

  it('ignores, with the reason, an access point that no longer exists', async () => {
    // GIVEN no access point
    delegatingBucket();

    // WHEN its policy event arrives
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN it is ignored without a write
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringContaining('access point public-reports no longer exists') });
    expect(writesTo(fakes, BUCKET)).toEqual([]);
  });

  it('acts on the bucket S3 names, not the one the event claims', async () => {
    // GIVEN the access point serves another bucket than the CreateAccessPoint body says
    fakes.s3.addBucket('other-bucket', { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: delegationPolicy('other-bucket'), publicAccessBlock: null, ownership: null });
    delegatingBucket();
    fakes.s3.addAccessPoint({ name: 'public-reports', bucket: 'other-bucket', policy: publicAccessPointPolicy('public-reports') });

    // WHEN the create event (naming guardrail-demo-data) arrives
    const d = deps();
    const result = await processEvent(fixture('doors/create-access-point'), d);

    // THEN other-bucket is contained and guardrail-demo-data untouched
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'other-bucket')).toEqual(['s3:PutPublicAccessBlock']);
    expect(writesTo(fakes, BUCKET)).toEqual([]);
    expect(d.logger.lines.some((line) => line.message.includes('disagree about the bucket'))).toBe(true);
  });
});

describe('Object Lambda access point events', () => {
  it('checks the bucket behind the supporting access point', async () => {
    // GIVEN an Object Lambda access point over the public access point
    delegatingBucket();
    fakes.s3.addAccessPoint({ name: 'public-reports', bucket: BUCKET, policy: publicAccessPointPolicy('public-reports') });
    fakes.s3.objectLambdaAccessPoints.set(`${ACCOUNT}/${REGION}/redacting-reports`, `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/public-reports`);

    // WHEN its policy event arrives
    const result = await processEvent(fixture('doors/put-access-point-policy-for-object-lambda'), deps());

    // THEN the bucket is contained once, and the record names the Object Lambda access point
    expect(result.outcome).toBe('remediated');
    const [record] = records();
    expectContainedOnce(record);
    expect(record?.through).toMatchObject({ kind: 'accessPoint', name: 'redacting-reports' });
  });
});

describe('Multi-Region Access Point events (made in us-west-2)', () => {
  it.each(['doors/create-multi-region-access-point', 'doors/put-multi-region-access-point-policy'])(
    '%s: the bucket behind a public Multi-Region Access Point is contained with one write and one alert',
    async (name) => {
      // GIVEN a bucket in eu-west-1 that delegates to access points, behind a public Multi-Region Access Point
      delegatingBucket();
      fakes.s3.addMultiRegionAccessPoint({ name: 'global-reports', alias: MRAP_ALIAS, account: ACCOUNT, buckets: [BUCKET], policy: publicMultiRegionPolicy() });

      // WHEN the event (Region us-west-2) arrives
      const result = await processEvent(fixture(name), deps());

      // THEN the bucket is contained in its own Region, and the record names the Multi-Region Access Point
      expect(result.outcome).toBe('remediated');
      const [record] = records();
      expectContainedOnce(record);
      expect(record?.region).toBe(REGION);
      expect(record?.through).toEqual({ kind: 'multiRegionAccessPoint', name: 'global-reports', account: ACCOUNT, region: 'us-west-2' });
      expect(record?.verdict?.engine.multiRegionAccessPoints?.[0]).toMatchObject({ name: 'global-reports', public: true });
      const regions = fakes.log.entries.filter((entry) => entry.command === 'GetMultiRegionAccessPoint');
      expect(regions.length).toBeGreaterThan(0);
    },
  );
});

describe('object ACL events (opt-in)', () => {
  function publicObject(): void {
    const acl = privateAcl();
    fakes.s3.objectAcls.set(`${BUCKET}/reports/2025-q1.csv`, { ...acl, Grants: [...acl.Grants, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }] });
  }

  it.each(['doors/put-object-acl', 'doors/put-object-public-read'])('%s: a public object ACL is neutralised with one write (IgnorePublicAcls), never rewritten', async (name) => {
    // GIVEN a private bucket with ACLs enabled and no Block Public Access, and a public-read object
    fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: null, publicAccessBlock: null, ownership: null });
    publicObject();

    // WHEN the object event arrives with objectAclEvents on
    const result = await processEvent(fixture(name), deps({ objectAclEvents: true }));

    // THEN one write contains it; the object ACL itself is not touched (no PutObjectAcl); the record names the object
    expect(result.outcome).toBe('remediated');
    const [record] = records();
    expectContainedOnce(record);
    expect(fakes.log.entries.some((entry) => entry.command === 'PutObjectAcl')).toBe(false);
    expect(record?.through).toEqual({ kind: 'objectAcl', key: 'reports/2025-q1.csv', account: ACCOUNT, region: REGION });
    expect(record?.verdict?.objectAcl).toMatchObject({ key: 'reports/2025-q1.csv', public: true, access: ['read'], publicGrants: [1] });
  });

  it('ignores a PutObject without a public ACL header, with the reason, before any AWS call', async () => {
    // GIVEN objectAclEvents on
    // WHEN an ordinary upload arrives
    const result = await processEvent(fixture('doors/put-object-private'), deps({ objectAclEvents: true }));

    // THEN it is ignored and nothing is read
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringContaining('PutObject without a public canned ACL') });
    expect(fakes.log.entries.filter((entry) => entry.service !== 'dynamodb')).toEqual([]);
  });

  it('ignores object ACL events when objectAclEvents is off', async () => {
    // WHEN a PutObjectAcl arrives in a deployment without the setting
    const result = await processEvent(fixture('doors/put-object-acl'), deps());

    // THEN it is ignored with the reason
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringContaining('OBJECT_ACL_EVENTS is off') });
  });

  it('leaves a bucket alone when IgnorePublicAcls already neutralises the object ACL', async () => {
    // GIVEN the bucket ignores public ACLs
    fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: null, publicAccessBlock: { IgnorePublicAcls: true }, ownership: null });
    publicObject();

    // WHEN the PutObjectAcl arrives
    const result = await processEvent(fixture('doors/put-object-acl'), deps({ objectAclEvents: true }));

    // THEN no write, and the record says what neutralises it
    expect(result.outcome).toBe('already-private');
    expect(writesTo(fakes, BUCKET)).toEqual([]);
    expect(records()[0]?.verdict?.objectAcl).toMatchObject({ public: false, neutralisedBy: 'IgnorePublicAcls' });
  });
});
