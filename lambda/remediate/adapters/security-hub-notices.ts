/**
 * Where the "Security Hub not enabled" alert is remembered: a marker item in the audit table, written with a
 * conditional put (`attribute_not_exists`), so exactly one invocation per region per UTC day alerts, whatever the
 * number of Lambda containers. The remediator and the sweep worker already write the table (`WriteAuditRecords`
 * grants PutItem, and the table's resource policy lets the guardrail's writers through), so no new permission is
 * needed.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hasErrorCode } from '../../shared/aws/errors';
import { AUDIT_TABLE } from '../../shared/audit/table-schema';
import { noticeWindow, notEnabledNoticeItem } from '../../shared/findings/not-enabled-notice';

/** Decides which invocation alerts that Security Hub is not enabled in a region. */
export interface NotEnabledNotices {
  /** True for the first caller of the region's current window (that caller alerts), false for every later one. */
  claim(region: string, at: number, detail: string): Promise<boolean>;
}

/** Across containers: the marker item in the audit table. */
export class DynamoNotEnabledNotices implements NotEnabledNotices {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(region: string, at: number, detail: string): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...notEnabledNoticeItem(region, at, detail) },
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': AUDIT_TABLE.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || hasErrorCode(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }
}

/** Within one container only (local runs and tests without a table): one alert per region per window. */
export class InMemoryNotEnabledNotices implements NotEnabledNotices {
  private readonly claimed = new Set<string>();

  async claim(region: string, at: number): Promise<boolean> {
    const key = `${region} ${noticeWindow(at)}`;
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }
}
