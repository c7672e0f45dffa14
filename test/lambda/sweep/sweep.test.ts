import { GetTrailStatusCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { publicReadAcl, publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import type { CheckBucket } from '../../../lambda/sweep/worker';
import { SweepHarness } from './support/sweep-harness';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
const OPEN = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

/** Adds `count` buckets spread over REGIONS; every `publicEvery`-th one public in one of three ways. */
function addBuckets(harness: SweepHarness, count: number, publicEvery = 0): string[] {
  const publicNames: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `bucket-${String(index).padStart(6, '0')}`;
    const region = REGIONS[index % REGIONS.length] as string;
    if (publicEvery > 0 && index % publicEvery === 0) {
      const kind = (index / publicEvery) % 3;
      if (kind === 0) harness.fakes.s3.addBucket(name, { region, publicAccessBlock: null, ownership: 'BucketOwnerPreferred', acl: publicReadAcl() });
      else if (kind === 1) harness.fakes.s3.addBucket(name, { region, publicAccessBlock: null, policy: publicReadPolicy(name) });
      else harness.fakes.s3.addBucket(name, { region, publicAccessBlock: OPEN, policy: publicReadPolicy(name) });
      publicNames.push(name);
    } else {
      harness.fakes.s3.addBucket(name, { region });
    }
  }
  return publicNames;
}

function perBucketAlerts(harness: SweepHarness): string[] {
  return harness.fakes.sns.published
    .filter((alert) => alert.MessageAttributes?.outcome?.StringValue !== 'sweep-summary')
    .map((alert) => alert.MessageAttributes?.bucket?.StringValue ?? '');
}

/** Counts pipeline calls per bucket, and can make chosen calls throw. */
function countingCheck(calls: Map<string, number>, fail: (bucket: string, attempt: number) => Error | undefined = () => undefined) {
  return (check: CheckBucket): CheckBucket =>
    async (bucket, sweep) => {
      const attempt = (calls.get(bucket.name) ?? 0) + 1;
      calls.set(bucket.name, attempt);
      const error = fail(bucket.name, attempt);
      if (error !== undefined) throw error;
      return check(bucket, sweep);
    };
}

describe('a sweep of the whole account', () => {
  let harness: SweepHarness;
  afterEach(() => harness.restore());

  test('10,000 buckets in three regions: every public bucket is contained, counted once, one summary', async () => {
    // GIVEN 10,000 buckets in three regions, one in 500 public (by ACL, by policy, with Block Public Access off)
    harness = new SweepHarness({ pageSize: 1000, regions: [...REGIONS], transport: 'direct' });
    const publicNames = addBuckets(harness, 10_000, 500);
    // WHEN a sweep starts, lists and checks with 16 workers at once
    await harness.start();
    await harness.runConcurrently({ concurrency: 16, batchSize: 4 });
    // THEN no bucket is public any more
    expect(publicNames.filter((name) => harness.fakes.s3.isPublic(name))).toEqual([]);
    // AND one summary counts every bucket exactly once
    const summaries = harness.summaries();
    expect(summaries).toHaveLength(1);
    const summary = harness.summaryJson(summaries[0] as (typeof summaries)[number]);
    expect(summary).toEqual(
      expect.objectContaining({
        complete: true,
        listed: 10_000,
        counts: { checked: 10_000, public: 20, remediated: 20, failed: 0, exempt: 0, reportOnly: 0, alreadyPrivate: 9_980, bucketGone: 0 },
      }),
    );
    // AND per-bucket alerts went out only for the buckets the sweep changed
    expect(perBucketAlerts(harness).sort()).toEqual([...publicNames].sort());
    // AND a record, marked as coming from this sweep, exists for each bucket changed (none for private ones)
    const records = [...harness.fakes.table.items.values()];
    expect(records.map((item) => item.bucket).sort()).toEqual([...publicNames].sort());
    expect(new Set(records.map((item) => `${String(item.trigger)} ${String(item.outcome)}`))).toEqual(new Set(['sweep remediated']));
    expect(new Set(records.map((item) => item.sweepId)).size).toBe(1);
    expect(harness.queues.work.deadLetters).toHaveLength(0);
  });

  test('lists across several pages and acts on each bucket in its own region', async () => {
    // GIVEN 45 buckets over three regions (the fake refuses calls from a client in the wrong region) and pages of 10
    harness = new SweepHarness({ pageSize: 10 });
    const publicNames = addBuckets(harness, 45, 7);
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers();
    // THEN ListBuckets was paged with MaxBuckets and the continuation tokens
    const listCalls = harness.fakes.log.find('s3', 'ListBuckets');
    expect(listCalls.map((call) => [call.input.MaxBuckets, call.input.ContinuationToken])).toEqual([
      [10, undefined],
      [10, 'bucket-000009'],
      [10, 'bucket-000019'],
      [10, 'bucket-000029'],
      [10, 'bucket-000039'],
    ]);
    // AND every public bucket was contained in its region, with no failure
    expect(publicNames.filter((name) => harness.fakes.s3.isPublic(name))).toEqual([]);
    const summary = harness.summaryJson(harness.summaries()[0] as never);
    expect(summary.counts).toEqual(expect.objectContaining({ checked: 45, remediated: publicNames.length, failed: 0 }));
    const contained = harness.fakes.log.find('s3', 'PutPublicAccessBlock');
    expect(contained.map((call) => call.error)).toEqual(contained.map(() => undefined));
  });

  test('hands the listing over to the next invocation when time runs low, without losing a page', async () => {
    // GIVEN 95 buckets in pages of 10 and lister invocations that have time for about three pages each
    harness = new SweepHarness({ pageSize: 10 });
    addBuckets(harness, 95);
    await harness.start();
    // WHEN the lister runs with a clock that loses 20 s per page
    const invocations = await harness.runListing(() => {
      let left = 120_000;
      return () => (left -= 20_000);
    });
    await harness.runWorkers();
    // THEN the listing took several invocations and the sweep still counted every bucket once
    expect(invocations).toBeGreaterThan(2);
    const summary = harness.summaryJson(harness.summaries()[0] as never);
    expect(summary).toEqual(expect.objectContaining({ listed: 95, complete: true }));
    expect((summary.counts as Record<string, number>).checked).toBe(95);
  });

  test('an empty account gets a summary from the lister itself', async () => {
    // GIVEN no buckets WHEN a sweep runs THEN the lister finds it complete and sends the summary
    harness = new SweepHarness();
    await harness.start();
    await harness.runListing();
    expect(harness.summaries()).toHaveLength(1);
    expect(harness.summaryJson(harness.summaries()[0] as never)).toEqual(expect.objectContaining({ listed: 0, complete: true }));
  });

  test('a retried start of the same sweep does not list the account twice', async () => {
    // GIVEN a deploy-triggered sweep that has started listing
    harness = new SweepHarness({ pageSize: 10 });
    addBuckets(harness, 30);
    const first = await harness.start({}, 'req-42');
    await harness.runListing();
    // WHEN Lambda retries the same invocation
    const second = await harness.start({}, 'req-42');
    // THEN the second start is recognised and sends no listing message
    expect(first.status).toBe('started');
    expect(second).toEqual(expect.objectContaining({ status: 'already-started', sweepId: first.sweepId }));
    expect(harness.queues.listing.size).toBe(0);
  });
});

describe('failures during a sweep', () => {
  let harness: SweepHarness;
  afterEach(() => harness.restore());

  test('a bucket that fails once is retried alone: no other bucket is checked or counted twice', async () => {
    // GIVEN 60 buckets, one of which throws on its first check
    harness = new SweepHarness({ pageSize: 100 });
    addBuckets(harness, 60, 10);
    const calls = new Map<string, number>();
    const wrap = countingCheck(calls, (bucket, attempt) => (bucket === 'bucket-000013' && attempt === 1 ? Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }) : undefined));
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers({ wrapCheck: wrap });
    // THEN the failing bucket was checked twice and every other bucket once
    expect(calls.get('bucket-000013')).toBe(2);
    expect([...calls.entries()].filter(([name, count]) => name !== 'bucket-000013' && count !== 1)).toEqual([]);
    // AND the message was made visible again after a back-off rather than after the visibility timeout
    expect(harness.queues.calls).toContain('ChangeMessageVisibility');
    // AND the summary counts 60 buckets, nothing failed
    const summary = harness.summaryJson(harness.summaries()[0] as never);
    expect(summary.counts).toEqual(expect.objectContaining({ checked: 60, public: 6, remediated: 6, failed: 0 }));
  });

  test('S3 throttling on a bucket is retried until it clears', async () => {
    // GIVEN a public bucket whose reads are throttled (SlowDown) twice, beyond the SDK's own retries
    harness = new SweepHarness({ pageSize: 100 });
    const publicNames = addBuckets(harness, 20, 5);
    const throttled = publicNames[1] as string;
    harness.fakes.s3.injectError({ command: 'GetBucketAcl', bucket: throttled, times: 2 }, 'Throttling');
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers();
    // THEN the bucket is contained after the retries and counted once
    expect(harness.fakes.s3.isPublic(throttled)).toBe(false);
    const summary = harness.summaryJson(harness.summaries()[0] as never);
    expect(summary.counts).toEqual(expect.objectContaining({ checked: 20, remediated: publicNames.length, failed: 0 }));
    expect(harness.fakes.log.find('s3', 'GetBucketAcl', (call) => call.input.Bucket === throttled && call.error === 'SlowDown')).toHaveLength(2);
  });

  test('a worker that crashes after counting does not make its buckets count twice', async () => {
    // GIVEN 40 buckets and a first worker invocation that crashes after doing its work
    harness = new SweepHarness({ pageSize: 100 });
    addBuckets(harness, 40, 8);
    const calls = new Map<string, number>();
    // WHEN the sweep runs and the crashed batch is delivered again after its visibility timeout
    await harness.start();
    await harness.runListing();
    await harness.runWorkers({ concurrency: 1, batchSize: 1, wrapCheck: countingCheck(calls), crashAfter: (_records, invocation) => invocation === 1 });
    // THEN the re-delivered buckets were skipped, not re-checked, and the totals are exact
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    expect(calls.size).toBe(40);
    const summaries = harness.summaries();
    expect(summaries).toHaveLength(1);
    expect(harness.summaryJson(summaries[0] as never).counts).toEqual(expect.objectContaining({ checked: 40, remediated: 5 }));
  });

  test('a failure after counting, before the completion check, still ends in exactly one summary', async () => {
    // GIVEN the progress read of the completion check failing once
    harness = new SweepHarness({ pageSize: 100 });
    addBuckets(harness, 10, 5);
    const calls = new Map<string, number>();
    await harness.start();
    await harness.runListing();
    harness.progressTable.injectError('Get', Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }));
    // WHEN the workers run
    await harness.runWorkers({ concurrency: 1, batchSize: 1, wrapCheck: countingCheck(calls) });
    // THEN the message came back, no bucket was checked twice, and the summary was sent once with all 10
    expect([...calls.values()]).toEqual(Array.from({ length: 10 }, () => 1));
    const summaries = harness.summaries();
    expect(summaries).toHaveLength(1);
    expect(harness.summaryJson(summaries[0] as never).counts).toEqual(expect.objectContaining({ checked: 10, remediated: 2 }));
  });

  test('a bucket that fails on every attempt is counted as failed and alerted once, and the sweep completes', async () => {
    // GIVEN a bucket whose check always throws
    harness = new SweepHarness({ pageSize: 100, maxAttempts: 3 });
    addBuckets(harness, 12);
    const calls = new Map<string, number>();
    const wrap = countingCheck(calls, (bucket) => (bucket === 'bucket-000004' ? Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' }) : undefined));
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers({ wrapCheck: wrap });
    // THEN it was tried maxAttempts times, then counted as failed with one critical alert
    expect(calls.get('bucket-000004')).toBe(3);
    const alerts = harness.fakes.sns.published.filter((alert) => alert.MessageAttributes?.bucket?.StringValue === 'bucket-000004');
    expect(alerts).toHaveLength(1);
    expect(SnsFake.parts(alerts[0] as never).email).toMatch(/could not check bucket bucket-000004 .* after 3 attempts/);
    // AND the summary is complete and critical, with the failure counted once
    const summary = harness.summaries()[0] as never;
    expect(harness.summaryJson(summary)).toEqual(expect.objectContaining({ complete: true, severity: 'critical' }));
    expect((harness.summaryJson(summary).counts as Record<string, number>).failed).toBe(1);
    expect(harness.queues.work.deadLetters).toHaveLength(0);
  });

  test('the same work message delivered twice at once is counted once', async () => {
    // GIVEN a sweep whose work messages are all duplicated (SQS delivers at least once)
    harness = new SweepHarness({ pageSize: 100 });
    addBuckets(harness, 30, 6);
    await harness.start();
    await harness.runListing();
    for (const message of [...harness.queues.work.messages.values()]) harness.queues.work.send(message.body);
    // WHEN workers process both copies concurrently
    await harness.runWorkers({ concurrency: 8, batchSize: 1 });
    // THEN every bucket is counted once and one summary is sent
    const summaries = harness.summaries();
    expect(summaries).toHaveLength(1);
    expect(harness.summaryJson(summaries[0] as never).counts).toEqual(expect.objectContaining({ checked: 30, remediated: 5 }));
  });
});

