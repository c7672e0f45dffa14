/**
 * The event edges of real CloudTrail (issue 10), end to end through processEvent over the real adapters and
 * the stateful fakes: events about accounts that are not ours, caller-side copies, legacy bucket names, the
 * newer partitions, PutBucketWebsite and routed calls that name no bucket. Fixtures: test/fixtures/events/edges
 * and put-bucket-website.{old,new}.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { processEvent } from '../../../lambda/remediate/pipeline';
import { METRICS } from '../../../lambda/remediate/ports';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { ACCOUNT, REGION, fakeBackedDeps, fixture, writesTo, type TestDeps } from './support';

const EDGES = join(__dirname, '..', '..', 'fixtures', 'events', 'edges');
const EVENT_TIME = '2025-03-04T10:15:30Z';
const FOREIGN = '999988887777';
const OWNER = '444455556666';
const LEGACY = 'Acme_Legacy_Reports_2016';

function edge(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(EDGES, `${name}.json`), 'utf8')) as Record<string, any>;
}

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

function deps(): TestDeps {
  let now = Date.parse(EVENT_TIME) + 2_000;
  return fakeBackedDeps(fakes, {}, { now: () => (now += 1) });
}

function exposed(name: string, options: { account?: string; region?: string } = {}): void {
  fakes.s3.addBucket(name, { account: options.account ?? ACCOUNT, region: options.region ?? REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null });
}

function records(): AuditRecord[] {
  return [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
}

/** Every S3 call the pipeline sent (reads included): none for an event that is not ours. */
function s3Calls(): string[] {
  return fakes.log.entries.filter((entry) => entry.service === 's3' || entry.service === 's3control').map((entry) => entry.command);
}

describe('events about accounts the guardrail does not guard', () => {
  it.each([
    { name: 'foreign-envelope-account', reason: new RegExp(`account ${FOREIGN} is not guarded: single-account mode guards only its own account ${ACCOUNT}`) },
    { name: 'foreign-recipient-account', reason: new RegExp(`recipientAccountId ${FOREIGN} is not the event account ${ACCOUNT}`) },
    { name: 'caller-side-copy', reason: new RegExp(`caller-side copy of a cross-account call: detail.resources names owner account ${OWNER}`) },
  ])('$name is ignored with the reason: no S3 call, no record, no alert', async ({ name, reason }) => {
    // GIVEN the bucket the event names is public (in its owner's account)
    const event = edge(name);
    const bucket = event.detail.requestParameters.bucketName as string;
    exposed(bucket, { account: name === 'caller-side-copy' ? OWNER : FOREIGN });
    const d = deps();

    // WHEN the event arrives at the single-account remediator
    const result = await processEvent(event, d);

    // THEN it is ignored, saying why, and nothing is read, written, recorded or alerted
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(reason) });
    expect(s3Calls()).toEqual([]);
    expect(writesTo(fakes)).toEqual([]);
    expect(records()).toEqual([]);
    expect(fakes.sns.published).toHaveLength(0);
    expect(d.logger.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'event ignored', extra: [expect.objectContaining({ reason: expect.stringMatching(reason) })] }));
  });

  it('is ignored in report-only mode too: no false "FAILED to contain" alert for a caller-side copy', async () => {
    // GIVEN report-only mode and a caller-side copy about a bucket another account owns
    exposed('partner-owned-reports', { account: OWNER });
    let now = Date.parse(EVENT_TIME) + 2_000;
    const d = fakeBackedDeps(fakes, { mode: 'report-only' }, { now: () => (now += 1) });

    // WHEN it arrives
    const result = await processEvent(edge('caller-side-copy'), d);

    // THEN it is ignored without any alert
    expect(result.outcome).toBe('ignored');
    expect(fakes.sns.published).toHaveLength(0);
  });

  it('the same event from our own account is still contained (the check does not over-block)', async () => {
    // GIVEN the foreign-envelope fixture rewritten to our account
    const event = JSON.parse(JSON.stringify(edge('foreign-envelope-account')).replaceAll(FOREIGN, ACCOUNT)) as Record<string, any>;
    exposed(event.detail.requestParameters.bucketName as string);

    // WHEN it arrives THEN it is contained with one alert
    const result = await processEvent(event, deps());
    expect(result.outcome).toBe('remediated');
    expect(fakes.sns.published).toHaveLength(1);
  });
});

