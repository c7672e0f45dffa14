/**
 * The remediation pipeline end to end over the real adapters and the stateful fakes: one event delivered twice
 * (in turn or at once, and an alert that failed after the record was written), and the failures (denied calls,
 * a bucket still public after containment, unknown errors rethrown for Lambda's retry).
 */
import { processEvent, RemediationError } from '../../../lambda/remediate/pipeline';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { SnsFake, type PublishedAlert } from '../../fakes/sns-fake';
import { attribute, emailOf, event, pipelineOverFakes, writesTo } from './support';

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

const { deps, exposedBucket, storedRecords } = pipelineOverFakes(() => fakes);

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
