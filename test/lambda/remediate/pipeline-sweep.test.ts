/**
 * What the sweep needs from the remediation pipeline (one bucket through `remediateBucket`, no CloudTrail
 * event): who exposed a public bucket (its CloudTrail lookup, in parallel with containment), alerts only for
 * buckets it changed or failed to change, no alert of its own for an unexpected error it retries, and — when
 * asked — no audit record for a bucket it finds private. Real adapters over the stateful fakes.
 */
import { auditIdForSweep, recordFromItem, type AuditExposedBy, type AuditRecord } from '../../../lambda/shared/audit/record';
import { RemediationError, remediateBucket, type BucketRemediationRequest, type PipelineDeps } from '../../../lambda/remediate/pipeline';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import type { CallEntry } from '../../fakes/call-log';
import { publicReadPolicy, type BucketInit } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { ACCOUNT, REGION, fakeBackedDeps, writesTo, type TestDeps } from './support';

const SWEEP_ID = 'scheduled-20251104t120000z';
const SWEEP_TIME = '2025-11-04T12:00:00Z';
const START = Date.parse(SWEEP_TIME) + 5_000;

const FOUND: AuditExposedBy = {
  status: 'found',
  eventId: '7c1f0000-0000-4000-8000-00000000beef',
  eventName: 'PutBucketPolicy',
  eventTime: '2025-11-01T08:30:00Z',
  actor: { arn: 'arn:aws:iam::111122223333:user/mallory', sourceIp: '198.51.100.7', userAgent: 'aws-cli/2.15.0' },
};

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

function deps(config: Partial<RemediateConfig> = {}, extra: Pick<PipelineDeps, 'alertOnUnexpectedError' | 'recordPrivateSweepBuckets'> = {}): TestDeps {
  let now = START;
  return { ...fakeBackedDeps(fakes, config, { now: () => (now += 1) }), ...extra };
}

function exposedBucket(name: string, init: BucketInit = {}): void {
  fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null, ...init });
}

function privateBucket(name: string): void {
  fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION });
}

function sweepRequest(bucket: string, extra: Partial<BucketRemediationRequest> = {}): BucketRemediationRequest {
  return {
    target: { bucket, account: ACCOUNT, region: REGION },
    auditId: auditIdForSweep(SWEEP_ID, bucket),
    trigger: 'sweep',
    sweepId: SWEEP_ID,
    eventTime: SWEEP_TIME,
    receivedAt: START,
    leaseUntil: START + 300_000,
    ...extra,
  };
}

