/**
 * The audit trail behind the AuditPort: DynamoDB (the queryable copy) and, when configured, the Object Lock
 * archive bucket (the write-once copy, keyed by archiveKeyFor so it can be found from its DynamoDB twin).
 *
 * Idempotency: the record id is derived from the CloudTrail event id. The first write is a conditional
 * "claim" (`attribute_not_exists(id)`), so a second delivery of the same event finds the item and does
 * nothing. A claim carries a lease (the invocation's deadline): if an invocation dies mid-way, Lambda's
 * retry may take the claim over once the lease has run out; the takeover is an update, so what the earlier
 * holder saved stays (the removal text, the containment it saved right after its write, a pending record). The
 * final write replaces the claim with the complete record, only if the claim is still this invocation's. When that write keeps failing, the finished
 * record is saved on the claim (`savePending`) for the retry to write, so one event keeps one record.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { recordFromItem, recordJson, toAuditItem, type AuditRecord } from '../../shared/audit/record';
import { AUDIT_TABLE, archiveKeyFor } from '../../shared/audit/table-schema';
import { archiveLock, archiveLockFor, type ArchiveLockSettings } from '../../shared/audit/archive-lock';
import { hasErrorCode, type ErrorDescription } from '../../shared/aws/errors';
import {
  ClaimLostError,
  type AuditClaim,
  type AuditPort,
  type ClaimResult,
  type Delivery,
  type ExistingRecord,
  type PendingRecord,
  type RemovalProgress,
  type SavedContainment,
} from '../ports';

/** Defined with the ports (the pipeline tells a lost claim from a failed write); exported here as before. */
export { ClaimLostError };

export const AUDIT_CONDITIONS = {
  /** A new id, or an unfinished claim whose holder's lease has run out. */
  claim: 'attribute_not_exists(#id) OR (attribute_not_exists(#finishedAt) AND #leaseUntil < :now)',
  /** Still this invocation's claim, and not finished. */
  holder: '#claimToken = :token AND attribute_not_exists(#finishedAt)',
  /** Release: this invocation's claim. */
  release: '#claimToken = :token',
  exists: 'attribute_exists(#id)',
} as const;

export interface ArchiveTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The account that must own the archive bucket (ExpectedBucketOwner). */
  readonly expectedOwner?: string;
  /**
   * How every copy is locked (AUDIT_ARCHIVE_LOCK_MODE, AUDIT_ARCHIVE_RETENTION_DAYS): the mode and a retain-until
   * date that many days after the write (see archive-lock.ts); NONE: no lock headers. Wins over `retentionDays`.
   * @default - `retentionDays` in COMPLIANCE mode when given; otherwise no explicit retention: the bucket's default
   * applies (a bucket whose policy requires the headers refuses the copy)
   */
  readonly lock?: ArchiveLockSettings;
  /**
   * The archive's Object Lock retention in days, in COMPLIANCE mode (see archive-lock.ts).
   * @default - no explicit retention unless `lock` says
   */
  readonly retentionDays?: number;
  /** The clock for the retain-until date. @default Date.now */
  readonly now?: () => number;
}

