/**
 * The strip-public-grants strategy end to end over the real adapters and the stateful fakes:
 * - issue 16 item 3: the public statements of a public access point's policy are removed (the policy deleted when
 *   every statement is public), the whole policy recorded before the write, the result verified with
 *   GetAccessPointPolicyStatus; a Multi-Region Access Point policy is recorded for the owner, never written; object
 *   ACLs are reported, never rewritten;
 * - issue 11: an owner change between the read and the strip write is kept, not undone by the stale computation.
 */
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { processEvent } from '../../../lambda/remediate/pipeline';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, privateAcl, publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { ACCOUNT, BUCKET, REGION, bucketEvent, fakeBackedDeps, fixture, writesTo, type TestDeps } from './support';

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes();
});

afterEach(() => {
  fakes.restore();
});

function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  return fakeBackedDeps(fakes, { strategy: 'strip-public-grants', ...config });
}

function records(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
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

const AP = 'public-reports';
const PUBLIC_STATEMENT = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${AP}/object/*` };
const TEAM_STATEMENT = {
  Sid: 'AnalyticsRead',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Analytics` },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${AP}/object/*`,
};

function accessPointPolicy(...statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A bucket private on its own (it delegates to its access points) with every Block Public Access setting off. */
function delegatingBucket() {
  return fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: delegationPolicy(BUCKET), publicAccessBlock: null, ownership: null });
}