describe('starting a sweep', () => {
  let harness: SweepHarness;
  afterEach(() => harness.restore());

  test('a region without a logging trail raises a critical blindness alert', async () => {
    // GIVEN CloudTrail reports the only trail as stopped
    harness = new SweepHarness({ regions: ['us-east-1', 'eu-west-1'] });
    harness.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    // WHEN a sweep starts
    const result = await harness.start();
    // THEN the coverage says blind and a critical alert names the regions
    expect(result.coverage.map((region) => region.status)).toEqual(['blind', 'blind']);
    const blind = harness.fakes.sns.published.filter((alert) => alert.MessageAttributes?.outcome?.StringValue === 'guardrail-blind');
    expect(blind).toHaveLength(1);
    expect(blind[0]?.Subject).toBe('[critical] Guardrail BLIND in us-east-1, eu-west-1');
  });

  test('a public bucket found by the sweep names who exposed it, in the record and the alert', async () => {
    // GIVEN a public bucket and CloudTrail history with the PutBucketPolicy that opened it
    harness = new SweepHarness({ pageSize: 100 });
    harness.fakes.s3.addBucket('opened-site', { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy('opened-site') });
    harness.cloudtrail.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventId: 'ev-put-policy',
          EventName: 'PutBucketPolicy',
          EventTime: new Date('2026-11-20T10:00:00Z'),
          CloudTrailEvent: JSON.stringify({ userIdentity: { arn: 'arn:aws:iam::111122223333:user/mallory' }, sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2.15.0' }),
        },
      ],
    });
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers();
    // THEN LookupEvents asked about the bucket, and the record and the alert name the call and the principal
    expect(harness.cloudtrail.commandCalls(LookupEventsCommand).map((call) => call.args[0].input.LookupAttributes)).toEqual([[{ AttributeKey: 'ResourceName', AttributeValue: 'opened-site' }]]);
    const record = [...harness.fakes.table.items.values()].find((item) => item.bucket === 'opened-site');
    expect(record?.exposedBy).toEqual({
      status: 'found',
      eventId: 'ev-put-policy',
      eventName: 'PutBucketPolicy',
      eventTime: '2026-11-20T10:00:00.000Z',
      actor: { arn: 'arn:aws:iam::111122223333:user/mallory', sourceIp: '203.0.113.9', userAgent: 'aws-cli/2.15.0' },
    });
    const alert = harness.fakes.sns.published.find((published) => published.MessageAttributes?.bucket?.StringValue === 'opened-site');
    expect(SnsFake.parts(alert as never).email).toMatch(/exposed by PutBucketPolicy at 2026-11-20T10:00:00.000Z/);
    expect(SnsFake.parts(alert as never).email).toMatch(/arn:aws:iam::111122223333:user\/mallory/);
  });

  test('a new sweep reports the previous one that never finished', async () => {
    // GIVEN a sweep whose work was lost (its messages never processed)
    harness = new SweepHarness({ pageSize: 100 });
    addBuckets(harness, 10);
    await harness.start({}, 'req-first');
    await harness.runListing();
    harness.queues.work.messages.clear();
    // WHEN the next sweep starts
    await harness.start({ trigger: 'manual' }, 'req-second');
    // THEN an INCOMPLETE summary for the first sweep is sent once
    const summaries = harness.summaries();
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Subject).toMatch(/INCOMPLETE/);
    expect(harness.summaryJson(summaries[0] as never)).toEqual(expect.objectContaining({ sweepId: 'deploy-reqfirst', complete: false, listed: 10 }));
  });
});

