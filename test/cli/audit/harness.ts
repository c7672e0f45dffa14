/**
 * The AWS world the audit commands run against in tests: the audit and exemptions tables (in memory, with
 * the audit table's indexes), the stateful S3 fake for customer buckets plus the archive bucket's objects,
 * and the stack's outputs from CloudFormation. Everything goes through aws-sdk-client-mock mocks.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { archiveWriteRules } from '../../../lambda/shared/audit/archive-lock';
import { canonicalJson, type AuditRecord } from '../../../lambda/shared/audit/record';
import { AUDIT_TABLE, archiveKeyFor } from '../../../lambda/shared/audit/table-schema';
import type { AuditCommandDeps } from '../../../cli/audit/context';
import type { CallerIdentity } from '../../../cli/audit/operator-records';
import { S3Fake, type BucketInit } from '../../fakes/s3-fake';
import type { FakeStub } from '../../fakes/call-log';
import { DynamoTables } from './dynamo-tables';
import { itemOf } from './records';

export const AUDIT_TABLE_NAME = 'BucketGuardrail-AuditTable-1ABC';
export const EXEMPTIONS_TABLE_NAME = 'BucketGuardrail-ExemptionsTable-9XYZ';
export const ARCHIVE_BUCKET = 'bucketguardrail-auditarchive-1q2w3e';
export const HOME_REGION = 'us-east-1';
export const ENV = { AWS_REGION: HOME_REGION };
/** How the stack locks archive copies (its AuditArchiveLockMode and AuditArchiveRetentionDays outputs). */
export const ARCHIVE_LOCK = { mode: 'COMPLIANCE', retentionDays: 365 } as const;

export const OPERATOR: CallerIdentity = {
  arn: 'arn:aws:sts::111122223333:assumed-role/OnCallEngineer/dave',
  account: '111122223333',
  userId: 'AROAONCALLEXAMPLE:dave',
};

const mockS3 = () => mockClient(S3Client);
const mockCloudFormation = () => mockClient(CloudFormationClient);

export interface AuditWorld {
  readonly tables: DynamoTables;
  readonly s3: S3Fake;
  readonly s3Mock: ReturnType<typeof mockS3>;
  readonly cloudFormation: ReturnType<typeof mockCloudFormation>;
  /** Stores a record as the remediator does: the item in the table and the canonical JSON in the archive. */
  store(record: AuditRecord, options?: { archive?: boolean }): void;
  archiveBody(key: string): string | undefined;
  /**
   * Adds a newer version over an archive key, as anyone with s3:PutObject could without the bucket policy's
   * If-None-Match rule (`body: null` adds a delete marker). Object Lock keeps the earlier versions.
   */
  rewriteArchive(key: string, body: string | null, at: string): void;
  /**
   * The Object Lock retention GetObject reports per archive key. @default - COMPLIANCE until 2027-11-01 (a
   * year after the first write), as the archive bucket's default retention sets it
   */
  readonly archiveLock: Map<string, { readonly ObjectLockMode?: string; readonly ObjectLockRetainUntilDate?: Date }>;
  deps(now: string): Partial<AuditCommandDeps>;
  restore(): void;
}