function storedRecords(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

/** A CloudTrail lookup that notes the calls already finished when it was asked, and answers after `delayMs`. */
function recordingLookup(answer: AuditExposedBy, delayMs = 3): { lookup: () => Promise<AuditExposedBy>; calls: { endedBefore: string[]; startedBefore: string[] }[] } {
  const calls: { endedBefore: string[]; startedBefore: string[] }[] = [];
  const name = (entry: CallEntry) => `${entry.service}:${entry.command}`;
  return {
    calls,
    lookup: async () => {
      calls.push({ endedBefore: fakes.log.entries.filter((entry) => entry.endSeq !== undefined).map(name), startedBefore: fakes.log.entries.map(name) });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return answer;
    },
  };
}

describe('who exposed a bucket a sweep found public (CloudTrail lookup)', () => {
  it('looks it up while containing, and puts the answer in the record and the alert', async () => {
    // GIVEN a public bucket and a lookup that finds the exposing call
    exposedBucket('found-public');
    const { lookup, calls } = recordingLookup(FOUND);

    // WHEN the sweep checks it
    const result = await remediateBucket(sweepRequest('found-public', { lookupExposedBy: lookup }), deps());

    // THEN the lookup ran once, after the reads and alongside containment (not after it)
    expect(result.outcome).toBe('remediated');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.endedBefore).toEqual(expect.arrayContaining(['s3:GetBucketAcl', 's3:GetBucketPolicy', 'dynamodb:Update']));
    expect(calls[0]?.endedBefore).not.toContain('s3:PutPublicAccessBlock');
    // AND the record and the alert name who exposed it
    expect(storedRecords()[0]?.exposedBy).toEqual(FOUND);
    expect(SnsFake.parts(fakes.sns.published[0] as never).email).toContain('exposed by PutBucketPolicy at 2025-11-01T08:30:00Z');
  });

  it.each([
    { mode: 'report-only' as const, exemptions: [], outcome: 'report-only' },
    { mode: 'enforce' as const, exemptions: [{ bucket: 'found-*', reason: 'public site', owner: 'web', expires: '2099-01-01' }], outcome: 'exempt' },
  ])('looks it up when nothing is written ($outcome) and records the answer', async ({ mode, exemptions, outcome }) => {
    // GIVEN a public bucket the pipeline will not change
    exposedBucket('found-unchanged');
    const { lookup, calls } = recordingLookup({ status: 'not-found' });

    // WHEN the sweep checks it
    const result = await remediateBucket(sweepRequest('found-unchanged', { lookupExposedBy: lookup }), deps({ mode, exemptions }));

    // THEN the answer is recorded, and nothing was written to the bucket
    expect(result.outcome).toBe(outcome);
    expect(calls).toHaveLength(1);
    expect(storedRecords()[0]?.exposedBy).toEqual({ status: 'not-found' });
    expect(writesTo(fakes, 'found-unchanged')).toEqual([]);
  });

  it('does not ask CloudTrail about a private bucket', async () => {
    // GIVEN a private bucket WHEN the sweep checks it THEN the lookup is never called and the record has no exposedBy
    privateBucket('found-private');
    const { lookup, calls } = recordingLookup(FOUND);
    const result = await remediateBucket(sweepRequest('found-private', { lookupExposedBy: lookup }), deps());
    expect(result.outcome).toBe('already-private');
    expect(calls).toEqual([]);
    expect(storedRecords()[0]?.exposedBy).toBeUndefined();
  });

  it('records "unavailable" with the reason when a lookup breaks its promise and rejects', async () => {
    // GIVEN a lookup that rejects (it should not, but a rejection must not lose the remediation)
    exposedBucket('found-lookup-broken');
    const lookup = () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // WHEN the sweep checks the bucket
    const result = await remediateBucket(sweepRequest('found-lookup-broken', { lookupExposedBy: lookup }), deps());

    // THEN it is remediated and the record says who exposed it is unknown, and why
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]?.exposedBy).toEqual({ status: 'unavailable', detail: 'ThrottlingException: Rate exceeded' });
  });
});

describe('per-bucket sweep alerts', () => {
  it.each([
    { name: 'a contained bucket', bucket: () => exposedBucket('alert-remediated'), config: {}, outcome: 'remediated', alerts: 1 },
    { name: 'a report-only finding (in the summary)', bucket: () => exposedBucket('alert-remediated'), config: { mode: 'report-only' as const }, outcome: 'report-only', alerts: 0 },
    {
      name: 'an exempt public bucket (in the summary)',
      bucket: () => exposedBucket('alert-remediated'),
      config: { exemptions: [{ bucket: 'alert-*', reason: 'site', owner: 'web', expires: '2099-01-01' }] },
      outcome: 'exempt',
      alerts: 0,
    },
  ])('alerts for $name: $alerts', async ({ bucket, config, outcome, alerts }) => {
    // GIVEN a bucket in the state described WHEN a sweep checks it THEN only changes and failures page someone
    bucket();
    const result = await remediateBucket(sweepRequest('alert-remediated'), deps(config));
    expect(result.outcome).toBe(outcome);
    expect(fakes.sns.published).toHaveLength(alerts);
  });
});

