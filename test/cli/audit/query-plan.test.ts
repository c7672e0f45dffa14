import { planAuditQueries } from '../../../cli/audit/query-plan';

const RANGE = { from: new Date('2026-11-20T10:15:30.250Z'), to: new Date('2026-11-22T08:00:00.000Z') };

describe('planAuditQueries', () => {
  test('without filters: one by-day query per UTC day, newest day first, never a scan', () => {
    // GIVEN a range over three UTC days and no filter
    // WHEN planned
    const queries = planAuditQueries('audit', RANGE, {});
    // THEN three Query inputs on the by-day index, newest first, each bounded to the range by eventTime
    expect(queries.map((query) => query.ExpressionAttributeValues[':pk'])).toEqual(['2026-11-22', '2026-11-21', '2026-11-20']);
    for (const query of queries) {
      expect(query).toMatchObject({
        TableName: 'audit',
        IndexName: 'by-day',
        KeyConditionExpression: '#pk = :pk AND #time BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': 'day', '#time': 'eventTime' },
        ScanIndexForward: false,
      });
      expect(query.FilterExpression).toBeUndefined();
    }
  });

  test('the eventTime bounds cover whole seconds so times with and without fractions are found', () => {
    const [query] = planAuditQueries('audit', RANGE, {});
    const { ':from': from, ':to': to } = query?.ExpressionAttributeValues ?? {};
    // GIVEN stored times in both forms at the edges of the range
    const stored = ['2026-11-20T10:15:30Z', '2026-11-20T10:15:30.999Z', '2026-11-22T08:00:00Z', '2026-11-22T08:00:00.000Z'];
    // THEN every one sorts inside [from, to] as DynamoDB compares strings
    for (const time of stored) {
      expect(time >= (from as string) && time <= (to as string)).toBe(true);
    }
    // AND the second before and after do not
    expect('2026-11-20T10:15:29.999Z' >= (from as string)).toBe(false);
    expect('2026-11-22T08:00:01Z' <= (to as string)).toBe(false);
  });

  test.each([
    [{ bucket: 'b1' }, 'by-bucket', 'bucket', 'b1', undefined],
    [{ bucket: 'b1', outcome: 'failed' }, 'by-bucket', 'bucket', 'b1', '#outcome = :outcome'],
    [{ outcome: 'failed' }, 'by-outcome', 'outcome', 'failed', undefined],
    [{ outcome: 'failed', actor: 'alice' }, 'by-outcome', 'outcome', 'failed', undefined],
  ])('filters %j use the %s index', (filters, index, partitionAttribute, partitionValue, filterExpression) => {
    // WHEN planned with a bucket or an outcome
    const queries = planAuditQueries('audit', RANGE, filters);
    // THEN one query on the matching index (paginated by the caller), with the outcome as a filter when both are given
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({
      IndexName: index,
      ExpressionAttributeNames: { '#pk': partitionAttribute },
      ExpressionAttributeValues: { ':pk': partitionValue },
      ScanIndexForward: false,
    });
    expect(queries[0]?.FilterExpression).toBe(filterExpression);
  });
});
