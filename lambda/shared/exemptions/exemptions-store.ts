/**
 * Reading the exemptions table: one strongly consistent Scan (the table holds tens of items, one page), so
 * the remediator can run it in the same parallel round trip as its S3 reads. Strong consistency matters:
 * `bucket-guardrail restore` writes an exemption and then changes the bucket, and the event that change
 * produces must already see the exemption. Pagination is followed if the table ever outgrows one page.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeExemptionItems, type DecodedExemptions } from './exemptions-table';

/** Reads and decodes every exemption in the table; invalid items are returned separately, never thrown. */
export async function scanExemptions(client: DynamoDBDocumentClient, tableName: string): Promise<DecodedExemptions> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return decodeExemptionItems(items);
}
