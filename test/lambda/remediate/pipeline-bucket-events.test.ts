/**
 * The remediation pipeline end to end over the real adapters, with S3, S3 Control, DynamoDB and SNS answered
 * by stateful fakes: writes change later reads, so containment and verification are exercised for real.
 * This file: a bucket event's outcome in each situation, its severity, exemptions, and S3's second opinion.
 */
import { itemMatchesHash, recordFromItem } from '../../../lambda/shared/audit/record';
import { archiveKeyFor } from '../../../lambda/shared/audit/table-schema';
import { processEvent } from '../../../lambda/remediate/pipeline';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, OWNER_ID, publicReadAcl, publicReadPolicy, type BucketInit } from '../../fakes/s3-fake';
import { ACCOUNT, ARCHIVE_BUCKET, EVENT_TIME, REGION, attribute, bucketEvent, emailOf, event, pipelineOverFakes, writesTo } from './support';

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

const { deps, exposedBucket, storedRecords } = pipelineOverFakes(() => fakes);

describe('bucket events: one outcome per situation', () => {
  it.each([
    {
      name: 'a bucket with a public-read policy is contained with Block Public Access',
      bucket: () => exposedBucket('outcome-remediated'),
      config: {},
      outcome: 'remediated',
      bucketWrites: ['s3:PutPublicAccessBlock'],
      alerted: true,
    },
    {
      name: 'a private bucket is left alone and not alerted',
      bucket: () => fakes.s3.addBucket('outcome-already-private', { account: ACCOUNT, region: REGION }),
      config: {},
      outcome: 'already-private',
      bucketWrites: [],
      alerted: false,
    },
    {
      name: 'a deleted bucket is recorded as gone',
      bucket: () => ({ name: 'outcome-bucket-gone' }),
      config: {},
      outcome: 'bucket-gone',
      bucketWrites: [],
      alerted: false,
    },
    {
      name: 'report-only mode changes nothing and reports what it would do',
      bucket: () => exposedBucket('outcome-report-only'),
      config: { mode: 'report-only' as const },
      outcome: 'report-only',
      bucketWrites: [],
      alerted: true,
    },
    {
      name: 'an unexpired exemption leaves the bucket alone',
      bucket: () => exposedBucket('outcome-exempt'),
      config: { exemptions: [{ bucket: 'outcome-exempt', reason: 'public website', owner: 'web-team', expires: '2099-01-01' }] },
      outcome: 'exempt',
      bucketWrites: [],
      alerted: true,
    },
  ])('$name', async ({ bucket, config, outcome, bucketWrites, alerted }) => {
    // GIVEN a bucket in the state described
    const { name } = bucket();
    const pipeline = deps(config);

    // WHEN an event about it arrives
    const result = await processEvent(event('put-bucket-policy.new', name), pipeline);

    // THEN the outcome, the S3 writes, the audit record and the alert are as expected
    expect(result.outcome).toBe(outcome);
    expect(writesTo(fakes, name)).toEqual(bucketWrites);
    const records = storedRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: result.auditId, outcome, bucket: name, account: ACCOUNT, region: REGION, eventName: 'PutBucketPolicy' });
    expect(fakes.sns.published).toHaveLength(alerted ? 1 : 0);
    if (alerted) expect(attribute(fakes.sns.published[0], 'outcome')).toBe(outcome);
  });

  it('contains the bucket for real: a fresh read shows all four settings on and the bucket no longer public', async () => {
    // GIVEN an exposed bucket
    exposedBucket('really-contained');

    // WHEN the pipeline runs
    const result = await processEvent(event('put-bucket-policy.new', 'really-contained'), deps());

    // THEN S3 state changed and the record's after-state shows it
    expect(result.outcome).toBe('remediated');
    expect(fakes.s3.bucket('really-contained').publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(fakes.s3.isPublic('really-contained')).toBe(false);
    const record = storedRecords()[0];
    expect(record?.before?.bucketPublicAccessBlock).toBeNull();
    expect(record?.after?.bucketPublicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(record?.verdict?.public).toBe(true);
    expect(record?.actions).toEqual([
      expect.objectContaining({
        api: 'PutBucketPublicAccessBlock',
        result: 'succeeded',
        request: { Bucket: 'really-contained', ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
      }),
    ]);
    expect(record?.timeToContainMs).toBeGreaterThanOrEqual(2_000);
  });

  it('contains after exactly two sequential round trips: the parallel reads (with the claim), then one write', async () => {
    // GIVEN an exposed bucket and every AWS call taking a few ms
    exposedBucket('two-round-trips');

    // WHEN the pipeline runs
    await processEvent(event('put-bucket-acl.new', 'two-round-trips'), deps());

    // THEN the first round trip holds the seven reads and the claim, and the containing write is the second
    const log = fakes.log;
    const firstRound = log.entries.filter((entry) => log.roundTrip(entry) === 1).map((entry) => `${entry.service}:${entry.command}`);
    expect(firstRound.sort()).toEqual(
      [
        'dynamodb:Update',
        's3:GetBucketAcl',
        's3:GetBucketOwnershipControls',
        's3:GetBucketPolicy',
        's3:GetBucketPolicyStatus',
        's3:GetBucketTagging',
        's3:GetPublicAccessBlock',
        's3control:GetPublicAccessBlock',
      ].sort(),
    );
    const [contain] = log.find('s3', 'PutPublicAccessBlock');
    expect(contain && log.roundTrip(contain)).toBe(2);
    // AND verification reads follow, then the record, archive copy and alert go out together
    const verifyReads = log.find('s3', 'GetBucketAcl').map((entry) => log.roundTrip(entry));
    expect(verifyReads).toEqual([1, 3]);
    const finalRound = ['dynamodb:Put', 's3:PutObject', 'sns:Publish'].map((name) => {
      const [service, command] = name.split(':') as ['dynamodb' | 's3' | 'sns', string];
      const calls = log.find(service, command);
      return log.roundTrip(calls[calls.length - 1] as (typeof calls)[number]);
    });
    expect(finalRound).toEqual([4, 4, 4]);
  });

  it('sends ExpectedBucketOwner on every bucket call and acts in the region the event names', async () => {
    // GIVEN a bucket in another region than the guardrail's
    fakes.s3.addBucket('far-away-bucket', { account: ACCOUNT, region: 'ap-southeast-2', policy: publicReadPolicy('far-away-bucket'), publicAccessBlock: null, ownership: null });

    // WHEN its event arrives (the fake rejects calls made through a client of the wrong region)
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'far-away-bucket', { eventTime: EVENT_TIME, region: 'ap-southeast-2' }), deps());

    // THEN it is contained, and every call about it named the owner
    expect(result.outcome).toBe('remediated');
    const bucketCalls = fakes.log.entries.filter((entry) => entry.service === 's3' && entry.input.Bucket === 'far-away-bucket');
    expect(bucketCalls.length).toBeGreaterThan(10);
    expect(bucketCalls.every((entry) => entry.input.ExpectedBucketOwner === ACCOUNT)).toBe(true);
  });

  it('records the time to contain as a metric and writes the archive copy where its DynamoDB twin says', async () => {
    // GIVEN an exposed bucket
    exposedBucket('archived-bucket');
    const pipeline = deps();

    // WHEN the pipeline runs
    const result = await processEvent(event('put-bucket-policy.new', 'archived-bucket'), pipeline);

    // THEN the archive object is the canonical record, matching the item's hash and key
    const item = fakes.table.items.get(result.auditId as string);
    expect(item).toBeDefined();
    const key = archiveKeyFor(result.auditId as string, EVENT_TIME);
    expect(item?.archiveKey).toBe(key);
    const archived = fakes.s3.bucket(ARCHIVE_BUCKET).objects.get(key);
    expect(archived?.checksumAlgorithm).toBe('SHA256');
    expect(JSON.parse(archived?.body ?? '{}')).toEqual(recordFromItem(item ?? {}));
    expect(itemMatchesHash(item ?? {})).toBe(true);
    expect(pipeline.metrics.added).toEqual(
      expect.arrayContaining([
        { name: 'TimeToContainMs', unit: 'Milliseconds', value: expect.any(Number) },
        { name: 'Remediated', unit: 'Count', value: 1 },
      ]),
    );
  });
});

