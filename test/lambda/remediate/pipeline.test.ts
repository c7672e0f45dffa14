/**
 * The remediation pipeline end to end over the real adapters, with S3, S3 Control, DynamoDB and SNS answered
 * by stateful fakes: writes change later reads, so containment and verification are exercised for real.
 */
import { auditIdForSweep, itemMatchesHash, recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { archiveKeyFor } from '../../../lambda/shared/audit/table-schema';
import { processEvent, remediateBucket, RemediationError } from '../../../lambda/remediate/pipeline';
import type { AccountLevelChange } from '../../../lambda/remediate/ports';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, OWNER_ID, privateAcl, publicReadAcl, publicReadPolicy, type BucketInit } from '../../fakes/s3-fake';
import { SnsFake, type PublishedAlert } from '../../fakes/sns-fake';
import { ACCOUNT, ARCHIVE_BUCKET, REGION, bucketEvent, fakeBackedDeps, fixture, writesTo, type TestDeps } from './support';
import type { RemediateConfig } from '../../../lambda/remediate/environment';

const EVENT_TIME = '2025-03-04T10:15:30Z';
const START = Date.parse(EVENT_TIME) + 2_000;

/** A clock that starts two seconds after the event and moves 1 ms per reading. */
function steppingClock(): () => number {
  let now = START;
  return () => (now += 1);
}

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  return fakeBackedDeps(fakes, config, { now: steppingClock() });
}

/** An exposed bucket: no Block Public Access, ACLs enabled, a public-read policy. */
function exposedBucket(name: string, init: BucketInit = {}) {
  return fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null, ...init });
}

function event(name: string, bucket: string, options: { eventId?: string } = {}) {
  return bucketEvent(name, bucket, { eventTime: EVENT_TIME, ...options });
}

