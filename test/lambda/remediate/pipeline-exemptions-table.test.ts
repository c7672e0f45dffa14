/**
 * The exemptions table (`bucket-guardrail exempt`) read by the pipeline in its first round trip, next to the
 * bucket's state: a table exemption works as a configured one does, costs no extra round trip, and an
 * unreadable table fails closed (the bucket is remediated) with a metric and the reason in the record.
 */
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { scanExemptions } from '../../../lambda/shared/exemptions/exemptions-store';
import { toExemptionItem, type StoredExemption } from '../../../lambda/shared/exemptions/exemptions-table';
import { processEvent } from '../../../lambda/remediate/pipeline';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { FAKE_EXEMPTIONS_TABLE_NAME, installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import type { CallEntry } from '../../fakes/call-log';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { ACCOUNT, HOME_REGION, REGION, bucketEvent, fakeBackedDeps, writesTo, type TestDeps } from './support';

const EVENT_TIME = '2025-03-04T10:15:30Z';
const START = Date.parse(EVENT_TIME) + 2_000;

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

/** The pipeline with the exemptions table wired as createPipelineDeps wires it. */
function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  let now = START;
  const documents = createAwsClients({ AWS_REGION: HOME_REGION }).dynamoDbDocument();
  return {
    ...fakeBackedDeps(fakes, { exemptionsTableName: FAKE_EXEMPTIONS_TABLE_NAME, ...config }, { now: () => (now += 1) }),
    exemptions: { readExemptions: () => scanExemptions(documents, FAKE_EXEMPTIONS_TABLE_NAME) },
  };
}

function stored(bucket: string, expires: string, auditId = 'op-5f0c2d7e-1111-4a4a-9b9b-000000000001'): StoredExemption {
  return {
    bucket,
    reason: 'restored: public download site',
    owner: 'web-team',
    expires,
    createdAt: '2025-03-01T09:00:00Z',
    createdBy: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    source: 'restore',
    auditId,
  };
}

function exempt(exemption: StoredExemption): void {
  const item = toExemptionItem(exemption);
  fakes.exemptions.items.set(item.bucket as string, item);
}

function exposedBucket(name: string): void {
  fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null });
}

