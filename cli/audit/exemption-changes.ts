/**
 * Granting and revoking exemptions, each change audited: the exemptions-table write and its audit record go
 * in one DynamoDB transaction (both or neither), then the record's write-once archive copy is written.
 * The write is conditional on the item being unchanged since it was read, so two operators cannot
 * silently overwrite each other.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveLockSettings } from '../../lambda/shared/audit/archive-lock';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hasErrorCode } from '../../lambda/shared/aws/errors';
import type { Exemption } from '../../lambda/remediate/environment';
import { EXEMPTIONS_TABLE, exemptionKey, fromExemptionItem, toExemptionItem, type ExemptionSource, type StoredExemption } from '../../lambda/shared/exemptions/exemptions-table';
import { putArchiveCopy, writeAuditItem } from './aws';
import { exemptionRecord, type CallerIdentity, type OperatorAuditRecord } from './operator-records';

export interface ExemptionStores {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly exemptionsTable: string;
  readonly auditTable: string;
  readonly archiveBucket: string;
  /**
   * How archive copies are locked (the stack's AuditArchiveLockMode): each copy is written with this mode and a
   * retain-until date. @default - no lock headers (a stack that does not say; its bucket's default retention applies)
   */
  readonly archiveLock?: ArchiveLockSettings;
  /** The clock of the retain-until date. @default Date.now */
  readonly now?: () => Date;
}

export interface ExemptionChangeInput {
  readonly caller: CallerIdentity;
  /** Audit record id for this change. */
  readonly id: string;
  readonly startedAt: Date;
  readonly now: () => Date;
  /** Account and region the records are filed under (the stack's). */
  readonly account: string;
  readonly region: string;
  readonly relatedRecordId?: string;
}

export interface ExemptionChange {
  readonly record: OperatorAuditRecord;
  readonly archiveKey: string;
  /** The exemption that was replaced or revoked. */
  readonly previous?: StoredExemption;
}

/** The change conflicted with another writer, or the archive copy could not be written. */
export class ExemptionChangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExemptionChangeError';
  }
}

/**
 * Reads the stored item for a bucket or glob (in `account`, when the exemption is scoped to one): the exemption, or
 * the raw item if it does not decode.
 */
export async function readExemption(
  stores: ExemptionStores,
  bucket: string,
  account?: string,
): Promise<{ item?: Record<string, unknown>; exemption?: StoredExemption }> {
  const response = await stores.dynamoDb.send(
    new GetCommand({ TableName: stores.exemptionsTable, Key: { [EXEMPTIONS_TABLE.partitionKey]: exemptionKey({ bucket, ...(account !== undefined ? { account } : {}) }) }, ConsistentRead: true }),
  );
  const item = response.Item as Record<string, unknown> | undefined;
  if (!item) {
    return {};
  }
  const decoded = fromExemptionItem(item);
  return 'exemption' in decoded ? { item, exemption: decoded.exemption } : { item };
}

function unchangedCondition(previous: Record<string, unknown> | undefined): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
  if (previous === undefined) {
    return { ConditionExpression: 'attribute_not_exists(#bucket)', ExpressionAttributeNames: { '#bucket': EXEMPTIONS_TABLE.partitionKey } };
  }
  const names: Record<string, string> = { '#bucket': EXEMPTIONS_TABLE.partitionKey };
  const values: Record<string, unknown> = {};
  const clauses = ['attribute_exists(#bucket)'];
  ['expires', 'owner', 'reason', 'auditId'].forEach((field, index) => {
    if (typeof previous[field] === 'string') {
      names[`#f${index}`] = field;
      values[`:v${index}`] = previous[field];
      clauses.push(`#f${index} = :v${index}`);
    }
  });
  return { ConditionExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}) };
}

