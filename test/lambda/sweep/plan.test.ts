import { canListAnotherPage, continuation, planPage, retryDelaySeconds, toSendBatches } from '../../../lambda/sweep/plan';
import type { BucketRef } from '../../../lambda/sweep/messages';

const SWEEP = { sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00.000Z' };

function buckets(count: number): BucketRef[] {
  return Array.from({ length: count }, (_, index) => ({ name: `bucket-${index}`, region: index % 2 === 0 ? 'eu-west-1' : 'us-east-1' }));
}

describe('planPage', () => {
  test.each([
    // buckets on the page, per message, expected message sizes
    [0, 20, []],
    [1, 20, [1]],
    [20, 20, [20]],
    [45, 20, [20, 20, 5]],
    [1000, 20, Array.from({ length: 50 }, () => 20)],
    [7, 0, [1, 1, 1, 1, 1, 1, 1]],
  ])('splits %i buckets into messages of at most %i', (count, perMessage, sizes) => {
    // GIVEN a listed page WHEN it is planned
    const messages = planPage(SWEEP, 4, buckets(count), perMessage);
    // THEN every bucket is in exactly one message, in order, with its region
    expect(messages.map((message) => message.buckets.length)).toEqual(sizes);
    expect(messages.flatMap((message) => message.buckets)).toEqual(buckets(count));
  });

  test('gives ids that depend only on page and position, so re-listing a page repeats them', () => {
    // GIVEN the same page planned twice WHEN compared THEN the chunk ids are equal and unique
    const first = planPage(SWEEP, 9, buckets(45), 20).map((message) => message.chunkId);
    const second = planPage(SWEEP, 9, buckets(45), 20).map((message) => message.chunkId);
    expect(first).toEqual(['p9c0', 'p9c1', 'p9c2']);
    expect(second).toEqual(first);
  });
});

describe('toSendBatches', () => {
  test.each([
    [0, []],
    [1, [1]],
    [10, [10]],
    [11, [10, 1]],
    [50, [10, 10, 10, 10, 10]],
  ])('groups %i messages into SendMessageBatch calls of at most 10', (count, sizes) => {
    // GIVEN planned messages WHEN batched
    const messages = planPage(SWEEP, 0, buckets(count), 1);
    const batches = toSendBatches(messages);
    // THEN no batch exceeds SQS's limit and each entry carries its message as JSON
    expect(batches.map((batch) => batch.length)).toEqual(sizes);
    expect(batches.flat().map((entry) => JSON.parse(entry.MessageBody) as unknown)).toEqual(messages);
    expect(new Set(batches.flat().map((entry) => entry.Id)).size).toBe(count);
  });
});

describe('listing hand-over and retry back-off', () => {
  test.each([
    // remaining, slowest page, hand-over margin, list another?
    [300_000, 2_000, 60_000, true],
    [62_001, 2_000, 60_000, true],
    [62_000, 2_000, 60_000, false],
    [10_000, 0, 60_000, false],
  ])('with %i ms left, pages of %i ms and a %i ms margin, lists another page: %s', (remaining, slowest, margin, expected) => {
    // GIVEN the time left WHEN deciding THEN the lister hands over before its time runs out
    expect(canListAnotherPage(remaining, slowest, margin)).toBe(expected);
  });

  test('a continuation carries the token only when there is one', () => {
    // GIVEN the first page and a later page WHEN continuations are made THEN they parse back to the same place
    expect(continuation(SWEEP, 0, undefined)).toEqual({ v: 1, kind: 'list', ...SWEEP, pageIndex: 0 });
    expect(continuation(SWEEP, 3, 'tok')).toEqual({ v: 1, kind: 'list', ...SWEEP, pageIndex: 3, continuationToken: 'tok' });
  });

  test.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [5, 480],
    [6, 900],
    [40, 900],
    [0, 30],
  ])('after receive %i a failed message waits %i s', (receiveCount, seconds) => {
    // GIVEN the attempt number WHEN the back-off is computed THEN it doubles up to 15 minutes
    expect(retryDelaySeconds(receiveCount)).toBe(seconds);
  });
});