export class DynamoAuditStore implements AuditPort {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly archiveTarget?: ArchiveTarget,
  ) {}

  async claim(claim: AuditClaim): Promise<ClaimResult> {
    const fields: Record<string, unknown> = {
      trigger: claim.trigger,
      scope: claim.scope,
      [AUDIT_TABLE.timeAttribute]: claim.eventTime,
      [AUDIT_TABLE.dayAttribute]: claim.eventTime.slice(0, 10),
      receivedAt: claim.receivedAt,
      account: claim.account,
      region: claim.region,
      bucket: claim.bucket,
      eventId: claim.eventId,
      eventName: claim.eventName,
      sweepId: claim.sweepId,
      claimToken: claim.claimToken,
      leaseUntil: claim.leaseUntil,
      phase: 'claimed',
    };
    // An update, not a put: taking over an earlier holder's claim keeps what it saved (the removal text, a
    // pending record), and the old attributes come back so a pending record can be finished instead of redone.
    const names: Record<string, string> = { '#id': AUDIT_TABLE.partitionKey, '#finishedAt': 'finishedAt', '#leaseUntil': 'leaseUntil' };
    const values: Record<string, unknown> = { ':now': Date.parse(claim.receivedAt) };
    const assignments = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value], index) => {
        names[`#c${index}`] = key;
        values[`:c${index}`] = value;
        return `#c${index} = :c${index}`;
      });
    try {
      const output = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [AUDIT_TABLE.partitionKey]: claim.id },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: AUDIT_CONDITIONS.claim,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const pending = pendingOf(output.Attributes);
      const contained = containmentOf(output.Attributes);
      return { claimed: true, ...(pending !== undefined ? { pending } : {}), ...(contained !== undefined ? { contained } : {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // The condition failed, so an item exists; if it vanished since, someone else is starting over with it.
    return { claimed: false, existing: (await this.find(claim.id)) ?? { status: 'in-progress' } };
  }

  async savePending(id: string, claimToken: string, pending: PendingRecord): Promise<void> {
    await this.updateAsHolder(id, claimToken, {
      phase: 'pending',
      pendingRecord: pending.record,
      pendingUndelivered: [...pending.undelivered],
      leaseUntil: 0,
    });
  }

  async find(id: string): Promise<ExistingRecord | undefined> {
    const existing = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { [AUDIT_TABLE.partitionKey]: id }, ConsistentRead: true }));
    const stored = existing.Item;
    if (stored === undefined) return undefined;
    if (stored.finishedAt === undefined) return { status: 'in-progress' };
    const undelivered = Array.isArray(stored.undelivered) ? (stored.undelivered as Delivery[]) : [];
    return { status: 'finished', record: recordFromItem(stored), undelivered };
  }

  async saveRemovalProgress(id: string, claimToken: string, progress: RemovalProgress): Promise<void> {
    await this.updateAsHolder(id, claimToken, {
      phase: 'removing',
      removed: progress.removed,
      actions: progress.actions,
      ...(progress.containedAt !== undefined ? { containedAt: progress.containedAt } : {}),
    });
  }

  async saveContainment(id: string, claimToken: string, containment: SavedContainment): Promise<void> {
    await this.updateAsHolder(id, claimToken, { phase: 'contained', containedAt: containment.containedAt, [SAVED_CONTAINMENT_ATTRIBUTE]: containment });
  }

  async complete(record: AuditRecord, claimToken: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toAuditItem(record),
          ConditionExpression: AUDIT_CONDITIONS.holder,
          ExpressionAttributeNames: { '#claimToken': 'claimToken', '#finishedAt': 'finishedAt' },
          ExpressionAttributeValues: { ':token': claimToken },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ClaimLostError(record.id, { cause: error });
      throw error;
    }
  }

  /**
   * Writes the record's write-once copy, with the explicit Object Lock mode and retain-until date the target's
   * `lock` (or `retentionDays`) configures.
   * `If-None-Match: *` makes the first copy of a key the only one:
   * Object Lock protects versions, not keys, so without it anyone allowed to put could add a newer version.
   * A 412 means a copy is already there (an earlier attempt of this event): kept as it is, never replaced;
   * `bucket-guardrail verify` compares it with the table.
   */
  async archive(record: AuditRecord): Promise<boolean> {
    if (this.archiveTarget === undefined) {
      return false;
    }
    try {
      await this.archiveTarget.s3.send(
        new PutObjectCommand({
          Bucket: this.archiveTarget.bucket,
          Key: archiveKeyFor(record.id, record.eventTime),
          Body: recordJson(record),
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
          IfNoneMatch: '*',
          ...(this.archiveTarget.expectedOwner !== undefined ? { ExpectedBucketOwner: this.archiveTarget.expectedOwner } : {}),
          ...archiveLockOf(this.archiveTarget),
        }),
      );
    } catch (error) {
      if (!hasErrorCode(error, 'PreconditionFailed')) throw error;
    }
    return true;
  }

  async release(id: string, claimToken: string, error: ErrorDescription): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [AUDIT_TABLE.partitionKey]: id },
          UpdateExpression: 'SET #leaseUntil = :zero, #lastError = :error',
          ConditionExpression: AUDIT_CONDITIONS.release,
          ExpressionAttributeNames: { '#leaseUntil': 'leaseUntil', '#lastError': 'lastError', '#claimToken': 'claimToken' },
          ExpressionAttributeValues: { ':zero': 0, ':error': error, ':token': claimToken },
        }),
      );
    } catch (failure) {
      if (!isConditionFailure(failure)) throw failure;
    }
  }

  async markUndelivered(id: string, deliveries: readonly Delivery[]): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [AUDIT_TABLE.partitionKey]: id },
        UpdateExpression: 'SET #undelivered = :undelivered',
        ConditionExpression: AUDIT_CONDITIONS.exists,
        ExpressionAttributeNames: { '#undelivered': 'undelivered', '#id': AUDIT_TABLE.partitionKey },
        ExpressionAttributeValues: { ':undelivered': [...deliveries] },
      }),
    );
  }

  async clearUndelivered(id: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [AUDIT_TABLE.partitionKey]: id },
        UpdateExpression: 'REMOVE #undelivered',
        ConditionExpression: AUDIT_CONDITIONS.exists,
        ExpressionAttributeNames: { '#undelivered': 'undelivered', '#id': AUDIT_TABLE.partitionKey },
      }),
    );
  }

  async noteFindingNotImported(id: string, detail: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [AUDIT_TABLE.partitionKey]: id },
        UpdateExpression: 'SET #note = :note',
        ConditionExpression: AUDIT_CONDITIONS.exists,
        ExpressionAttributeNames: { '#note': FINDING_NOT_IMPORTED_ATTRIBUTE, '#id': AUDIT_TABLE.partitionKey },
        ExpressionAttributeValues: { ':note': detail },
      }),
    );
  }

  private async updateAsHolder(id: string, claimToken: string, values: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = { '#claimToken': 'claimToken', '#finishedAt': 'finishedAt' };
    const expressionValues: Record<string, unknown> = { ':token': claimToken };
    const assignments = Object.entries(values).map(([key, value], index) => {
      names[`#f${index}`] = key;
      expressionValues[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [AUDIT_TABLE.partitionKey]: id },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: AUDIT_CONDITIONS.holder,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: expressionValues,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ClaimLostError(id, { cause: error });
      throw error;
    }
  }
}

