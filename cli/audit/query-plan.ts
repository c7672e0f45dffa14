/**
 * Query planning for the audit table: which index answers a question and with which key conditions, so a
 * time range never needs a Scan. Pure: returns the Query inputs (lib-dynamodb shape, native values).
 *
 *  - `--bucket B`              → index by-bucket, partition B, eventTime in range (one query, paginated)
 *  - `--outcome O` (no bucket) → index by-outcome, partition O, eventTime in range
 *  - neither                   → index by-day, one query per UTC day the range touches, newest day first
 *
 * Key conditions are widened to whole seconds (`eventTime BETWEEN "…:SS" AND "…:SS~"`) so records written
 * with or without fractional seconds are all found; callers then keep only records inside the exact range.
 */
import { AUDIT_TABLE } from '../../lambda/shared/audit/table-schema';
import { daysNewestFirst, type TimeRange } from './time-range';

export interface AuditFilters {
  readonly bucket?: string;
  readonly outcome?: string;
  /** Substring of the principal ARN, user name or access key of whoever made the call. */
  readonly actor?: string;
}

/** One Query request, in the lib-dynamodb `QueryCommandInput` shape. */
export interface AuditQuery {
  readonly TableName: string;
  readonly IndexName: string;
  readonly KeyConditionExpression: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, string>;
  readonly ScanIndexForward: false;
}

/** `2026-11-23T04:15:45.120Z` → `2026-11-23T04:15:45`: a prefix of every form of that second. */
function secondPrefix(instant: Date): string {
  return instant.toISOString().slice(0, 19);
}

/** The per-day or per-partition queries that cover `range` with `filters`, newest first. */
export function planAuditQueries(tableName: string, range: TimeRange, filters: AuditFilters): AuditQuery[] {
  const { indexes, timeAttribute } = AUDIT_TABLE;
  const timeBounds = { ':from': secondPrefix(range.from), ':to': `${secondPrefix(range.to)}~` };
  const names: Record<string, string> = { '#pk': '', '#time': timeAttribute };
  const keyCondition = '#pk = :pk AND #time BETWEEN :from AND :to';

  if (filters.bucket !== undefined) {
    const outcomeFilter = filters.outcome === undefined ? {} : { FilterExpression: '#outcome = :outcome' };
    return [
      {
        TableName: tableName,
        IndexName: indexes.byBucket.name,
        KeyConditionExpression: keyCondition,
        ...outcomeFilter,
        ExpressionAttributeNames: {
          ...names,
          '#pk': indexes.byBucket.partitionKey,
          ...(filters.outcome === undefined ? {} : { '#outcome': indexes.byOutcome.partitionKey }),
        },
        ExpressionAttributeValues: {
          ':pk': filters.bucket,
          ...timeBounds,
          ...(filters.outcome === undefined ? {} : { ':outcome': filters.outcome }),
        },
        ScanIndexForward: false,
      },
    ];
  }
  if (filters.outcome !== undefined) {
    return [
      {
        TableName: tableName,
        IndexName: indexes.byOutcome.name,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: { ...names, '#pk': indexes.byOutcome.partitionKey },
        ExpressionAttributeValues: { ':pk': filters.outcome, ...timeBounds },
        ScanIndexForward: false,
      },
    ];
  }
  return daysNewestFirst(range).map((day) => ({
    TableName: tableName,
    IndexName: indexes.byDay.name,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: { ...names, '#pk': indexes.byDay.partitionKey },
    ExpressionAttributeValues: { ':pk': day, ...timeBounds },
    ScanIndexForward: false,
  }));
}
