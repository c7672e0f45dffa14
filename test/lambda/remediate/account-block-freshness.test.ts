/**
 * A stale account Block Public Access value must never leave a bucket public: the account setting is read
 * fresh for every bucket decision, not served from the per-container cache.
 */
import { processEvent } from '../../../lambda/remediate/pipeline';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { ACCOUNT, REGION, bucketEvent, fakeBackedDeps } from './support';

const EVENT_TIME = '2025-03-04T10:15:30Z';
const ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

describe('the account setting behind a bucket decision', () => {
  it('contains a bucket made public seconds after the account setting was turned off elsewhere', async () => {
    // GIVEN an account whose Block Public Access is on, and a bucket with a public-read policy it neutralises
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, ON);
    fakes.s3.addBucket('stale-account-cache', { account: ACCOUNT, region: REGION, policy: publicReadPolicy('stale-account-cache'), publicAccessBlock: null, ownership: null });
    // ... and one warm container (the same deps, so the same cache) whose clock moves 1 ms per reading
    let now = Date.parse(EVENT_TIME) + 2_000;
    const deps = fakeBackedDeps(fakes, {}, { now: () => (now += 1) });
    const first = await processEvent(bucketEvent('put-bucket-policy.new', 'stale-account-cache', { eventTime: EVENT_TIME }), deps);
    expect(first.outcome).toBe('already-private');

    // WHEN someone turns the account setting off (its event goes to another container) and, seconds later,
    // the bucket's next change reaches this one
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
    expect(fakes.s3.isPublic('stale-account-cache')).toBe(true);
    const second = await processEvent(bucketEvent('put-bucket-acl.new', 'stale-account-cache', { eventTime: '2025-03-04T10:15:40Z' }), deps);

    // THEN the bucket decision saw the account setting as it is now, and the bucket is contained
    expect(second.outcome).toBe('remediated');
    expect(fakes.s3.isPublic('stale-account-cache')).toBe(false);
    const records = [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined && item.eventName === 'PutBucketAcl');
    expect(records.map((item) => (item.before as { accountPublicAccessBlock?: unknown }).accountPublicAccessBlock)).toEqual([null]);
  });
});