describe('strip-public-grants: access point policies (issue 16 item 3)', () => {
  it('removes exactly the public statement of a public access point, after recording the whole policy, and verifies it with S3', async () => {
    // GIVEN a bucket reachable through an access point whose policy has one public and one team statement
    delegatingBucket();
    const original = accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT);
    const point = fakes.s3.addAccessPoint({ name: AP, bucket: BUCKET, policy: original });

    // WHEN its policy event is handled with the strip strategy
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN the bucket is contained, and only the public statement is gone from the access point policy
    expect(result.outcome).toBe('remediated');
    expect(JSON.parse(point.policy ?? '{}').Statement).toEqual([TEAM_STATEMENT]);
    expect(writesTo(fakes, BUCKET)).toEqual(['s3:PutPublicAccessBlock']);
    const [write] = fakes.log.find('s3control', 'PutAccessPointPolicy');
    expect(write?.input).toEqual({ AccountId: ACCOUNT, Name: AP, Policy: accessPointPolicy(TEAM_STATEMENT) });
    // AND the whole original policy was saved on the record before the write (the first update is the claim)
    const [, saved] = fakes.log.find('dynamodb', 'Update');
    expect((saved?.endSeq as number) < (write?.startSeq as number)).toBe(true);
    const savedRemoval = (saved?.input.ExpressionAttributeValues as Record<string, unknown>)[':v1'] as AuditRecord['removed'];
    const expectedDoor = {
      kind: 'accessPoint',
      name: AP,
      arn: `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${AP}`,
      account: ACCOUNT,
      region: REGION,
      policy: original,
      policyStatements: [{ index: 0, statement: PUBLIC_STATEMENT }],
      policyDeleted: false,
    };
    expect(savedRemoval?.accessPoints).toEqual([expectedDoor]);
    // AND S3's own policy status was read after the write to verify it
    const [status] = fakes.log.find('s3control', 'GetAccessPointPolicyStatus');
    expect((status?.startSeq as number) > (write?.endSeq as number)).toBe(true);
    // AND the record names the access point and what was removed; the alert says it too
    const [record] = records();
    expect(record?.removed?.accessPoints).toEqual([expectedDoor]);
    expect(record?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketPublicAccessBlock:succeeded', 'PutAccessPointPolicy:succeeded']);
    const alert = fakes.sns.published[0];
    expect(alert !== undefined && SnsFake.parts(alert).email).toContain(`Access point ${AP}: policy statements removed: #0`);
  });

  it('deletes the access point policy when every statement is public', async () => {
    // GIVEN an access point whose only statement is public
    delegatingBucket();
    const point = fakes.s3.addAccessPoint({ name: AP, bucket: BUCKET, policy: accessPointPolicy(PUBLIC_STATEMENT) });

    // WHEN handled with the strip strategy
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN the policy is deleted (not written empty), and the record says so
    expect(result.outcome).toBe('remediated');
    expect(point.policy).toBeNull();
    expect(fakes.log.find('s3control', 'PutAccessPointPolicy')).toEqual([]);
    expect(fakes.log.find('s3control', 'DeleteAccessPointPolicy').map((entry) => entry.input)).toEqual([{ AccountId: ACCOUNT, Name: AP }]);
    expect(records()[0]?.removed?.accessPoints?.[0]).toMatchObject({ policyDeleted: true, policy: accessPointPolicy(PUBLIC_STATEMENT) });
  });

  it('ends failed (critical) when S3 still calls the access point policy public after the strip', async () => {
    // GIVEN an owner (or S3 lag) that puts the public statement back right behind the strip write
    delegatingBucket();
    const point = fakes.s3.addAccessPoint({ name: AP, bucket: BUCKET, policy: accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT) });
    fakes.s3.afterCall('PutAccessPointPolicy', () => {
      point.policy = accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT);
    });

    // WHEN handled with the strip strategy
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN the bucket stays contained, but the run says the access point policy is still public
    expect(result.outcome).toBe('failed');
    expect(records()[0]).toMatchObject({ severity: 'critical', reason: expect.stringContaining(`the policy of access point ${AP} is still public`) });
  });

  it('leaves access point policies alone under the block-public-access strategy', async () => {
    // GIVEN the same public access point
    delegatingBucket();
    const original = accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT);
    const point = fakes.s3.addAccessPoint({ name: AP, bucket: BUCKET, policy: original });

    // WHEN handled with the default strategy
    await processEvent(fixture('doors/put-access-point-policy'), deps({ strategy: 'block-public-access' }));

    // THEN one containment write, no access point write
    expect(point.policy).toBe(original);
    expect(fakes.log.entries.filter((entry) => entry.service === 's3control' && /^(Put|Delete)AccessPointPolicy$/.test(entry.command))).toEqual([]);
    expect(records()[0]?.removed).toBeUndefined();
  });

  it('records a public Multi-Region Access Point policy for the owner, and never writes it (the request is asynchronous)', async () => {
    // GIVEN a bucket behind a public Multi-Region Access Point
    delegatingBucket();
    const alias = 'mfzwi23gnjvgw.mrap';
    const statement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3::${ACCOUNT}:accesspoint/${alias}/object/*` };
    const mrap = fakes.s3.addMultiRegionAccessPoint({ name: 'global-reports', alias, account: ACCOUNT, buckets: [BUCKET], policy: accessPointPolicy(statement) });

    // WHEN its event is handled with the strip strategy
    const result = await processEvent(fixture('doors/put-multi-region-access-point-policy'), deps());

    // THEN the bucket is contained (its RestrictPublicBuckets covers the MRAP); the MRAP policy is left, recorded with why
    expect(result.outcome).toBe('remediated');
    expect(mrap.policy).toBe(accessPointPolicy(statement));
    expect(fakes.log.entries.filter((entry) => entry.service === 's3control' && /^(Put|Delete)/.test(entry.command))).toEqual([]);
    expect(records()[0]?.removed?.accessPoints).toEqual([
      {
        kind: 'multiRegionAccessPoint',
        name: 'global-reports',
        account: ACCOUNT,
        region: 'us-west-2',
        policy: accessPointPolicy(statement),
        policyStatements: [{ index: 0, statement }],
        policyDeleted: false,
        policyLeftAlone: expect.stringContaining('asynchronous'),
      },
    ]);
  });

  it('reports a public object ACL and never rewrites it, also under the strip strategy', async () => {
    // GIVEN a public-read object in a bucket with ACLs enabled and no Block Public Access
    fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: null, publicAccessBlock: null, ownership: null });
    const acl = privateAcl();
    fakes.s3.objectAcls.set(`${BUCKET}/reports/2025-q1.csv`, { ...acl, Grants: [...acl.Grants, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }] });

    // WHEN the object ACL event is handled with the strip strategy
    const result = await processEvent(fixture('doors/put-object-acl'), deps({ objectAclEvents: true }));

    // THEN IgnorePublicAcls contains it; the object ACL is reported in the verdict and never written
    expect(result.outcome).toBe('remediated');
    expect(fakes.log.entries.some((entry) => entry.command === 'PutObjectAcl')).toBe(false);
    expect(writesTo(fakes, BUCKET)).toEqual(['s3:PutPublicAccessBlock']);
    expect(records()[0]?.verdict?.objectAcl).toMatchObject({ public: true, publicGrants: [1] });
  });
});

describe('strip-public-grants: a concurrent owner change is kept (issue 11)', () => {
  const OWNER_STATEMENT = { Sid: 'PartnerRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };

  function publicBucket() {
    return fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, acl: privateAcl(), policy: publicReadPolicy(BUCKET), publicAccessBlock: null, ownership: null });
  }

  it('plans the strip again when the owner changed the bucket policy between the read and the write', async () => {
    // GIVEN a public bucket, and its owner adding a partner statement right after the guardrail contained it
    const bucket = publicBucket();
    const ownersPolicy = publicReadPolicy(BUCKET, [OWNER_STATEMENT]);
    fakes.s3.afterCall('PutPublicAccessBlock', () => {
      bucket.policy = ownersPolicy;
    });

    // WHEN the strip strategy handles the event
    const result = await processEvent(bucketEvent('put-bucket-policy.new', BUCKET), deps());

    // THEN the owner's statement is kept and only the public one removed (not the stale "delete the policy")
    expect(result.outcome).toBe('remediated');
    expect(JSON.parse(bucket.policy ?? '{}').Statement).toEqual([OWNER_STATEMENT]);
    expect(writesTo(fakes, BUCKET)).toEqual(['s3:PutPublicAccessBlock', 's3:PutBucketPolicy']);
    const [record] = records();
    expect(record?.removed).toMatchObject({ policyDeleted: false, policyStatements: [{ index: 0 }], basis: { policy: ownersPolicy } });
    expect(record?.reason).toContain('the bucket policy changed after it was read');
    expect(record?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketPublicAccessBlock:succeeded', 'DeleteBucketPolicy:not-sent', 'PutBucketPolicy:succeeded']);
  });

  it('strips nothing, and says why, when the owner keeps changing the policy (at most one new plan)', async () => {
    // GIVEN an owner who changes the policy after the containment and again after the new plan was saved
    const bucket = publicBucket();
    let edits = 0;
    const edit = () => {
      edits += 1;
      bucket.policy = publicReadPolicy(BUCKET, [{ ...OWNER_STATEMENT, Sid: `PartnerRead${edits}` }]);
    };
    fakes.s3.afterCall('PutPublicAccessBlock', edit);
    // (GetBucketPolicy #1 is the first read, #2 the read before the strip: the owner edits again right after it)
    let reads = 0;
    fakes.s3.afterCall('GetBucketPolicy', () => {
      reads += 1;
      if (reads === 2) edit();
    });

    // WHEN the strip strategy handles the event
    const result = await processEvent(bucketEvent('put-bucket-policy.new', BUCKET), deps());

    // THEN no strip write went out; the owner's latest policy stands; the bucket is contained and the record says why
    const [record] = records();
    expect(writesTo(fakes, BUCKET)).toEqual(['s3:PutPublicAccessBlock']);
    expect(JSON.parse(bucket.policy ?? '{}').Statement[1]).toMatchObject({ Sid: 'PartnerRead2' });
    expect(result.outcome).toBe('remediated');
    expect(record?.removed).toMatchObject({ policyStatements: [], policyLeftAlone: expect.stringContaining('kept changing') });
    expect(record?.reason).toContain('kept changing');
  });

  it('plans the access point strip again when the owner changed the access point policy between the read and the write', async () => {
    // GIVEN a public access point, and its owner adding a team statement right after the containment
    delegatingBucket();
    const point = fakes.s3.addAccessPoint({ name: AP, bucket: BUCKET, policy: accessPointPolicy(PUBLIC_STATEMENT) });
    fakes.s3.afterCall('PutPublicAccessBlock', () => {
      point.policy = accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT);
    });

    // WHEN the strip strategy handles the event
    const result = await processEvent(fixture('doors/put-access-point-policy'), deps());

    // THEN the team statement is kept (the stale plan would have deleted the whole policy)
    expect(result.outcome).toBe('remediated');
    expect(JSON.parse(point.policy ?? '{}').Statement).toEqual([TEAM_STATEMENT]);
    expect(fakes.log.find('s3control', 'DeleteAccessPointPolicy')).toEqual([]);
    expect(records()[0]?.removed?.accessPoints?.[0]).toMatchObject({ policy: accessPointPolicy(PUBLIC_STATEMENT, TEAM_STATEMENT), policyDeleted: false });
  });
});