describe('severity', () => {
  it.each([
    { name: 'public read', init: {}, severity: 'high' },
    { name: 'public write through the ACL', init: { policy: null, acl: { Owner: { ID: OWNER_ID }, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'WRITE' }] } }, severity: 'critical' },
    { name: 'public list only', init: { policy: null, acl: { Owner: { ID: OWNER_ID }, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }] } }, severity: 'medium' },
    { name: 'public read on a bucket tagged as sensitive', init: { tags: { 'data-classification': 'confidential' } }, severity: 'critical' },
    { name: 'public list on a bucket tagged as sensitive', init: { policy: null, acl: publicReadAcl(), tags: { 'data-classification': 'internal' } }, severity: 'high' },
  ])('$name is alerted as $severity', async ({ init, severity }) => {
    // GIVEN an exposed bucket
    exposedBucket('severity-bucket', init as BucketInit);

    // WHEN it is contained
    await processEvent(event('put-bucket-acl.new', 'severity-bucket'), deps());

    // THEN the alert and the record carry the severity
    expect(attribute(fakes.sns.published[0], 'severity')).toBe(severity);
    expect(storedRecords()[0]?.severity).toBe(severity);
  });
});

describe('exemptions', () => {
  it('applies an exemption written as a glob', async () => {
    // GIVEN an exposed bucket matched by a glob exemption
    exposedBucket('site-www-assets');
    const pipeline = deps({ exemptions: [{ bucket: 'site-*-assets', reason: 'public website', owner: 'web-team', expires: '2099-12-31' }] });

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'site-www-assets'), pipeline);

    // THEN nothing changes and the record names the exemption
    expect(result.outcome).toBe('exempt');
    expect(writesTo(fakes, 'site-www-assets')).toEqual([]);
    expect(storedRecords()[0]?.exemption).toEqual({ bucket: 'site-*-assets', reason: 'public website', owner: 'web-team', expires: '2099-12-31', status: 'applied', source: 'configuration' });
    expect(emailOf(fakes.sns.published[0])).toContain('until 2099-12-31: public website');
  });

  it('no longer applies an expired exemption, and the alert says so', async () => {
    // GIVEN an exposed bucket whose exemption expired the day before the event
    exposedBucket('expired-exemption');
    const pipeline = deps({ exemptions: [{ bucket: 'expired-exemption', reason: 'campaign', owner: 'marketing', expires: '2025-03-03' }] });

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'expired-exemption'), pipeline);

    // THEN it is contained and the alert explains the exemption expired
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]?.exemption?.status).toBe('expired');
    expect(emailOf(fakes.sns.published[0])).toContain('EXPIRED on 2025-03-03; it no longer applies');
  });
});

