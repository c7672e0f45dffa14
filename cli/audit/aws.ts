/**
 * The CLI's AWS calls for the audit commands, each a small function over an SDK client so the commands stay
 * readable and the tests can assert the exact requests. No decisions here: those are in the pure modules.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hasErrorCode } from '../../lambda/shared/aws/errors';
import { archiveLockFor, type ArchiveLockSettings } from '../../lambda/shared/audit/archive-lock';
import { canonicalJson, toAuditItem, type AuditItem, type AuditRecord } from '../../lambda/shared/audit/record';
import { AUDIT_TABLE, archiveKeyFor } from '../../lambda/shared/audit/table-schema';
import type { ObjectOwnership } from '../../lambda/shared/exposure/types';
import type { StoredAuditRecord } from './operator-records';
import type { AuditQuery } from './query-plan';
import type { CurrentBucketState, RestoreCall } from './restore-plan';
import type { StackOutput } from './stack-outputs';
import type { ArchiveCopy, ArchiveVersion } from './verify-records';

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** DescribeStacks → the stack's outputs. */
export async function describeStackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<readonly StackOutput[]> {
  const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = response.Stacks?.[0];
  if (!stack) {
    throw new Error(`stack ${stackName} not found`);
  }
  return stack.Outputs ?? [];
}

/** Every item the planned queries return, following LastEvaluatedKey; query order is kept. */
export async function queryAll(client: DynamoDBDocumentClient, queries: readonly AuditQuery[], concurrency = 8): Promise<Record<string, unknown>[]> {
  const pages = await mapLimit(queries, concurrency, async (query) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...query, ExclusiveStartKey: startKey }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  });
  return pages.flat();
}

/** One audit item by id (strongly consistent), or undefined. */
export async function getAuditItem(client: DynamoDBDocumentClient, tableName: string, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await client.send(new GetCommand({ TableName: tableName, Key: { [AUDIT_TABLE.partitionKey]: id }, ConsistentRead: true }));
  return response.Item as Record<string, unknown> | undefined;
}

/**
 * Every version and delete marker of exactly `key`, oldest first (ListObjectVersions with the key as prefix,
 * following KeyMarker / VersionIdMarker). Object Lock protects versions, not keys: more than one entry means
 * someone wrote over, or deleted, the write-once copy.
 */
export async function listArchiveVersions(s3: S3Client, bucket: string, key: string): Promise<ArchiveVersion[]> {
  const newestFirst: ArchiveVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    const entries = [
      ...(page.Versions ?? []).map((version) => ({ entry: version, deleteMarker: false })),
      ...(page.DeleteMarkers ?? []).map((marker) => ({ entry: marker, deleteMarker: true })),
    ];
    for (const { entry, deleteMarker } of entries) {
      if (entry.Key === key && typeof entry.VersionId === 'string') {
        newestFirst.push({
          versionId: entry.VersionId,
          lastModified: entry.LastModified instanceof Date ? entry.LastModified.toISOString() : '(unknown time)',
          ...(deleteMarker ? { deleteMarker: true } : {}),
        });
      }
    }
    const truncated = page.IsTruncated === true;
    keyMarker = truncated ? page.NextKeyMarker : undefined;
    versionIdMarker = truncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  // S3 lists a key's versions newest first; reversing keeps that order for equal timestamps.
  return newestFirst.reverse().sort((a, b) => Date.parse(a.lastModified) - Date.parse(b.lastModified));
}

/**
 * The FIRST version of an archive copy, with every version of its key: what the guardrail wrote, not whatever
 * was put over it later. No version at all (or delete markers only) is `body: null`.
 */
export async function readFirstArchiveVersion(s3: S3Client, bucket: string, key: string): Promise<ArchiveCopy> {
  const versions = await listArchiveVersions(s3, bucket, key);
  const first = versions.find((version) => version.deleteMarker !== true);
  if (first === undefined) {
    return { body: null, versions };
  }
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: first.versionId }));
  const body = response.Body ? await response.Body.transformToString('utf-8') : '';
  const retainUntil = response.ObjectLockRetainUntilDate instanceof Date ? response.ObjectLockRetainUntilDate.toISOString() : undefined;
  return {
    body,
    versions,
    ...(response.ObjectLockMode ? { lockMode: response.ObjectLockMode } : {}),
    lock: { ...(response.ObjectLockMode ? { mode: response.ObjectLockMode } : {}), ...(retainUntil !== undefined ? { retainUntil } : {}) },
  };
}