describe('a sweep with access points and Multi-Region Access Points (issue 16)', () => {
  let harness: SweepHarness;
  afterEach(() => harness.restore());
  const ACCOUNT = '111122223333';
  const THEIRS = '444455556666';
  const pointPolicy = (region: string, account: string, name: string): string =>
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${region}:${account}:accesspoint/${name}/object/*` }] });
  const delegation = (bucket: string): string =>
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } } }] });

  test('a bucket public only through its access point is found, contained with its Block Public Access, and recorded with the door', async () => {
    // GIVEN a bucket private by itself that delegates to its access points, one of which has a public policy
    harness = new SweepHarness({ regions: ['eu-west-1'], doors: true, callerAccount: ACCOUNT });
    harness.fakes.s3.addBucket('shared-data', { region: 'eu-west-1', publicAccessBlock: null, policy: delegation('shared-data') });
    const web = harness.fakes.s3.addAccessPoint({ name: 'web', bucket: 'shared-data', policy: pointPolicy('eu-west-1', ACCOUNT, 'web') });
    harness.fakes.s3.addMultiRegionAccessPoint({ name: 'global', alias: 'mfzwi23gnjvgw.mrap', account: ACCOUNT, buckets: ['shared-data'] });
    // AND plain private buckets, with no doors
    for (const name of ['plain-1', 'plain-2', 'plain-3']) harness.fakes.s3.addBucket(name, { region: 'eu-west-1' });
    // AND an access point of ours, with a public policy, on a bucket of another account
    harness.fakes.s3.addBucket('partner-data', { region: 'eu-west-1', account: THEIRS, publicAccessBlock: null });
    harness.fakes.s3.addAccessPoint({ name: 'partner-share', bucket: 'partner-data', account: ACCOUNT, policy: pointPolicy('eu-west-1', ACCOUNT, 'partner-share') });
    // WHEN the sweep runs
    await harness.start();
    await harness.runListing();
    await harness.runWorkers({ concurrency: 1 });
    // THEN the bucket was contained with the one reversible write, and the access point itself was never changed
    expect(harness.fakes.s3.bucket('shared-data').publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(web.policy).toBe(pointPolicy('eu-west-1', ACCOUNT, 'web'));
    // AND its record says it was public through the access point, judged with its Multi-Region Access Point too
    const record = [...harness.fakes.table.items.values()].find((item) => item.bucket === 'shared-data') as {
      outcome?: string;
      verdict?: { engine?: { accessPoints?: { name: string; public: boolean }[]; multiRegionAccessPoints?: { name: string }[] } };
    };
    expect(record.outcome).toBe('remediated');
    expect(record.verdict?.engine?.accessPoints?.map((door) => [door.name, door.public])).toEqual([['web', true]]);
    expect(record.verdict?.engine?.multiRegionAccessPoints?.map((door) => door.name)).toEqual(['global']);
    // AND the Region's access points and the Multi-Region ones were listed for the account, not per bucket: once by the
    // lister (doors to other accounts' buckets) and once by the worker (two pages each)
    const listings = harness.fakes.log.entries.filter((entry) => entry.command === 'ListAccessPoints' && entry.input.Bucket === undefined);
    expect(listings.map((entry) => entry.input.NextToken)).toEqual([undefined, '1', undefined, '1']);
    expect(harness.fakes.log.entries.filter((entry) => entry.command === 'ListMultiRegionAccessPoints')).toHaveLength(2);
    // AND the plain buckets were read without doors, and the other account's bucket was never read nor written
    expect(new Set(harness.fakes.log.entries.filter((entry) => entry.command === 'ListAccessPoints' && entry.input.Bucket !== undefined).map((entry) => entry.input.Bucket))).toEqual(
      new Set(['shared-data']),
    );
    expect(harness.fakes.log.entries.filter((entry) => entry.input.Bucket === 'partner-data')).toEqual([]);
    expect(harness.fakes.s3.bucket('partner-data').publicAccessBlock).toBeNull();
    // AND the summary counts it as public and remediated (the other account's bucket is not one of ours)
    const summary = harness.summaryJson(harness.summaries()[0] as never);
    expect(summary).toEqual(expect.objectContaining({ counts: expect.objectContaining({ checked: 4, public: 1, remediated: 1 }) }));
    // AND our public door to the other account's bucket is reported once, as such, judged on its own side
    const foreign = harness.fakes.sns.published.filter((alert) => alert.MessageAttributes?.outcome?.StringValue === 'foreign-access-points');
    expect(foreign).toHaveLength(1);
    const body = JSON.parse(SnsFake.parts(foreign[0] as never).default) as { severity: string; doors: { name: string; bucket: string; bucketAccount: string; public: boolean }[] };
    expect(body.severity).toBe('high');
    expect(body.doors.map((door) => [door.name, door.bucket, door.bucketAccount, door.public])).toEqual([['partner-share', 'partner-data', THEIRS, true]]);
    expect(SnsFake.parts(foreign[0] as never).email).toMatch(/PUBLIC  access point partner-share \(eu-west-1\) -> bucket partner-data of account 444455556666/);
  });
});