function storedRecords(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

function emailOf(alert: PublishedAlert | undefined): string {
  if (alert === undefined) throw new Error('no alert was published');
  return SnsFake.parts(alert).email;
}

function attribute(alert: PublishedAlert | undefined, name: string): string | undefined {
  return alert?.MessageAttributes?.[name]?.StringValue;
}

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

describe('duplicate delivery', () => {
  it('handles one event delivered twice once: one audit record, one alert, one write', async () => {
    // GIVEN an exposed bucket and one event
    exposedBucket('delivered-twice');
    const pipeline = deps();
    const once = event('put-bucket-policy.new', 'delivered-twice', { eventId: '7c1d0e35-9a1b-4c57-8c7e-0d1c2b3a4f50' });

    // WHEN EventBridge delivers it twice
    const first = await processEvent(structuredClone(once), pipeline);
    const second = await processEvent(structuredClone(once), pipeline);

    // THEN the second delivery is a no-op
    expect(first).toMatchObject({ outcome: 'remediated' });
    expect(second).toMatchObject({ outcome: 'remediated', duplicate: true, auditId: first.auditId });
    expect(storedRecords()).toHaveLength(1);
    expect(fakes.sns.published).toHaveLength(1);
    expect(writesTo(fakes, 'delivered-twice')).toEqual(['s3:PutPublicAccessBlock']);
    expect(pipeline.metrics.count('Remediated')).toBe(1);
  });

  it('lets only one of two simultaneous deliveries act', async () => {
    // GIVEN an exposed bucket and one event
    exposedBucket('delivered-at-once');
    const pipeline = deps();
    const once = event('put-bucket-policy.new', 'delivered-at-once', { eventId: '7c1d0e35-9a1b-4c57-8c7e-0d1c2b3a4f51' });

    // WHEN both deliveries run at the same time
    const results = await Promise.all([processEvent(structuredClone(once), pipeline), processEvent(structuredClone(once), pipeline)]);

    // THEN one remediates, the other stands aside
    expect(results.map((result) => result.outcome).sort()).toEqual(['ignored', 'remediated']);
    expect(results.find((result) => result.outcome === 'ignored')).toMatchObject({ duplicate: true });
    expect(fakes.sns.published).toHaveLength(1);
    expect(storedRecords()).toHaveLength(1);
  });

  it('re-sends an alert that failed after the record was written, on the retry, and only then', async () => {
    // GIVEN an exposed bucket and SNS failing once
    exposedBucket('alert-failed-once');
    const pipeline = deps();
    const once = event('put-bucket-policy.new', 'alert-failed-once', { eventId: '7c1d0e35-9a1b-4c57-8c7e-0d1c2b3a4f52' });
    fakes.sns.injectError('InternalError');

    // WHEN the first delivery runs, then Lambda retries, then a late duplicate arrives
    await expect(processEvent(structuredClone(once), pipeline)).rejects.toThrow(RemediationError);
    const id = storedRecords()[0]?.id as string;
    expect(fakes.table.items.get(id)?.undelivered).toEqual(['alert']);
    const retry = await processEvent(structuredClone(once), pipeline);
    const late = await processEvent(structuredClone(once), pipeline);

    // THEN the alert went out exactly once, from the stored record, with no second containment
    expect(retry).toMatchObject({ outcome: 'remediated', duplicate: true });
    expect(late).toMatchObject({ outcome: 'remediated', duplicate: true });
    expect(fakes.sns.published).toHaveLength(1);
    expect(JSON.parse(SnsFake.parts(fakes.sns.published[0] as PublishedAlert).default)).toEqual(storedRecords()[0]);
    expect(fakes.table.items.get(id)?.undelivered).toBeUndefined();
    expect(writesTo(fakes, 'alert-failed-once')).toEqual(['s3:PutPublicAccessBlock']);
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

describe('strip-public-grants strategy', () => {
  const privateStatement = {
    Sid: 'ReadFromOurAccount',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::strip-mixed/*',
  };

  it('removes exactly the public statement and grant, after saving their exact text, and keeps everything else', async () => {
    // GIVEN a bucket whose policy has one public and one private statement and whose ACL has a public grant
    exposedBucket('strip-mixed', { policy: publicReadPolicy('strip-mixed', [privateStatement]), acl: publicReadAcl(), ownership: 'ObjectWriter' });
    const publicStatement = (JSON.parse(publicReadPolicy('strip-mixed')) as { Statement: unknown[] }).Statement[0];

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-mixed'), deps({ strategy: 'strip-public-grants' }));

    // THEN containment came first, the exact removal was saved before any strip write, and only public parts went
    expect(result.outcome).toBe('remediated');
    const log = fakes.log;
    // (the first update is the claim)
    const [, saved] = log.find('dynamodb', 'Update');
    const [aclWrite] = log.find('s3', 'PutBucketAcl');
    const [policyWrite] = log.find('s3', 'PutBucketPolicy');
    expect(saved && aclWrite && policyWrite).toBeTruthy();
    expect((saved?.endSeq as number) < (aclWrite?.startSeq as number)).toBe(true);
    expect((saved?.endSeq as number) < (policyWrite?.startSeq as number)).toBe(true);
    const savedRemoval = (saved?.input.ExpressionAttributeValues as Record<string, unknown>)[':v1'];
    expect(savedRemoval).toEqual({
      aclGrants: [{ index: 1, grant: { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' } }],
      policyStatements: [{ index: 0, statement: publicStatement }],
      policyDeleted: false,
    });
    const bucket = fakes.s3.bucket('strip-mixed');
    expect(JSON.parse(bucket.policy ?? '{}').Statement).toEqual([privateStatement]);
    expect(bucket.acl).toEqual(privateAcl());
    expect(storedRecords()[0]?.removed).toEqual(savedRemoval);
    expect(storedRecords()[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual([
      'PutBucketPublicAccessBlock:succeeded',
      'PutBucketAcl:succeeded',
      'PutBucketPolicy:succeeded',
    ]);
  });

  it('deletes the policy only when no statement is left', async () => {
    // GIVEN a bucket whose only statement is public
    exposedBucket('strip-only-public');

    // WHEN the pipeline runs with the strip strategy
    await processEvent(event('put-bucket-policy.new', 'strip-only-public'), deps({ strategy: 'strip-public-grants' }));

    // THEN the policy is deleted and the record says why
    expect(writesTo(fakes, 'strip-only-public')).toEqual(['s3:PutPublicAccessBlock', 's3:DeleteBucketPolicy']);
    expect(fakes.s3.bucket('strip-only-public').policy).toBeNull();
    expect(storedRecords()[0]?.removed?.policyDeleted).toBe(true);
  });

  it('leaves ACLs alone on a BucketOwnerEnforced bucket', async () => {
    // GIVEN a bucket with ACLs disabled but a public grant left in its ACL, and a public policy
    exposedBucket('strip-enforced', { acl: publicReadAcl(), ownership: 'BucketOwnerEnforced' });

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-enforced'), deps({ strategy: 'strip-public-grants' }));

    // THEN the policy is handled, the ACL is not touched, and the record says why
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'strip-enforced')).toEqual(['s3:PutPublicAccessBlock', 's3:DeleteBucketPolicy']);
    expect(fakes.s3.bucket('strip-enforced').acl).toEqual(publicReadAcl());
    expect(storedRecords()[0]?.removed?.aclLeftAlone).toMatch(/BucketOwnerEnforced/);
  });

  it('changes nothing in report-only mode but records what it would remove', async () => {
    // GIVEN an exposed bucket
    exposedBucket('strip-report-only', { acl: publicReadAcl() });

    // WHEN the pipeline runs in report-only mode with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-report-only'), deps({ strategy: 'strip-public-grants', mode: 'report-only' }));

    // THEN no write was sent; the would-be actions and removal are in the record
    expect(result.outcome).toBe('report-only');
    expect(writesTo(fakes, 'strip-report-only')).toEqual([]);
    const record = storedRecords()[0];
    expect(record?.actions.map((action) => `${action.api}:${action.result}`)).toEqual([
      'PutBucketPublicAccessBlock:not-sent',
      'PutBucketAcl:not-sent',
      'DeleteBucketPolicy:not-sent',
    ]);
    expect(record?.removed?.policyStatements).toHaveLength(1);
  });

  it('fails with a critical alert when S3 refuses the ACL change, after containment held', async () => {
    // GIVEN an exposed bucket whose ACL change will be refused
    exposedBucket('strip-refused', { acl: publicReadAcl(), policy: null });
    fakes.s3.injectError({ command: 'PutBucketAcl', bucket: 'strip-refused' }, 'AccessControlListNotSupported');

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-acl.new', 'strip-refused'), deps({ strategy: 'strip-public-grants' }));

    // THEN the outcome is failed, the reason says what happened, and the bucket stays contained
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/contained with Block Public Access, but PutBucketAcl was refused \(AccessControlListNotSupported/);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
    expect(fakes.s3.isPublic('strip-refused')).toBe(false);
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

describe('failures', () => {
  it.each([
    { name: 'PutBucketPublicAccessBlock is denied (an SCP)', command: 'PutPublicAccessBlock', reason: /PutBucketPublicAccessBlock was refused \(AccessDenied/ },
    { name: 'the reads are denied in report-only mode', command: 'GetBucketAcl', reason: /reading the bucket's configuration was refused \(AccessDenied/, mode: 'report-only' as const },
  ])('fails with a critical alert when $name', async ({ command, reason, mode }) => {
    // GIVEN an exposed bucket and a denied call
    exposedBucket('denied-bucket');
    fakes.s3.injectError({ command, bucket: 'denied-bucket' }, 'AccessDenied');
    const pipeline = deps(mode !== undefined ? { mode } : {});

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'denied-bucket'), pipeline);

    // THEN the outcome is failed with the reason, alerted as critical, and recorded
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(reason);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
    expect(attribute(fakes.sns.published[0], 'outcome')).toBe('failed');
    expect(storedRecords()[0]).toMatchObject({ outcome: 'failed', error: { code: 'AccessDenied' } });
    expect(pipeline.metrics.count('Failed')).toBe(1);
  });

  it('fails when the bucket is still public after containment, having re-read while S3 catches up', async () => {
    // GIVEN something re-opens the bucket right behind every containment
    exposedBucket('reopened-bucket');
    fakes.s3.afterCall('PutPublicAccessBlock', (input) => {
      if (input.Bucket === 'reopened-bucket') fakes.s3.bucket('reopened-bucket').publicAccessBlock = null;
    }, 's3');
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'reopened-bucket'), pipeline);

    // THEN verification re-read after each delay, then failed critically
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/still public after containment/);
    expect(pipeline.sleeps).toEqual([250, 1000]);
    expect(fakes.log.find('s3', 'GetBucketAcl')).toHaveLength(4);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
  });

  it('remediates when a verification read sees the change only on the second look', async () => {
    // GIVEN the first read after containment still shows the old setting (eventual consistency)
    exposedBucket('slow-to-settle');
    const settled = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    fakes.s3.afterCall('PutPublicAccessBlock', () => {
      fakes.s3.bucket('slow-to-settle').publicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    }, 's3');
    fakes.s3.afterCall('GetPublicAccessBlock', () => {
      // The first read after the write (the second read overall) still answered the old value; now it settles.
      if (fakes.log.find('s3', 'GetPublicAccessBlock').length === 2) fakes.s3.bucket('slow-to-settle').publicAccessBlock = settled;
    }, 's3');
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(event('put-bucket-policy.new', 'slow-to-settle'), pipeline);

    // THEN the second verification read confirms containment
    expect(result.outcome).toBe('remediated');
    expect(pipeline.sleeps).toEqual([250]);
  });

  it.each([
    { name: 'an unknown S3 error', inject: 'InternalError' as const },
    { name: 'throttling that outlasted the SDK retries', inject: 'Throttling' as const },
  ])('alerts and rethrows $name, then lets the retry start over', async ({ inject }) => {
    // GIVEN an exposed bucket and one failing containment call
    exposedBucket('unknown-error-bucket');
    fakes.s3.injectError({ command: 'PutPublicAccessBlock', bucket: 'unknown-error-bucket' }, inject);
    const pipeline = deps();
    const once = event('put-bucket-policy.new', 'unknown-error-bucket');

    // WHEN the event is processed, then retried by Lambda
    const error = await processEvent(structuredClone(once), pipeline).catch((thrown: unknown) => thrown);
    const retry = await processEvent(structuredClone(once), pipeline);

    // THEN the first attempt alerted (critical, failed) and rethrew with the cause; the retry remediated
    expect(error).toBeInstanceOf(RemediationError);
    expect((error as RemediationError).cause).toMatchObject({ name: inject === 'Throttling' ? 'SlowDown' : 'InternalError' });
    expect(fakes.sns.published).toHaveLength(2);
    expect(attribute(fakes.sns.published[0], 'outcome')).toBe('failed');
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
    expect(emailOf(fakes.sns.published[0])).toContain('Lambda will retry the event');
    expect(retry.outcome).toBe('remediated');
    expect(storedRecords()).toHaveLength(1);
  });
});

describe('account-level events', () => {
  const accountEvent = (name: string) => {
    const raw = fixture(name);
    raw.detail.eventTime = EVENT_TIME;
    return raw;
  };

  it('turns all four account settings back on when enforcement is configured', async () => {
    // GIVEN the account's Block Public Access was deleted
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
    const changes: AccountLevelChange[] = [];
    const pipeline = { ...deps({ enforceAccountBlockPublicAccess: true }), accountLevelChange: { onAccountLevelChange: async (change: AccountLevelChange) => void changes.push(change) } };

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.new'), pipeline);

    // THEN S3 Control restored it, verified, recorded what was there, alerted, and told the account-level seam
    expect(result.outcome).toBe('remediated');
    expect(fakes.log.find('s3control', 'PutPublicAccessBlock').map((entry) => entry.input)).toEqual([
      { AccountId: ACCOUNT, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
    ]);
    expect(fakes.s3.accountBlocks.get(ACCOUNT)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const record = storedRecords()[0];
    expect(record).toMatchObject({ scope: 'account', before: { accountPublicAccessBlock: null }, outcome: 'remediated' });
    expect(record?.bucket).toBeUndefined();
    expect(fakes.sns.published).toHaveLength(1);
    expect(attribute(fakes.sns.published[0], 'bucket')).toBeUndefined();
    expect(changes).toEqual([expect.objectContaining({ account: ACCOUNT, outcome: 'remediated', auditId: result.auditId })]);
  });

  it.each([
    { name: 'enforcement is off', config: { enforceAccountBlockPublicAccess: false }, actions: [] as string[], reason: /ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is false/ },
    { name: 'the mode is report-only', config: { enforceAccountBlockPublicAccess: true, mode: 'report-only' as const }, actions: ['PutAccountPublicAccessBlock:not-sent'], reason: /REMEDIATION_MODE is report-only/ },
  ])('records and alerts a weakened account setting without changing it when $name', async ({ config, actions, reason }) => {
    // GIVEN the account turned two settings off
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });

    // WHEN the PutAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('put-account-public-access-block.old'), deps(config));

    // THEN nothing is written to S3 Control; the record and alert say what is off
    expect(result.outcome).toBe('report-only');
    expect(result.reason).toMatch(reason);
    expect(result.reason).toContain('off: BlockPublicPolicy, RestrictPublicBuckets');
    expect(fakes.log.find('s3control', 'PutPublicAccessBlock')).toHaveLength(0);
    expect(storedRecords()[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(actions);
    expect(storedRecords()[0]?.requestedPublicAccessBlock).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('high');
    expect(emailOf(fakes.sns.published[0])).toContain('asked for Block Public Access: all four off');
  });

  it('records an account event that left every setting on, without an alert', async () => {
    // GIVEN the account setting is fully on
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    // WHEN a PutAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('put-account-public-access-block.new'), deps({ enforceAccountBlockPublicAccess: true }));

    // THEN it is recorded as already private and nobody is paged
    expect(result.outcome).toBe('already-private');
    expect(fakes.sns.published).toHaveLength(0);
  });

  it('fails with a critical alert when S3 Control refuses the restore (an organization-level policy)', async () => {
    // GIVEN the account setting is off and the restore is denied
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
    fakes.s3.injectError({ command: 'PutPublicAccessBlock', service: 's3control' }, 'AccessDenied');

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.old'), deps({ enforceAccountBlockPublicAccess: true }));

    // THEN the outcome is failed and critical
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/organization-level Block Public Access policy/);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
  });

  it('reads the account setting fresh rather than from the per-container cache', async () => {
    // GIVEN a bucket check cached the account setting as fully on, then the account setting was deleted
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    fakes.s3.addBucket('cache-warmer', { account: ACCOUNT, region: REGION });
    const pipeline = deps({ enforceAccountBlockPublicAccess: true });
    await processEvent(event('create-bucket.new', 'cache-warmer'), pipeline);
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.new'), pipeline);

    // THEN the change is seen and restored
    expect(result.outcome).toBe('remediated');
  });
});

describe('one bucket without an event (the sweep entry point)', () => {
  it('runs the same pipeline for a bucket found by a sweep and marks the record as a sweep record', async () => {
    // GIVEN an exposed bucket
    exposedBucket('found-by-sweep');
    const pipeline = deps();
    const sweepId = 'sweep-2025-03-04T12:00:00Z';

    // WHEN the sweep asks for it to be checked
    const result = await remediateBucket(
      {
        target: { bucket: 'found-by-sweep', account: ACCOUNT, region: REGION },
        auditId: auditIdForSweep(sweepId, 'found-by-sweep'),
        trigger: 'sweep',
        sweepId,
        eventTime: '2025-03-04T12:00:00Z',
        receivedAt: START,
        leaseUntil: START + 60_000,
      },
      pipeline,
    );

    // THEN it is contained and recorded as found by the sweep
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]).toMatchObject({ trigger: 'sweep', sweepId, bucket: 'found-by-sweep' });
    expect(storedRecords()[0]?.eventId).toBeUndefined();
    expect(attribute(fakes.sns.published[0], 'eventName')).toBe('Sweep');
    expect(emailOf(fakes.sns.published[0])).toContain(`Found by a sweep (${sweepId})`);
  });
});