describe('unexpected errors while the sweep retries the bucket itself', () => {
  it.each([
    { name: 'default: alerted before rethrowing', extra: {}, alerts: 1 },
    { name: 'alertOnUnexpectedError false: rethrown without an alert', extra: { alertOnUnexpectedError: false }, alerts: 0 },
  ])('$name', async ({ extra, alerts }) => {
    // GIVEN reads that keep failing with a 5xx
    exposedBucket('flaky-bucket');
    fakes.s3.injectError({ command: 'GetBucketAcl', bucket: 'flaky-bucket', times: 5 }, 'InternalError');
    const pipeline = deps({}, extra);

    // WHEN the sweep checks it
    const error = await remediateBucket(sweepRequest('flaky-bucket'), pipeline).catch((thrown: unknown) => thrown);

    // THEN the error is rethrown for the retry, counted, the claim given back, and alerted only by default
    expect(error).toBeInstanceOf(RemediationError);
    expect(pipeline.metrics.count('Failed')).toBe(1);
    expect(fakes.table.items.get(auditIdForSweep(SWEEP_ID, 'flaky-bucket'))?.leaseUntil).toBe(0);
    expect(fakes.sns.published).toHaveLength(alerts);
  });
});

describe('recordPrivateSweepBuckets: false (no record for a bucket a sweep finds private)', () => {
  const noPrivateRecords = { recordPrivateSweepBuckets: false };

  it('answers a private bucket after one round trip with its verdict, writing nothing', async () => {
    // GIVEN a private bucket
    privateBucket('quiet-bucket');

    // WHEN the sweep checks it without recording private buckets
    const result = await remediateBucket(sweepRequest('quiet-bucket'), deps({}, noPrivateRecords));

    // THEN it is already-private with the verdict for counting, and there is no claim, record, archive copy or alert
    expect(result).toEqual({ outcome: 'already-private', reason: 'not public', auditId: auditIdForSweep(SWEEP_ID, 'quiet-bucket'), account: ACCOUNT, verdict: expect.objectContaining({ public: false }) });
    expect(fakes.log.entries.filter((entry) => entry.service === 'sns' || entry.command === 'PutObject' || (entry.service === 'dynamodb' && entry.command !== 'Get'))).toEqual([]);
    expect(fakes.table.items.size).toBe(0);
    // AND its only table call was a strongly consistent look for an earlier record, alongside the reads
    expect(fakes.log.find('dynamodb', 'Get').map((entry) => entry.input)).toEqual([expect.objectContaining({ Key: { id: auditIdForSweep(SWEEP_ID, 'quiet-bucket') }, ConsistentRead: true })]);
    expect(Math.max(...fakes.log.entries.map((entry) => fakes.log.roundTrip(entry)))).toBe(1);
  });

  it('reports the record of another delivery that contained the bucket just before this one read it', async () => {
    // GIVEN the same bucket checked by two deliveries of one sweep message, the first already done
    exposedBucket('raced-bucket');
    const pipeline = deps({}, noPrivateRecords);
    const first = await remediateBucket(sweepRequest('raced-bucket'), pipeline);

    // WHEN the second reads the bucket after the first contained it (it looks private now)
    const second = await remediateBucket(sweepRequest('raced-bucket'), pipeline);

    // THEN it reports the first one's outcome as a duplicate, not "already private", and writes nothing
    expect(first.outcome).toBe('remediated');
    expect(second).toEqual(expect.objectContaining({ outcome: 'remediated', duplicate: true, record: expect.objectContaining({ outcome: 'remediated' }) }));
    expect(writesTo(fakes, 'raced-bucket')).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.sns.published).toHaveLength(1);
  });

  it('reports a bucket still being handled by another delivery as a duplicate in progress', async () => {
    // GIVEN another delivery holds the claim of a bucket that is private by now
    privateBucket('held-bucket');
    fakes.table.items.set(auditIdForSweep(SWEEP_ID, 'held-bucket'), { id: auditIdForSweep(SWEEP_ID, 'held-bucket'), phase: 'claimed', leaseUntil: START + 60_000 });

    // WHEN this delivery finds it private THEN it says another invocation is handling it (the sweep retries later)
    const result = await remediateBucket(sweepRequest('held-bucket'), deps({}, noPrivateRecords));
    expect(result).toEqual(expect.objectContaining({ outcome: 'ignored', duplicate: true }));
    expect(result.record).toBeUndefined();
  });

  it('claims a public bucket after reading it, then contains and records it as always', async () => {
    // GIVEN a public bucket
    exposedBucket('loud-bucket');

    // WHEN the sweep checks it without recording private buckets
    const result = await remediateBucket(sweepRequest('loud-bucket'), deps({}, noPrivateRecords));

    // THEN the claim comes after the reads and before containment, and the record is complete
    expect(result.outcome).toBe('remediated');
    const round = (service: 's3' | 'dynamodb', command: string) => fakes.log.roundTrip(fakes.log.find(service, command)[0] as CallEntry);
    expect(round('s3', 'GetBucketAcl')).toBe(1);
    expect(round('dynamodb', 'Update')).toBe(2);
    expect(round('s3', 'PutPublicAccessBlock')).toBe(3);
    expect(storedRecords()).toEqual([expect.objectContaining({ outcome: 'remediated', trigger: 'sweep', bucket: 'loud-bucket', verdict: expect.objectContaining({ public: true }) })]);
  });

  it.each([
    {
      name: 'an exempt bucket is recorded as exempt',
      setup: () => privateBucket('kept-bucket'),
      config: { exemptions: [{ bucket: 'kept-bucket', reason: 'audit trail', owner: 'sec', expires: '2099-01-01' }] },
      outcome: 'exempt',
    },
    { name: 'a gone bucket is recorded as gone', setup: () => undefined, config: {}, outcome: 'bucket-gone' },
    {
      name: 'an unreadable bucket is recorded as failed',
      setup: () => {
        privateBucket('kept-bucket');
        fakes.s3.injectError({ command: 'GetBucketPolicy', bucket: 'kept-bucket' }, 'AccessDenied');
      },
      config: {},
      outcome: 'failed',
    },
  ])('still records what is not simply private: $name', async ({ setup, config, outcome }) => {
    // GIVEN the bucket described WHEN the sweep checks it THEN it is claimed and recorded
    setup();
    const result = await remediateBucket(sweepRequest('kept-bucket'), deps(config, noPrivateRecords));
    expect(result.outcome).toBe(outcome);
    expect(storedRecords()).toEqual([expect.objectContaining({ outcome, bucket: 'kept-bucket' })]);
  });

  it('finds the record of a second check of the same public bucket in the same sweep, and does nothing again', async () => {
    // GIVEN a public bucket the sweep already contained
    exposedBucket('twice-bucket');
    const pipeline = deps({}, noPrivateRecords);
    await remediateBucket(sweepRequest('twice-bucket'), pipeline);
    fakes.s3.bucket('twice-bucket').publicAccessBlock = null;

    // WHEN the same sweep checks it again (a redelivered message) and finds it public
    const again = await remediateBucket(sweepRequest('twice-bucket'), pipeline);

    // THEN the claim finds the first record: no second containment, record or alert
    expect(again).toEqual(expect.objectContaining({ outcome: 'remediated', duplicate: true }));
    expect(writesTo(fakes, 'twice-bucket')).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.sns.published).toHaveLength(1);
  });

  it('records every bucket of event-triggered work whatever the setting', async () => {
    // GIVEN a private bucket and the setting off WHEN checked for an event (not a sweep) THEN it is recorded
    privateBucket('event-bucket');
    const result = await remediateBucket(sweepRequest('event-bucket', { trigger: 'event', auditId: 'ct-0000a1b2-0000-4000-8000-000000000999', sweepId: undefined }), deps({}, noPrivateRecords));
    expect(result.outcome).toBe('already-private');
    expect(storedRecords()).toHaveLength(1);
  });
});
