import { durationMs, isComplete, tally, zeroCounts, type BucketTally, type Counts } from '../../../lambda/sweep/progress';

describe('tally', () => {
  test.each<[string, BucketTally[], Partial<Counts>]>([
    ['nothing', [], {}],
    ['a private bucket', [{ bucket: 'a', outcome: 'already-private', public: false }], { checked: 1, alreadyPrivate: 1 }],
    ['a remediated bucket', [{ bucket: 'a', outcome: 'remediated', public: true }], { checked: 1, public: 1, remediated: 1 }],
    ['a remediated bucket whose verdict the pipeline did not report', [{ bucket: 'a', outcome: 'remediated' }], { checked: 1, public: 1, remediated: 1 }],
    ['report-only mode', [{ bucket: 'a', outcome: 'report-only' }], { checked: 1, public: 1, reportOnly: 1 }],
    ['a public exempt bucket', [{ bucket: 'a', outcome: 'exempt', public: true }], { checked: 1, public: 1, exempt: 1 }],
    ['a private exempt bucket', [{ bucket: 'a', outcome: 'exempt', public: false }], { checked: 1, exempt: 1 }],
    ['a failed remediation', [{ bucket: 'a', outcome: 'failed', public: true }], { checked: 1, public: 1, failed: 1 }],
    ['a bucket never checked', [{ bucket: 'a', outcome: 'error' }], { checked: 1, failed: 1 }],
    ['a bucket deleted meanwhile', [{ bucket: 'a', outcome: 'bucket-gone' }], { checked: 1, bucketGone: 1 }],
    ['an ignored bucket', [{ bucket: 'a', outcome: 'ignored' }], { checked: 1 }],
    [
      'a mix',
      [
        { bucket: 'a', outcome: 'already-private', public: false },
        { bucket: 'b', outcome: 'remediated', public: true },
        { bucket: 'c', outcome: 'already-private', public: false },
      ],
      { checked: 3, public: 1, remediated: 1, alreadyPrivate: 2 },
    ],
  ])('%s', (_name, buckets, expected) => {
    // GIVEN bucket outcomes WHEN tallied THEN each lands in checked and its own counter
    expect(tally(buckets)).toEqual({ ...zeroCounts(), ...expected });
  });
});

describe('isComplete and durationMs', () => {
  test.each([
    [{ listed: 10, listingComplete: true, counts: { ...zeroCounts(), checked: 10 } }, true],
    [{ listed: 10, listingComplete: false, counts: { ...zeroCounts(), checked: 10 } }, false],
    [{ listed: 10, listingComplete: true, counts: { ...zeroCounts(), checked: 9 } }, false],
    [{ listed: 0, listingComplete: true, counts: zeroCounts() }, true],
  ])('%j is complete: %s', (progress, expected) => {
    // GIVEN counters WHEN judged THEN complete means listing done and every listed bucket counted
    expect(isComplete(progress)).toBe(expected);
  });

  test.each([
    ['2026-11-23T04:00:00Z', '2026-11-23T04:10:00Z', 600_000],
    ['2026-11-23T04:10:00Z', '2026-11-23T04:00:00Z', 0],
    ['later', '2026-11-23T04:00:00Z', 0],
  ])('from %s to %s is %i ms', (start, end, ms) => {
    expect(durationMs(start, end)).toBe(ms);
  });
});
