import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_CONDITIONS, ClaimLostError, DynamoAuditStore, type ArchiveTarget } from '../../../../lambda/remediate/adapters/audit-store';
import { archiveWriteRules, type ArchiveLockSettings } from '../../../../lambda/shared/audit/archive-lock';
import type { AuditClaim } from '../../../../lambda/remediate/ports';
import { canonicalJson, itemMatchesHash, sha256Hex } from '../../../../lambda/shared/audit/record';
import { installAwsFakes, type AwsFakes } from '../../../fakes/aws-fakes';
import { sampleRecord } from '../sample-record';

const TABLE = 'bucket-guardrail-audit';
const ARCHIVE = 'guardrail-audit-archive';
const RECEIVED = Date.parse('2025-03-04T10:15:33Z');

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ tableName: TABLE });
  fakes.s3.addBucket(ARCHIVE, { account: '111122223333', region: 'eu-west-1' });
});

afterEach(() => fakes.restore());

function store(archive = true): DynamoAuditStore {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  return new DynamoAuditStore(documents, TABLE, archive ? { s3: new S3Client({ region: 'eu-west-1' }), bucket: ARCHIVE, expectedOwner: '111122223333' } : undefined);
}

function claim(overrides: Partial<AuditClaim> = {}): AuditClaim {
  const record = sampleRecord();
  return {
    id: record.id,
    claimToken: 'token-a',
    leaseUntil: RECEIVED + 60_000,
    trigger: 'event',
    scope: 'bucket',
    eventTime: record.eventTime,
    receivedAt: new Date(RECEIVED).toISOString(),
    account: record.account,
    region: record.region,
    bucket: record.bucket,
    eventId: record.eventId,
    eventName: record.eventName,
    ...overrides,
  };
}

describe('the audit claim', () => {
  it('is conditional on the id not existing yet', async () => {
    // GIVEN an empty table WHEN the id is claimed
    expect(await store().claim(claim())).toEqual({ claimed: true });

    // THEN the item holds the claim and the keys the indexes need, and the put was conditional
    const item = fakes.table.items.get(sampleRecord().id);
    expect(item).toMatchObject({ id: sampleRecord().id, claimToken: 'token-a', phase: 'claimed', eventTime: '2025-03-04T10:15:30Z', day: '2025-03-04', bucket: 'guardrail-demo-data' });
    expect(fakes.log.find('dynamodb', 'Update')[0]?.input.ConditionExpression).toBe(AUDIT_CONDITIONS.claim);
  });

  it('tells a second claimant the work is in progress while the lease runs', async () => {
    await store().claim(claim());
    expect(await store().claim(claim({ claimToken: 'token-b' }))).toEqual({ claimed: false, existing: { status: 'in-progress' } });
  });

  it('lets a retry take over a claim whose lease ran out', async () => {
    // GIVEN a claim whose holder died, its lease ending before the retry arrives
    await store().claim(claim({ leaseUntil: RECEIVED + 1_000 }));

    // WHEN the retry claims after the lease
    const result = await store().claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 5_000).toISOString() }));

    // THEN it holds the claim now
    expect(result).toEqual({ claimed: true });
    expect(fakes.table.items.get(sampleRecord().id)?.claimToken).toBe('token-b');
  });

  it('returns the finished record, and what was not delivered, to a later claimant', async () => {
    // GIVEN a completed record whose alert failed
    const audit = store();
    await audit.claim(claim());
    await audit.complete(sampleRecord(), 'token-a');
    await audit.markUndelivered(sampleRecord().id, ['alert']);

    // WHEN the event is delivered again
    const result = await audit.claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 600_000).toISOString() }));

    // THEN the stored record comes back as it was written
    expect(result).toEqual({ claimed: false, existing: { status: 'finished', record: sampleRecord(), undelivered: ['alert'] } });
  });
});