/** Every key under a prefix, following ContinuationToken. */
export async function listArchiveKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key).filter((key): key is string => typeof key === 'string'));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/**
 * The DynamoDB item of any record. Operator records are audit records with the values of
 * OperatorAuditRecord admitted; the derivation (day, hash, archive key) is record.ts's own.
 */
export function itemOf(record: StoredAuditRecord): AuditItem {
  return toAuditItem(record as AuditRecord);
}

/**
 * The write-once copy: the record's canonical JSON under its archive key, with the deployment's Object Lock mode and
 * a retain-until date `lock` gives (the archive's bucket policy refuses a copy without them; no `lock`: a stack that
 * does not say, whose bucket's default retention locks the copy). Create-only (`If-None-Match: *`, which the bucket
 * policy also requires): a 412 PreconditionFailed means the copy is already there (a retried write of the same
 * record, whose id is new), so it is not written twice.
 */
export async function putArchiveCopy(s3: S3Client, bucket: string, record: StoredAuditRecord, lock?: ArchiveLockSettings, nowMs: number = Date.now()): Promise<string> {
  const key = archiveKeyFor(record.id, record.eventTime);
  const headers = lock !== undefined ? archiveLockFor(lock, nowMs) : undefined;
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: canonicalJson(record),
        ContentType: 'application/json',
        ChecksumAlgorithm: 'SHA256',
        IfNoneMatch: '*',
        ...(headers ?? {}),
      }),
    );
  } catch (error) {
    if (!hasErrorCode(error, 'PreconditionFailed')) {
      throw error;
    }
  }
  return key;
}

/** Writes an operator record to the table (never over an existing id), optionally in one transaction with another write. */
export async function writeAuditItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  record: StoredAuditRecord,
  alongside?: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number],
): Promise<void> {
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        ...(alongside ? [alongside] : []),
        {
          Put: {
            TableName: tableName,
            Item: itemOf(record),
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': AUDIT_TABLE.partitionKey },
          },
        },
      ],
    }),
  );
}

/** Reads a bucket's ACL, policy, Block Public Access and Object Ownership in parallel; "none configured" is null. */
export async function readBucketState(s3: S3Client, bucket: string, account: string): Promise<CurrentBucketState> {
  const owner = { Bucket: bucket, ExpectedBucketOwner: account };
  const absentOn = async <T>(read: () => Promise<T>, ...codes: string[]): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      if (hasErrorCode(error, ...codes)) {
        return null;
      }
      throw error;
    }
  };
  const [acl, policy, block, ownership] = await Promise.all([
    s3.send(new GetBucketAclCommand(owner)),
    absentOn(async () => (await s3.send(new GetBucketPolicyCommand(owner))).Policy ?? null, 'NoSuchBucketPolicy'),
    absentOn(async () => (await s3.send(new GetPublicAccessBlockCommand(owner))).PublicAccessBlockConfiguration ?? null, 'NoSuchPublicAccessBlockConfiguration'),
    absentOn(
      async () => ((await s3.send(new GetBucketOwnershipControlsCommand(owner))).OwnershipControls?.Rules?.[0]?.ObjectOwnership as ObjectOwnership | undefined) ?? null,
      'OwnershipControlsNotFoundError',
    ),
  ]);
  return {
    acl: { ...(acl.Owner ? { Owner: acl.Owner } : {}), Grants: acl.Grants ?? [] },
    policy,
    bucketPublicAccessBlock: block,
    ownership,
  };
}

/** Sends one planned restore call. */
export async function sendRestoreCall(s3: S3Client, call: RestoreCall): Promise<void> {
  switch (call.api) {
    case 'PutBucketPublicAccessBlock':
      await s3.send(new PutPublicAccessBlockCommand(call.input));
      return;
    case 'DeleteBucketPublicAccessBlock':
      await s3.send(new DeletePublicAccessBlockCommand(call.input));
      return;
    case 'PutBucketPolicy':
      await s3.send(new PutBucketPolicyCommand(call.input));
      return;
    case 'PutBucketAcl':
      await s3.send(
        new PutBucketAclCommand({
          ...call.input,
          AccessControlPolicy: {
            ...(call.input.AccessControlPolicy.Owner ? { Owner: call.input.AccessControlPolicy.Owner } : {}),
            Grants: call.input.AccessControlPolicy.Grants.map((grant) => ({
              ...(grant.Grantee ? { Grantee: { ...grant.Grantee, Type: grant.Grantee.Type as 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail' } } : {}),
              ...(grant.Permission ? { Permission: grant.Permission as 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' } : {}),
            })),
          },
        }),
      );
      return;
  }
}
