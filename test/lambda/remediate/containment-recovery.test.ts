/**
 * A crash or timeout between containment and the final record must not lose the exposure: the containment is
 * saved on the claim right after the write, and the retry (which finds the bucket private) records and alerts it.
 */
import { recordFromItem } from '../../../lambda/shared/audit/record';
import { processEvent } from '../../../lambda/remediate/pipeline';
import type { BucketState, BucketTarget } from '../../../lambda/remediate/ports';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { ACCOUNT, REGION, bucketEvent, fakeBackedDeps } from './support';

const EVENT_TIME = '2025-03-04T10:15:30Z';
const START = Date.parse(EVENT_TIME) + 2_000;

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 0 });
});

afterEach(() => {
  fakes.restore();
});

describe('a run that dies after containing the bucket', () => {
  it('leaves the verdict and the containment on the claim, and the retry records and alerts the exposure', async () => {
    // GIVEN an exposed bucket, and a first invocation that hangs (the Lambda timeout) on its verification read
    fakes.s3.addBucket('crash-after-contain', { account: ACCOUNT, region: REGION, policy: publicReadPolicy('crash-after-contain'), publicAccessBlock: null, ownership: null });
    const event = bucketEvent('put-bucket-policy.new', 'crash-after-contain', { eventTime: EVENT_TIME });
    let firstNow = START;
    const first = fakeBackedDeps(fakes, {}, { now: () => (firstNow += 1) });
    const reads: BucketTarget[] = [];
    const hanging = {
      ...first,
      s3: {
        actingRoleArn: (account: string) => first.s3.actingRoleArn?.(account),
        readAccountPublicAccessBlock: first.s3.readAccountPublicAccessBlock.bind(first.s3),
        write: first.s3.write.bind(first.s3),
        readBucketState: (target: BucketTarget): Promise<BucketState> => {
          reads.push(target);
          return reads.length === 1 ? first.s3.readBucketState(target) : new Promise<BucketState>(() => undefined);
        },
      },
    };
    void processEvent(event, hanging);
    await waitFor(() => reads.length === 2 && [...fakes.table.items.values()][0]?.phase === 'contained');
    expect(fakes.s3.isPublic('crash-after-contain')).toBe(false);
    const claimItem = [...fakes.table.items.values()][0];
    expect(claimItem).toMatchObject({ phase: 'contained', savedContainment: { verdict: { public: true } } });
    expect(fakes.sns.published).toHaveLength(0);

    // WHEN Lambda retries the event in a new container after the first invocation's lease ran out
    let retryNow = START + 120_000;
    const retry = await processEvent(event, fakeBackedDeps(fakes, {}, { now: () => (retryNow += 1) }));

    // THEN the retry finds the bucket private, but records the exposure the first attempt contained, and alerts it
    expect(retry.outcome).toBe('remediated');
    const stored = [...fakes.table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      outcome: 'remediated',
      verdict: { public: true },
      before: { bucketPublicAccessBlock: null },
      after: { bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
      actions: [expect.objectContaining({ api: 'PutBucketPublicAccessBlock', result: 'succeeded' })],
      reason: expect.stringContaining('by an earlier attempt that stopped before recording it'),
    });
    expect(stored[0]?.containedAt).toBe(claimItem?.containedAt);
    expect(fakes.sns.published.map((alert) => alert.MessageAttributes?.outcome?.StringValue)).toEqual(['remediated']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}