describe('completing a record', () => {
  it('replaces the claim with the record and its derived attributes', async () => {
    // GIVEN a claim WHEN the record is completed
    const audit = store();
    await audit.claim(claim());
    await audit.complete(sampleRecord(), 'token-a');

    // THEN the item is the record plus day, hash and archive key, and nothing of the claim
    const item = fakes.table.items.get(sampleRecord().id) ?? {};
    expect(item).toEqual({
      ...sampleRecord(),
      day: '2025-03-04',
      recordSha256: sha256Hex(canonicalJson(sampleRecord())),
      archiveKey: `audit/2025/03/04/${sampleRecord().id}.json`,
    });
    expect(itemMatchesHash(item)).toBe(true);
  });

  it('refuses to complete a claim that is no longer this invocation\'s', async () => {
    const audit = store();
    await audit.claim(claim());
    await expect(audit.complete(sampleRecord(), 'token-other')).rejects.toThrow(ClaimLostError);
  });

  it('saves what the strip strategy will remove onto the claim, only for its holder', async () => {
    // GIVEN a claim
    const audit = store();
    await audit.claim(claim());
    const removed = { aclGrants: [], policyStatements: [{ index: 0, statement: { Sid: 'PublicRead' } }], policyDeleted: true };

    // WHEN the holder and a stranger save progress
    await audit.saveRemovalProgress(sampleRecord().id, 'token-a', { removed, actions: [] });
    const stranger = audit.saveRemovalProgress(sampleRecord().id, 'token-x', { removed, actions: [] });

    // THEN only the holder's write lands
    await expect(stranger).rejects.toThrow(ClaimLostError);
    expect(fakes.table.items.get(sampleRecord().id)).toMatchObject({ phase: 'removing', removed });
  });

  it('keeps what the earlier holder saved when a retry takes its claim over', async () => {
    // GIVEN a claim holding the removal text, released after an unexpected error
    const audit = store();
    await audit.claim(claim());
    const removed = { aclGrants: [], policyStatements: [{ index: 0, statement: { Sid: 'PublicRead' } }], policyDeleted: false };
    await audit.saveRemovalProgress(sampleRecord().id, 'token-a', { removed, actions: [] });
    await audit.release(sampleRecord().id, 'token-a', { name: 'InternalError', message: 'boom' });

    // WHEN the retry takes the claim over
    const retry = await audit.claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 1_000).toISOString() }));

    // THEN it holds the claim, and the removal text is still on the item
    expect(retry).toEqual({ claimed: true });
    expect(fakes.table.items.get(sampleRecord().id)).toMatchObject({ claimToken: 'token-b', phase: 'claimed', removed });
  });

  it('hands a finished record saved on the claim to the next claimant at once, and only its holder can save one', async () => {
    // GIVEN a claim with a long lease whose holder could not complete its record
    const audit = store();
    await audit.claim(claim({ leaseUntil: RECEIVED + 900_000 }));
    const stranger = audit.savePending(sampleRecord().id, 'token-x', { record: sampleRecord(), undelivered: [] });
    await audit.savePending(sampleRecord().id, 'token-a', { record: sampleRecord(), undelivered: ['archive'] });

    // WHEN the retry claims a second later
    const retry = await audit.claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 1_000).toISOString() }));

    // THEN the stranger was refused, and the retry holds the claim with the saved record and what was not delivered
    await expect(stranger).rejects.toThrow(ClaimLostError);
    expect(retry).toEqual({ claimed: true, pending: { record: sampleRecord(), undelivered: ['archive'] } });
  });

  it('saves the verdict and the containment on the claim for its holder only, and hands them to the claimant after a crash', async () => {
    // GIVEN a claim whose holder contained the bucket and saved what it found and did, then died (its lease ran out)
    const audit = store();
    await audit.claim(claim());
    const record = sampleRecord();
    const containment = { containedAt: record.containedAt as string, verdict: record.verdict!, before: record.before!, severity: record.severity, actions: record.actions };
    const stranger = audit.saveContainment(record.id, 'token-x', containment);
    await audit.saveContainment(record.id, 'token-a', containment);

    // WHEN Lambda's retry claims after the lease
    const retry = await audit.claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 61_000).toISOString() }));

    // THEN the stranger was refused, the claim said "contained", and the retry got the containment back
    await expect(stranger).rejects.toThrow(ClaimLostError);
    expect(retry).toEqual({ claimed: true, contained: containment });
    expect(fakes.table.items.get(record.id)).toMatchObject({ claimToken: 'token-b', containedAt: record.containedAt });
  });

  it('releases a claim after an unexpected error so the retry can start at once', async () => {
    // GIVEN a claim with a long lease
    const audit = store();
    await audit.claim(claim({ leaseUntil: RECEIVED + 900_000 }));

    // WHEN it is released, and the retry claims a second later
    await audit.release(sampleRecord().id, 'token-a', { name: 'InternalError', message: 'boom' });
    const retry = await audit.claim(claim({ claimToken: 'token-b', receivedAt: new Date(RECEIVED + 1_000).toISOString() }));

    // THEN the retry holds it
    expect(retry).toEqual({ claimed: true });
  });

  it('ignores a release by an invocation that no longer holds the claim', async () => {
    const audit = store();
    await audit.claim(claim());
    await expect(audit.release(sampleRecord().id, 'token-x', { name: 'E', message: 'm' })).resolves.toBeUndefined();
    expect(fakes.table.items.get(sampleRecord().id)?.leaseUntil).toBe(RECEIVED + 60_000);
  });
});

