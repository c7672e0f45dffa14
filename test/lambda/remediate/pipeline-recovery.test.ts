/**
 * What the pipeline keeps true when things fail part-way: after containment an unknown error is recorded, not
 * retried; a record that cannot be written follows its alert through the retry; a bucket whose state is hidden
 * by its own policy is still contained. Over the real adapters and the stateful fakes.
 */
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { processEvent, RemediationError } from '../../../lambda/remediate/pipeline';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, publicReadAcl, publicReadPolicy, type BucketInit } from '../../fakes/s3-fake';
import { ACCOUNT, REGION, bucketEvent, fakeBackedDeps, writesTo, type TestDeps } from './support';

const EVENT_TIME = '2025-03-04T10:15:30Z';
const START = Date.parse(EVENT_TIME) + 2_000;
const ALL_FOUR_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 0 });
});

afterEach(() => {
  fakes.restore();
});

function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  let now = START;
  return fakeBackedDeps(fakes, config, { now: () => (now += 1) });
}

function exposedBucket(name: string, init: BucketInit = {}) {
  return fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null, ...init });
}

function throughputExceeded(): Error {
  return Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), { name: 'ProvisionedThroughputExceededException' });
}

function storedRecords(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

function outcomesAlerted(): (string | undefined)[] {
  return fakes.sns.published.map((alert) => alert.MessageAttributes?.outcome?.StringValue);
}

function severitiesAlerted(): (string | undefined)[] {
  return fakes.sns.published.map((alert) => alert.MessageAttributes?.severity?.StringValue);
}

describe('an unknown error after containment', () => {
  it.each([
    {
      name: 'a strip write fails',
      arrange: (bucket: string) => fakes.s3.injectError({ command: 'PutBucketPolicy', bucket, times: 20 }, 'InternalError'),
      reason: /contained with Block Public Access, but PutBucketPolicy failed unexpectedly \(InternalError/,
    },
    {
      name: 'the verification read fails',
      arrange: (bucket: string) =>
        fakes.s3.afterCall('PutBucketAcl', (input) => {
          if (input.Bucket === bucket) fakes.s3.injectError({ command: 'GetBucketAcl', bucket, times: 20 }, 'InternalError');
        }),
      reason: /contained, but verifying the bucket failed unexpectedly \(InternalError/,
    },
  ])('is recorded as failed with the saved removal when $name, and a redelivery changes nothing', async ({ arrange, reason }) => {
    // GIVEN a bucket with a public ACL grant and a public statement next to a statement to keep, and the strip strategy
    const bucket = 'strip-interrupted';
    const keep = { Sid: 'Keep', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*` };
    exposedBucket(bucket, { policy: publicReadPolicy(bucket, [keep]), acl: publicReadAcl() });
    arrange(bucket);
    const pipeline = deps({ strategy: 'strip-public-grants' });
    const once = bucketEvent('put-bucket-policy.new', bucket, { eventTime: EVENT_TIME });

    // WHEN the event is processed, then delivered again
    const result = await processEvent(structuredClone(once), pipeline);
    const redelivery = await processEvent(structuredClone(once), pipeline);

    // THEN the run resolves as failed (nothing rethrown: the bucket is contained and the event fully recorded)
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(reason);
    expect(fakes.s3.bucket(bucket).publicAccessBlock).toEqual(ALL_FOUR_ON);
    // AND the one record keeps the removal text, the actions and the state before
    const records = storedRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'failed', severity: 'critical', error: { name: 'InternalError' } });
    expect(records[0]?.removed?.policyStatements.map((removed) => removed.statement)).toEqual([expect.objectContaining({ Sid: 'PublicRead' })]);
    expect(records[0]?.removed?.aclGrants.map((removed) => (removed.grant as { Grantee?: unknown }).Grantee)).toEqual([expect.objectContaining({ URI: ALL_USERS })]);
    expect(records[0]?.actions.map((action) => action.api)).toEqual(expect.arrayContaining(['PutBucketPublicAccessBlock', 'PutBucketAcl', 'PutBucketPolicy']));
    expect(records[0]?.before?.policy).toContain('PublicRead');
    // AND one critical alert; the redelivery is a duplicate that writes and sends nothing
    expect(outcomesAlerted()).toEqual(['failed']);
    expect(severitiesAlerted()).toEqual(['critical']);
    expect(redelivery).toMatchObject({ outcome: 'failed', duplicate: true });
    expect(writesTo(fakes, bucket).filter((write) => write === 's3:PutPublicAccessBlock')).toHaveLength(1);
  });
});

describe('a final audit write that fails while the alert goes out', () => {
  it('writes the record again within the invocation, after a short wait, and alerts once', async () => {
    // GIVEN an exposed bucket and two failing writes of the final record
    exposedBucket('record-retried');
    fakes.table.injectError('Put', throughputExceeded(), 2);
    const pipeline = deps();

    // WHEN its event is processed
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'record-retried', { eventTime: EVENT_TIME }), pipeline);

    // THEN the third write landed: one remediated record, one alert, and the waits were bounded
    expect(result.outcome).toBe('remediated');
    expect(storedRecords().map((record) => record.outcome)).toEqual(['remediated']);
    expect(outcomesAlerted()).toEqual(['remediated']);
    expect(pipeline.sleeps).toEqual([100, 400]);
  });

  it('leaves the finished record on the claim when every write fails, and the retry writes that record instead of redoing the work', async () => {
    // GIVEN an exposed bucket and a table that refuses the final record four times (the first round and three more)
    exposedBucket('record-pending');
    fakes.table.injectError('Put', throughputExceeded(), 4);
    const pipeline = deps();
    const once = bucketEvent('put-bucket-policy.new', 'record-pending', { eventTime: EVENT_TIME });

    // WHEN the event is processed, then retried by Lambda
    const error = await processEvent(structuredClone(once), pipeline).catch((thrown: unknown) => thrown);
    const retry = await processEvent(structuredClone(once), pipeline);

    // THEN the first attempt rethrew with the cause after alerting once
    expect(error).toBeInstanceOf(RemediationError);
    expect((error as RemediationError).cause).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    // AND the retry wrote the first attempt's record: remediated, contained once, one alert in all
    expect(retry).toMatchObject({ outcome: 'remediated', duplicate: true });
    const records = storedRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'remediated', actions: [expect.objectContaining({ api: 'PutBucketPublicAccessBlock', result: 'succeeded' })] });
    expect(writesTo(fakes, 'record-pending')).toEqual(['s3:PutPublicAccessBlock']);
    expect(outcomesAlerted()).toEqual(['remediated']);
  });
});

describe('a bucket whose state cannot be read', () => {
  it.each([
    {
      name: 'a policy that denies GetBucketPolicy even after containment',
      arrange: (bucket: string) => fakes.s3.injectError({ command: 'GetBucketPolicy', bucket, times: 99 }, 'AccessDenied'),
      outcome: 'failed',
      reason: /reading the bucket's configuration was refused \(AccessDenied.*could not be read, so containment was applied without a verdict/,
      severity: 'critical',
    },
    {
      name: 'a refused read that succeeds once contained',
      arrange: (bucket: string) => fakes.s3.injectError({ command: 'GetBucketAcl', bucket, times: 1 }, 'AccessDenied'),
      outcome: 'remediated',
      reason: /contained with Block Public Access without a verdict \(fail closed\) and verified private afterwards/,
      severity: 'high',
    },
  ])('is contained anyway in enforce mode given $name', async ({ arrange, outcome, reason, severity }) => {
    // GIVEN an exposed bucket whose state read is refused
    exposedBucket('hidden-state');
    arrange('hidden-state');
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'hidden-state', { eventTime: EVENT_TIME }), pipeline);

    // THEN the one reversible containment write was sent and took effect
    expect(writesTo(fakes, 'hidden-state')).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.s3.bucket('hidden-state').publicAccessBlock).toEqual(ALL_FOUR_ON);
    // AND the outcome, its reason, the record and the alert say what is known
    expect(result.outcome).toBe(outcome);
    expect(result.reason).toMatch(reason);
    expect(storedRecords()).toEqual([expect.objectContaining({ outcome, error: expect.objectContaining({ code: 'AccessDenied' }), containedAt: expect.any(String) })]);
    expect(severitiesAlerted()).toEqual([severity]);
  });

  it.each([
    { name: 'report-only mode', config: { mode: 'report-only' as const } },
    { name: 'an exempt bucket', config: { exemptions: [{ bucket: 'hidden-state', reason: 'public website', owner: 'web-team', expires: '2099-01-01' }] } },
  ])('changes nothing in $name', async ({ config }) => {
    // GIVEN an exposed bucket whose policy cannot be read
    exposedBucket('hidden-state');
    fakes.s3.injectError({ command: 'GetBucketPolicy', bucket: 'hidden-state', times: 99 }, 'AccessDenied');

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'hidden-state', { eventTime: EVENT_TIME }), deps(config));

    // THEN nothing was written to the bucket and the refusal is recorded
    expect(writesTo(fakes, 'hidden-state')).toEqual([]);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/reading the bucket's configuration was refused \(AccessDenied/);
  });
});