describe('legacy bucket names (us-east-1, before 1 March 2018)', () => {
  function legacyEvent(bucket: string, region = 'us-east-1'): Record<string, any> {
    const event = JSON.parse(JSON.stringify(edge('legacy-name-us-east-1')).replaceAll(LEGACY, bucket)) as Record<string, any>;
    event.detail.awsRegion = region;
    return event;
  }

  it.each([
    ['upper case and underscores', LEGACY],
    ['over 200 characters', `Acme_${'Legacy_'.repeat(30)}End`],
  ])('a public bucket with %s in us-east-1 is contained with exactly one alert', async (_what, bucket) => {
    // GIVEN a public legacy-named bucket in us-east-1
    expect(bucket.length).toBeGreaterThan(bucket === LEGACY ? 3 : 200);
    exposed(bucket, { region: 'us-east-1' });

    // WHEN PutBucketPolicy on it arrives
    const result = await processEvent(legacyEvent(bucket), deps());

    // THEN it is contained, and one alert names it
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, bucket)).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.sns.published).toHaveLength(1);
    expect(records()).toEqual([expect.objectContaining({ bucket, region: 'us-east-1', outcome: 'remediated' })]);
  });

  it.each([LEGACY, `Acme_${'Legacy_'.repeat(30)}End`])('the same name in eu-west-1 is not a valid bucket name: ignored, nothing sent (%s)', async (bucket) => {
    // GIVEN the legacy name in an event from eu-west-1
    const result = await processEvent(legacyEvent(bucket, 'eu-west-1'), deps());

    // THEN it is ignored as invalid, with no S3 call
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/not a valid bucket name in eu-west-1/) });
    expect(s3Calls()).toEqual([]);
    expect(fakes.sns.published).toHaveLength(0);
  });
});

describe('Regions of the newer partitions', () => {
  it.each([
    ['eusc-de-east-1', 'arn:aws-eusc:'],
    ['us-iso-east-1', 'arn:aws-iso:'],
  ])('an event from %s (%s…) is contained with exactly one alert', async (region, arnPrefix) => {
    // GIVEN a public bucket in that Region, and an event whose resources carry that partition
    const event = edge(region);
    expect(event.detail.resources[0].ARN).toMatch(new RegExp(`^${arnPrefix}s3:::`));
    exposed('guardrail-demo-data', { region });

    // WHEN it arrives
    const result = await processEvent(event, deps());

    // THEN the bucket is contained in that Region
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'guardrail-demo-data')).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.sns.published).toHaveLength(1);
    expect(records()).toEqual([expect.objectContaining({ region, outcome: 'remediated' })]);
  });
});

describe('PutBucketWebsite', () => {
  it.each(['put-bucket-website.new', 'put-bucket-website.old'])('%s on a bucket with a public policy (set before any event of ours) contains it, with exactly one alert', async (name) => {
    // GIVEN a bucket that already carries a public policy
    exposed('guardrail-demo-data');

    // WHEN website hosting is turned on
    const result = await processEvent(fixture(name), deps());

    // THEN the live state is read and the bucket contained
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'guardrail-demo-data')).toEqual(['s3:PutPublicAccessBlock']);
    expect(fakes.sns.published).toHaveLength(1);
    expect(records()).toEqual([expect.objectContaining({ bucket: 'guardrail-demo-data', eventName: 'PutBucketWebsite', outcome: 'remediated' })]);
  });

  it.each(['put-bucket-website.new', 'put-bucket-website.old'])('%s on a private bucket records already-private, with no write and no alert', async (name) => {
    // GIVEN a private bucket
    fakes.s3.addBucket('guardrail-demo-data', { account: ACCOUNT, region: REGION });

    // WHEN website hosting is turned on
    const result = await processEvent(fixture(name), deps());

    // THEN it is recorded as already private
    expect(result.outcome).toBe('already-private');
    expect(writesTo(fakes, 'guardrail-demo-data')).toEqual([]);
    expect(fakes.sns.published).toHaveLength(0);
    expect(records()).toEqual([expect.objectContaining({ bucket: 'guardrail-demo-data', eventName: 'PutBucketWebsite', outcome: 'already-private' })]);
  });
});

describe('a successful routed call that names no bucket', () => {
  it.each([
    { name: 'requestParameters null', event: () => edge('request-parameters-null'), reason: /requestParameters is null or missing/ },
    {
      name: 'requestParameters without bucketName',
      event: () => {
        const event = fixture('put-bucket-acl.new');
        delete event.detail.requestParameters.bucketName;
        event.detail.resources = [];
        return event;
      },
      reason: /bucketName is missing/,
    },
  ])('$name is logged as a warning and counted, nothing sent', async ({ event, reason }) => {
    const d = deps();

    // WHEN the event arrives
    const result = await processEvent(event(), d);

    // THEN ignored, with a warning line and the RoutedCallWithoutBucket metric, and no AWS call
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(reason) });
    expect(d.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', extra: [expect.objectContaining({ reason: expect.stringMatching(reason), warning: 'routed-call-without-bucket' })] }));
    expect(d.logger.lines.filter((line) => line.level === 'info' && line.message === 'event ignored')).toEqual([]);
    expect(d.metrics.count(METRICS.routedCallWithoutBucket)).toBe(1);
    expect(d.metrics.count(METRICS.ignored)).toBe(1);
    expect(s3Calls()).toEqual([]);
  });

  it('a read-only or failed call without a bucket stays an info line (not a routed change)', async () => {
    const event = edge('request-parameters-null');
    event.detail.errorCode = 'AccessDenied';
    const d = deps();
    await processEvent(event, d);
    expect(d.metrics.count(METRICS.routedCallWithoutBucket)).toBe(0);
  });
});