describe('the write-once archive copy', () => {
  it('puts the canonical JSON under the key its DynamoDB twin names, with a SHA-256 checksum and the expected owner', async () => {
    // GIVEN a record WHEN archived
    expect(await store().archive(sampleRecord())).toBe(true);

    // THEN the archive holds the canonical JSON at the derived key
    const put = fakes.log.find('s3', 'PutObject')[0]?.input;
    expect(put).toMatchObject({
      Bucket: ARCHIVE,
      Key: `audit/2025/03/04/${sampleRecord().id}.json`,
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
      ExpectedBucketOwner: '111122223333',
    });
    expect(fakes.s3.bucket(ARCHIVE).objects.get(`audit/2025/03/04/${sampleRecord().id}.json`)?.body).toBe(canonicalJson(sampleRecord()));
  });

  it('writes the copy under explicit COMPLIANCE retention until the retention period after the write, when configured', async () => {
    // GIVEN an archive with a 400-day retention and a clock at the time of writing
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
    const writtenAt = Date.parse('2025-03-04T10:15:34Z');
    const audit = new DynamoAuditStore(documents, TABLE, { s3: new S3Client({ region: 'eu-west-1' }), bucket: ARCHIVE, expectedOwner: '111122223333', retentionDays: 400, now: () => writtenAt });
    // WHEN a record is archived
    await audit.archive(sampleRecord());
    // THEN the write names the mode and the retain-until date itself, not relying on the bucket's default
    expect(fakes.log.find('s3', 'PutObject')[0]?.input).toMatchObject({
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date(writtenAt + 400 * 86_400_000),
    });
  });

  describe("under the archive's bucket policy (the deployment's lock required of every write)", () => {
    const writtenAt = Date.parse('2025-03-04T10:15:34Z');
    const key = `audit/2025/03/04/${sampleRecord().id}.json`;
    const lockedArchive = (settings: ArchiveLockSettings): void => {
      fakes.s3.addBucket(ARCHIVE, { account: '111122223333', region: 'eu-west-1', putDenyRules: archiveWriteRules(settings), clock: () => writtenAt + 120 });
    };
    const storeWith = (target: Partial<ArchiveTarget>): DynamoAuditStore =>
      new DynamoAuditStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), TABLE, {
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: ARCHIVE,
        expectedOwner: '111122223333',
        now: () => writtenAt,
        ...target,
      });

    it.each([
      ['COMPLIANCE', { mode: 'COMPLIANCE', retentionDays: 365 }],
      ['GOVERNANCE', { mode: 'GOVERNANCE', retentionDays: 7 }],
    ] as const)('writes a %s copy the policy accepts, locked the retention from the write', async (mode, settings) => {
      // GIVEN an archive whose policy requires the deployment's mode and retention
      lockedArchive(settings);
      // WHEN a record is archived with the deployment's lock
      expect(await storeWith({ lock: settings }).archive(sampleRecord())).toBe(true);
      // THEN the copy is there, under that mode until the retention after the write
      expect(fakes.s3.bucket(ARCHIVE).objects.get(key)?.lock).toEqual({ mode, retainUntil: new Date(writtenAt + settings.retentionDays * 86_400_000) });
    });

    it('is refused without the lock headers: a copy never relies on the default retention', async () => {
      lockedArchive({ mode: 'COMPLIANCE', retentionDays: 365 });
      await expect(storeWith({}).archive(sampleRecord())).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(fakes.s3.bucket(ARCHIVE).objects.has(key)).toBe(false);
    });

    it('is refused in another mode than the policy requires', async () => {
      lockedArchive({ mode: 'COMPLIANCE', retentionDays: 365 });
      await expect(storeWith({ lock: { mode: 'GOVERNANCE', retentionDays: 365 } }).archive(sampleRecord())).rejects.toThrow(/DenyPutWithoutArchiveLockMode/);
    });

    it('sends no lock headers when the deployment locks nothing (NONE), and the policy asks for none', async () => {
      lockedArchive({ mode: 'NONE' });
      expect(await storeWith({ lock: { mode: 'NONE' }, retentionDays: 365 }).archive(sampleRecord())).toBe(true);
      const put = fakes.log.find('s3', 'PutObject')[0]?.input ?? {};
      expect(put).not.toHaveProperty('ObjectLockMode');
      expect(put).not.toHaveProperty('ObjectLockRetainUntilDate');
    });
  });

  it('never replaces a copy already under the key: the first write is the only one', async () => {
    // GIVEN a copy already archived under the record's key
    const key = `audit/2025/03/04/${sampleRecord().id}.json`;
    expect(await store().archive(sampleRecord())).toBe(true);

    // WHEN the same id is archived again with different content (a retry, or someone trying to overwrite it)
    const altered = { ...sampleRecord(), reason: 'rewritten afterwards' };
    const again = await store().archive(altered);

    // THEN the write is refused by its precondition, treated as already archived, and the first copy stays
    expect(again).toBe(true);
    expect(fakes.log.find('s3', 'PutObject')).toHaveLength(2);
    expect(fakes.s3.bucket(ARCHIVE).objects.get(key)?.body).toBe(canonicalJson(sampleRecord()));
  });

  it('passes on any other archive error', async () => {
    // GIVEN an archive bucket that refuses writes
    fakes.s3.injectError({ command: 'PutObject', bucket: ARCHIVE }, 'AccessDenied');
    // WHEN archived THEN the error reaches the caller (the pipeline records it as undelivered)
    await expect(store().archive(sampleRecord())).rejects.toThrow();
  });

  it('writes nothing when no archive bucket is configured', async () => {
    expect(await store(false).archive(sampleRecord())).toBe(false);
    expect(fakes.log.find('s3', 'PutObject')).toHaveLength(0);
  });
});

describe('finding what is stored under an id, without writing', () => {
  it('finds nothing, then a claim in progress, then the finished record with its undelivered parts', async () => {
    // GIVEN a store and a record id
    const audit = store();
    const record = sampleRecord();

    // WHEN it is looked up before the claim, during the work and after it, with an alert left undelivered
    const before = await audit.find(record.id);
    await audit.claim(claim());
    const during = await audit.find(record.id);
    await audit.complete(record, 'token-a');
    await audit.markUndelivered(record.id, ['alert']);
    const after = await audit.find(record.id);

    // THEN each answer says what was there, read strongly consistent, and the lookups wrote nothing
    expect(before).toBeUndefined();
    expect(during).toEqual({ status: 'in-progress' });
    expect(after).toEqual({ status: 'finished', record, undelivered: ['alert'] });
    expect(fakes.log.find('dynamodb', 'Get').every((entry) => entry.input.ConsistentRead === true)).toBe(true);
    expect(fakes.log.names().filter((name) => name === 'dynamodb:Get')).toHaveLength(3);
  });
});
