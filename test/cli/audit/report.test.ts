import { formatDuration, median, percentile, summarise, type AuditRow } from '../../../cli/audit/report';

function row(eventTime: string, outcome: string, timeToContainMs?: number, bucket = 'b', principal = 'arn:aws:iam::111122223333:user/u'): AuditRow {
  return {
    id: `${bucket}-${eventTime}`,
    kind: 'event',
    eventTime,
    eventName: 'PutBucketPolicy',
    bucket,
    account: '111122223333',
    region: 'us-east-1',
    outcome,
    actor: { principal },
    access: [],
    why: [],
    actions: [],
    changes: [],
    ...(timeToContainMs !== undefined ? { timeToContainMs } : {}),
  };
}

describe('percentiles', () => {
  test.each([
    [[1], 50, 1],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 99, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 200 }, (_, i) => i + 1), 99, 198],
  ])('nearest-rank p%2$s of %1$j is %3$s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  test.each([
    [[5], 5],
    [[1, 3], 2],
    [[1, 2, 10], 2],
  ])('median of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  test('empty input gives NaN rather than throwing', () => {
    expect(percentile([], 99)).toBeNaN();
    expect(median([])).toBeNaN();
  });
});

describe('summarise', () => {
  const range = { from: new Date('2026-11-18T00:00:00Z'), to: new Date('2026-11-20T23:59:59Z') };

  test('totals, time to contain and a per-day timeline including empty days', () => {
    // GIVEN four records over two of the three days
    const rows = [
      row('2026-11-20T10:00:00Z', 'remediated', 2000, 'b1', 'arn:aws:iam::111122223333:user/alice'),
      row('2026-11-20T11:00:00Z', 'failed', undefined, 'b2', 'arn:aws:iam::111122223333:user/alice'),
      row('2026-11-18T09:00:00Z', 'remediated', 4000, 'b1', 'arn:aws:iam::111122223333:user/bob'),
      row('2026-11-18T09:30:00Z', 'remediated', 3000, 'b3', 'arn:aws:iam::111122223333:user/bob'),
    ];
    // WHEN summarised
    const summary = summarise(rows, range);
    // THEN the totals per outcome, distinct buckets and principals, and durations from contained records only
    expect(summary.total).toBe(4);
    expect(summary.byOutcome).toEqual({ remediated: 3, failed: 1 });
    expect(summary.outcomes).toEqual(['remediated', 'failed']);
    expect(summary.distinctBuckets).toBe(3);
    expect(summary.distinctActors).toBe(2);
    expect(summary.timeToContain).toEqual({ count: 3, medianMs: 3000, p99Ms: 4000, maxMs: 4000 });
    // AND the timeline has every day, oldest first, with zero on the quiet day
    expect(summary.timeline).toEqual([
      { day: '2026-11-18', total: 2, byOutcome: { remediated: 2 } },
      { day: '2026-11-19', total: 0, byOutcome: {} },
      { day: '2026-11-20', total: 2, byOutcome: { remediated: 1, failed: 1 } },
    ]);
  });

  test('no contained record gives no time to contain', () => {
    expect(summarise([row('2026-11-19T00:00:00Z', 'exempt')], range).timeToContain).toBeNull();
  });
});

describe('formatDuration', () => {
  test.each([
    [undefined, '—'],
    [850, '850 ms'],
    [4210, '4.2 s'],
    [185_000, '3 min 5 s'],
    [7_800_000, '2 h 10 min'],
  ])('%s ms reads as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