export function createAuditWorld(options: { pageSize?: number; listPageSize?: number } = {}): AuditWorld {
  const byIndex = AUDIT_TABLE.indexes;
  const tables = new DynamoTables(
    {
      [AUDIT_TABLE_NAME]: {
        partitionKey: AUDIT_TABLE.partitionKey,
        indexes: {
          [byIndex.byBucket.name]: { partitionKey: byIndex.byBucket.partitionKey, sortKey: AUDIT_TABLE.timeAttribute },
          [byIndex.byOutcome.name]: { partitionKey: byIndex.byOutcome.partitionKey, sortKey: AUDIT_TABLE.timeAttribute },
          [byIndex.byDay.name]: { partitionKey: byIndex.byDay.partitionKey, sortKey: AUDIT_TABLE.timeAttribute },
        },
      },
      [EXEMPTIONS_TABLE_NAME]: { partitionKey: 'bucket' },
    },
    options.pageSize,
  );
  const s3 = new S3Fake();
  const s3Mock = mockS3();
  const controlMock = mockClient(S3ControlClient);
  s3.install(s3Mock as unknown as FakeStub, controlMock as unknown as FakeStub);
  // The archive's bucket policy as the stack writes it (lib/audit-trail.ts): create-only writes, each carrying the
  // deployment's lock (COMPLIANCE, ARCHIVE_RETENTION_DAYS); S3 counts the days left with the commands' clock.
  const archiveClock = { now: Date.now() };
  s3.addBucket(ARCHIVE_BUCKET, {
    region: HOME_REGION,
    putDenyRules: [{ sid: 'DenyPutWithoutIfNoneMatch', conditions: { Null: { 's3:if-none-match': 'true' } } }, ...archiveWriteRules(ARCHIVE_LOCK)],
    clock: () => archiveClock.now,
  });
  const objects = () => s3.bucket(ARCHIVE_BUCKET).objects;

  // Version history of the archive's keys, oldest first. A key written only through store() or PutObject has
  // one version, synthesised from the current object; rewriteArchive() records the history explicitly.
  interface Version {
    readonly versionId: string;
    readonly lastModified: Date;
    readonly body: string | null;
  }
  const history = new Map<string, Version[]>();
  const FIRST_WRITE = new Date('2026-11-01T00:00:00Z');
  const versionsOf = (key: string): Version[] => {
    const recorded = history.get(key);
    if (recorded !== undefined) {
      return recorded;
    }
    const object = objects().get(key);
    return object === undefined ? [] : [{ versionId: `${key}#v1`, lastModified: FIRST_WRITE, body: object.body }];
  };
  const s3Error = (name: string, status: number, message: string) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

  const archiveLock: AuditWorld['archiveLock'] = new Map();
  const lockOf = (key: string) => {
    const written = objects().get(key)?.lock;
    return archiveLock.get(key) ?? (written !== undefined ? { ObjectLockMode: written.mode, ObjectLockRetainUntilDate: written.retainUntil } : { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date('2027-11-01T00:00:00Z') });
  };
  s3Mock.on(GetObjectCommand).callsFake((input) => {
    const key = String(input.Key);
    if (input.Bucket === ARCHIVE_BUCKET && input.VersionId !== undefined) {
      const version = versionsOf(key).find((candidate) => candidate.versionId === input.VersionId);
      if (version === undefined) {
        throw s3Error('NoSuchVersion', 404, 'The specified version does not exist.');
      }
      if (version.body === null) {
        throw s3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
      }
      const body = version.body;
      return { Body: { transformToString: async () => body }, ...lockOf(key), VersionId: version.versionId };
    }
    const object = input.Bucket === ARCHIVE_BUCKET ? objects().get(key) : undefined;
    if (!object) {
      throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    }
    return { Body: { transformToString: async () => object.body }, ...lockOf(key), ContentType: object.contentType };
  });
  const listPageSize = options.listPageSize ?? 1000;
  s3Mock.on(ListObjectVersionsCommand).callsFake((input) => {
    const prefix = String(input.Prefix ?? '');
    const keys = [...new Set([...objects().keys(), ...history.keys()])].filter((key) => key.startsWith(prefix)).sort();
    // S3 order: keys ascending, each key's versions newest first.
    const entries = keys.flatMap((key) => [...versionsOf(key)].reverse().map((version, index) => ({ key, version, latest: index === 0 })));
    const start = input.KeyMarker === undefined ? 0 : entries.findIndex((entry) => entry.key === input.KeyMarker && entry.version.versionId === input.VersionIdMarker) + 1;
    const page = entries.slice(start, start + listPageSize);
    const truncated = start + listPageSize < entries.length;
    const last = page[page.length - 1];
    const shape = (entry: (typeof entries)[number]) => ({ Key: entry.key, VersionId: entry.version.versionId, LastModified: entry.version.lastModified, IsLatest: entry.latest });
    return {
      Versions: page.filter((entry) => entry.version.body !== null).map(shape),
      DeleteMarkers: page.filter((entry) => entry.version.body === null).map(shape),
      IsTruncated: truncated,
      ...(truncated && last !== undefined ? { NextKeyMarker: last.key, NextVersionIdMarker: last.version.versionId } : {}),
    };
  });
  s3Mock.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects().keys()].filter((key) => key.startsWith(String(input.Prefix ?? ''))).sort();
    const start = input.ContinuationToken === undefined ? 0 : keys.indexOf(String(input.ContinuationToken)) + 1;
    const page = keys.slice(start, start + listPageSize);
    const truncated = start + listPageSize < keys.length;
    return { Contents: page.map((Key) => ({ Key })), IsTruncated: truncated, ...(truncated ? { NextContinuationToken: page[page.length - 1] } : {}) };
  });

  const cloudFormation = mockCloudFormation();
  cloudFormation
    .on(DescribeStacksCommand)
    .callsFake((input: { StackName?: string }) => {
      throw Object.assign(new Error(`Stack with id ${String(input.StackName)} does not exist`), { name: 'ValidationError' });
    });
  cloudFormation.on(DescribeStacksCommand, { StackName: 'BucketGuardrail' }).resolves({
    Stacks: [
      {
        StackName: 'BucketGuardrail',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-10-01T00:00:00Z'),
        Outputs: [
          { OutputKey: 'AuditTableName', OutputValue: AUDIT_TABLE_NAME },
          { OutputKey: 'AuditArchiveBucketName', OutputValue: ARCHIVE_BUCKET },
          { OutputKey: 'ExemptionsTableName', OutputValue: EXEMPTIONS_TABLE_NAME },
          { OutputKey: 'AuditArchiveLockMode', OutputValue: ARCHIVE_LOCK.mode },
          { OutputKey: 'AuditArchiveRetentionDays', OutputValue: String(ARCHIVE_LOCK.retentionDays) },
          { OutputKey: 'AlertTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111122223333:BucketGuardrail-Alerts' },
        ],
      },
    ],
  });

  let ids = 0;
  return {
    tables,
    s3,
    s3Mock,
    cloudFormation,
    archiveLock,
    store(record, storeOptions = {}) {
      tables.put(AUDIT_TABLE_NAME, itemOf(record));
      if (storeOptions.archive !== false) {
        objects().set(archiveKeyFor(record.id, record.eventTime), { body: canonicalJson(record), contentType: 'application/json' });
      }
    },
    archiveBody(key) {
      return objects().get(key)?.body;
    },
    rewriteArchive(key, body, at) {
      const versions = [...versionsOf(key)];
      versions.push({ versionId: `${key}#v${versions.length + 1}`, lastModified: new Date(at), body });
      history.set(key, versions);
      if (body === null) {
        objects().delete(key);
      } else {
        objects().set(key, { body, contentType: 'application/json' });
      }
    },
    deps(now) {
      archiveClock.now = Date.parse(now);
      return { now: () => new Date(now), callerIdentity: async () => OPERATOR, newId: () => `op-test-${++ids}` };
    },
    restore() {
      tables.restore();
      s3Mock.restore();
      controlMock.restore();
      cloudFormation.restore();
    },
  };
}

/** Adds a customer bucket in the state a record's remediation left it. */
export function bucketAfter(world: AuditWorld, record: AuditRecord, overrides: BucketInit = {}): void {
  const after = record.after ?? {};
  world.s3.addBucket(record.bucket ?? '', {
    account: record.account,
    region: record.region,
    acl: after.acl as BucketInit['acl'],
    policy: after.policy ?? null,
    publicAccessBlock: after.bucketPublicAccessBlock ?? null,
    ownership: after.ownership ?? null,
    ...overrides,
  });
}