describe("S3's second opinion (GetBucketPolicyStatus)", () => {
  const restrictedPolicy = (bucket: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }],
    });

  it('treats the bucket as public when S3 says public and the engine does not, and counts the disagreement', async () => {
    // GIVEN a policy the engine judges not public, but S3 reports as public
    exposedBucket('s3-says-public', { policy: restrictedPolicy('s3-says-public'), policyStatusOverride: true });
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 's3-says-public'), pipeline);

    // THEN it is contained, the disagreement is logged and counted
    expect(result.outcome).toBe('remediated');
    expect(pipeline.metrics.count('VerdictDisagreement')).toBe(1);
    expect(pipeline.logger.lines.some((line) => line.level === 'warn' && line.message.includes('disagree'))).toBe(true);
    expect(storedRecords()[0]?.verdict).toMatchObject({ public: true, s3PolicyStatus: 'public', disagreement: expect.stringContaining('Treated as public') });
  });

  it('lets the engine decide when S3 says not public but the engine finds a public policy', async () => {
    // GIVEN a public policy S3 (wrongly) reports as not public
    exposedBucket('engine-says-public', { policyStatusOverride: false });
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'engine-says-public'), pipeline);

    // THEN it is contained and the disagreement counted
    expect(result.outcome).toBe('remediated');
    expect(pipeline.metrics.count('VerdictDisagreement')).toBe(1);
  });

  it('relies on the engine when S3 gives no answer', async () => {
    // GIVEN GetBucketPolicyStatus is denied
    exposedBucket('s3-no-answer');
    fakes.s3.injectError({ command: 'GetBucketPolicyStatus', bucket: 's3-no-answer' }, 'AccessDenied');
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 's3-no-answer'), pipeline);

    // THEN the engine's verdict decides, without a disagreement
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]?.verdict).toMatchObject({ s3PolicyStatus: 'unavailable', s3PolicyStatusDetail: 'AccessDenied' });
    expect(pipeline.metrics.count('VerdictDisagreement')).toBe(0);
  });
});