async function commit(
  stores: ExemptionStores,
  record: OperatorAuditRecord,
  write: Parameters<typeof writeAuditItem>[3],
  what: string,
): Promise<string> {
  try {
    await writeAuditItem(stores.dynamoDb, stores.auditTable, record, write);
  } catch (error) {
    if (hasErrorCode(error, 'TransactionCanceledException', 'ConditionalCheckFailedException')) {
      throw new ExemptionChangeError(`the exemption for ${record.bucket}${record.exemption?.account !== undefined ? ` (account ${record.exemption.account})` : ''} changed while ${what}; look at it again with "exemptions list" and retry`, { cause: error });
    }
    throw error;
  }
  try {
    return await putArchiveCopy(stores.s3, stores.archiveBucket, record, stores.archiveLock, (stores.now ?? (() => new Date()))().getTime());
  } catch (error) {
    throw new ExemptionChangeError(
      `${what}: the exemption and its audit record ${record.id} are written, but the archive copy failed (${(error as Error).message}); "verify" will list it as archive-missing`,
      { cause: error },
    );
  }
}

/** Writes (or replaces) an exemption, audited. */
export async function grantExemption(
  stores: ExemptionStores,
  exemption: Exemption,
  source: ExemptionSource,
  input: ExemptionChangeInput,
): Promise<ExemptionChange> {
  const existing = await readExemption(stores, exemption.bucket, exemption.account);
  const stored: StoredExemption = {
    ...exemption,
    createdAt: input.startedAt.toISOString(),
    createdBy: input.caller.arn,
    source,
    auditId: input.id,
  };
  const item = toExemptionItem(stored);
  const condition = unchangedCondition(existing.item);
  const record = exemptionRecord({
    ...recordFrame(input),
    change: 'granted',
    exemption,
    ...(existing.exemption ? { replaced: existing.exemption } : {}),
    ...(input.relatedRecordId ? { relatedRecordId: input.relatedRecordId } : {}),
    actions: [{ api: 'dynamodb:PutItem', request: { TableName: stores.exemptionsTable, Item: item }, result: 'succeeded', at: input.startedAt.toISOString() }],
  });
  const archiveKey = await commit(stores, record, { Put: { TableName: stores.exemptionsTable, Item: item, ...condition } }, 'granting it');
  return { record, archiveKey, ...(existing.exemption ? { previous: existing.exemption } : {}) };
}

/** Who made the change, when and where: the part every exemption change record shares. */
function recordFrame(input: ExemptionChangeInput) {
  return { id: input.id, caller: input.caller, times: { startedAt: input.startedAt, finishedAt: input.now() }, account: input.account, region: input.region };
}

/** Removes an exemption (scoped to `account`, when given), audited. Undefined when there is none for that bucket or glob. */
export async function revokeExemption(stores: ExemptionStores, bucket: string, input: ExemptionChangeInput, account?: string): Promise<ExemptionChange | undefined> {
  const existing = await readExemption(stores, bucket, account);
  if (!existing.item) {
    return undefined;
  }
  const revoked: Exemption = existing.exemption ?? {
    bucket,
    ...(account !== undefined ? { account } : {}),
    reason: typeof existing.item.reason === 'string' ? existing.item.reason : '(invalid item)',
    owner: typeof existing.item.owner === 'string' ? existing.item.owner : '(invalid item)',
    expires: typeof existing.item.expires === 'string' ? existing.item.expires : '(invalid item)',
  };
  const key = { [EXEMPTIONS_TABLE.partitionKey]: exemptionKey({ bucket, ...(account !== undefined ? { account } : {}) }) };
  const record = exemptionRecord({
    ...recordFrame(input),
    change: 'revoked',
    exemption: revoked,
    actions: [{ api: 'dynamodb:DeleteItem', request: { TableName: stores.exemptionsTable, Key: key }, result: 'succeeded', at: input.startedAt.toISOString() }],
  });
  const archiveKey = await commit(stores, record, { Delete: { TableName: stores.exemptionsTable, Key: key, ...unchangedCondition(existing.item) } }, 'removing it');
  return { record, archiveKey, ...(existing.exemption ? { previous: existing.exemption } : {}) };
}