/** The lock headers of a copy written now to `target`: `lock` first, then `retentionDays` (COMPLIANCE), else none. */
function archiveLockOf(target: ArchiveTarget): Partial<ReturnType<typeof archiveLock>> {
  const now = (target.now ?? Date.now)();
  if (target.lock !== undefined) return archiveLockFor(target.lock, now) ?? {};
  return target.retentionDays !== undefined ? archiveLock(target.retentionDays, now) : {};
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || hasErrorCode(error, 'ConditionalCheckFailedException');
}

/** The audit item attribute that says why the record's Security Hub finding was not imported. */
export const FINDING_NOT_IMPORTED_ATTRIBUTE = 'findingNotImported';

const DELIVERIES: readonly Delivery[] = ['alert', 'archive', 'account-level-change', 'outcome-event', 'finding'];

/** The claim attribute holding what a holder saved right after containing the bucket. */
export const SAVED_CONTAINMENT_ATTRIBUTE = 'savedContainment';

/** The containment an earlier holder saved on its claim, if the old (unfinished) item carries one. */
function containmentOf(old: Record<string, unknown> | undefined): SavedContainment | undefined {
  const saved = old?.[SAVED_CONTAINMENT_ATTRIBUTE];
  if (saved === undefined || saved === null || typeof saved !== 'object' || old?.finishedAt !== undefined) return undefined;
  const candidate = saved as Partial<SavedContainment>;
  if (typeof candidate.containedAt !== 'string' || typeof candidate.verdict !== 'object' || candidate.verdict === null || !Array.isArray(candidate.actions)) return undefined;
  return saved as SavedContainment;
}

/** The pending record an earlier holder saved on its claim, if the old item carries one. */
function pendingOf(old: Record<string, unknown> | undefined): PendingRecord | undefined {
  const saved = old?.pendingRecord;
  if (saved === undefined || saved === null || typeof saved !== 'object' || old?.finishedAt !== undefined) return undefined;
  const listed = Array.isArray(old?.pendingUndelivered) ? (old.pendingUndelivered as unknown[]) : [];
  return {
    record: recordFromItem(saved as Record<string, unknown>),
    undelivered: DELIVERIES.filter((delivery) => listed.includes(delivery)),
  };
}