function storedRecords(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

describe('exemptions from the table', () => {
  it('leaves a bucket with an unexpired table exemption alone, reading the table with the bucket in round trip 1', async () => {
    // GIVEN a public bucket and a table exemption written by `bucket-guardrail restore`
    exposedBucket('download-site');
    exempt(stored('download-*', '2099-01-01'));
    const pipeline = deps();

    // WHEN an event about it arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'download-site', { eventTime: EVENT_TIME }), pipeline);

    // THEN it is exempt, untouched, and the record says where the exemption is kept and which record granted it
    expect(result.outcome).toBe('exempt');
    expect(writesTo(fakes, 'download-site')).toEqual([]);
    expect(storedRecords()[0]?.exemption).toEqual({
      bucket: 'download-*',
      reason: 'restored: public download site',
      owner: 'web-team',
      expires: '2099-01-01',
      status: 'applied',
      source: 'table',
      grantRecordId: 'op-5f0c2d7e-1111-4a4a-9b9b-000000000001',
    });
    // AND the table was read once, strongly consistent, in the same round trip as the bucket
    const scans = fakes.log.find('dynamodb', 'Scan');
    expect(scans).toHaveLength(1);
    expect(scans[0]?.input).toEqual(expect.objectContaining({ TableName: FAKE_EXEMPTIONS_TABLE_NAME, ConsistentRead: true }));
    expect(fakes.log.roundTrip(scans[0] as CallEntry)).toBe(1);
    expect(fakes.log.roundTrip(fakes.log.find('s3', 'GetBucketAcl')[0] as CallEntry)).toBe(1);
  });

  it('contains after the same two round trips with the table as without it', async () => {
    // GIVEN a public bucket and an exemption for another bucket
    exposedBucket('plain-public');
    exempt(stored('other-*', '2099-01-01'));

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'plain-public', { eventTime: EVENT_TIME }), deps());

    // THEN containment is the second round trip
    expect(result.outcome).toBe('remediated');
    expect(fakes.log.roundTrip(fakes.log.find('s3', 'PutPublicAccessBlock')[0] as CallEntry)).toBe(2);
  });

  it('contains a bucket whose table exemption expired, and the alert says it no longer applies', async () => {
    // GIVEN an exemption that ran out yesterday
    exposedBucket('lapsed-site');
    exempt(stored('lapsed-site', '2025-03-03'));

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'lapsed-site', { eventTime: EVENT_TIME }), deps());

    // THEN it is contained and the alert names the expired exemption
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]?.exemption).toEqual(expect.objectContaining({ status: 'expired', source: 'table' }));
    expect(SnsFake.parts(fakes.sns.published[0] as never).email).toContain('EXPIRED on 2025-03-03; it no longer applies.');
  });

  it('prefers the exemption lasting longest when the configuration and the table both match', async () => {
    // GIVEN a configured exemption that expired and a table exemption that has not
    exposedBucket('both-site');
    exempt(stored('both-site', '2099-06-30'));
    const pipeline = deps({ exemptions: [{ bucket: 'both-*', reason: 'old review', owner: 'web', expires: '2025-01-01' }] });

    // WHEN its event arrives THEN the table's decides
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'both-site', { eventTime: EVENT_TIME }), pipeline);
    expect(result.outcome).toBe('exempt');
    expect(storedRecords()[0]?.exemption).toEqual(expect.objectContaining({ expires: '2099-06-30', source: 'table' }));
  });

  it('skips table items that are not exemptions, logging them, and decides with the rest', async () => {
    // GIVEN an item without an expiry next to a valid exemption for another bucket
    exposedBucket('messy-site');
    fakes.exemptions.items.set('messy-*', { bucket: 'messy-*', reason: 'no end', owner: 'web' });
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'messy-site', { eventTime: EVENT_TIME }), pipeline);

    // THEN the invalid item is ignored (the bucket is contained) and logged as skipped
    expect(result.outcome).toBe('remediated');
    const warning = pipeline.logger.lines.find((line) => line.message.startsWith('exemptions table items are not valid'));
    expect(warning?.extra[0]).toEqual(expect.objectContaining({ invalid: [expect.objectContaining({ bucket: 'messy-*', problem: expect.stringMatching(/expires/) })] }));
  });
});

describe('an unreadable exemptions table fails closed', () => {
  it.each([
    { name: 'AccessDenied', error: Object.assign(new Error('not authorized to perform: dynamodb:Scan'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }) },
    { name: 'a missing table', error: Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }) },
  ])('remediates anyway when the Scan fails ($name), counts it and says so in the record', async ({ error }) => {
    // GIVEN a public bucket, a table exemption for it, and a Scan that fails
    exposedBucket('guarded-site');
    exempt(stored('guarded-site', '2099-01-01'));
    fakes.exemptions.injectError('Scan', error);
    const pipeline = deps();

    // WHEN its event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'guarded-site', { eventTime: EVENT_TIME }), pipeline);

    // THEN it is contained (the exemption could not be seen), with a metric, a warning and the reason recorded
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'guarded-site')).toEqual(['s3:PutPublicAccessBlock']);
    expect(pipeline.metrics.count('ExemptionsReadFailed')).toBe(1);
    expect(pipeline.logger.lines.some((line) => line.level === 'warn' && line.message.startsWith('the exemptions table could not be read'))).toBe(true);
    expect(result.reason).toMatch(new RegExp(`^contained with Block Public Access; verified; the exemptions table could not be read \\(${error.name}: `));
    expect(storedRecords()[0]?.reason).toBe(result.reason);
  });

  it('still applies the configured exemptions when the table cannot be read', async () => {
    // GIVEN a configured exemption and a failing Scan
    exposedBucket('configured-site');
    fakes.exemptions.injectError('Scan', 'InternalError');
    const pipeline = deps({ exemptions: [{ bucket: 'configured-site', reason: 'reviewed', owner: 'web', expires: '2099-01-01' }] });

    // WHEN its event arrives THEN the configured exemption decides
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'configured-site', { eventTime: EVENT_TIME }), pipeline);
    expect(result.outcome).toBe('exempt');
    expect(storedRecords()[0]?.exemption).toEqual(expect.objectContaining({ source: 'configuration' }));
  });
});
