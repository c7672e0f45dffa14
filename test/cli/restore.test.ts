import { DeletePublicAccessBlockCommand, PutBucketPolicyCommand, PutObjectCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson, type AuditRecord } from '../../lambda/shared/audit/record';
import { archiveKeyFor } from '../../lambda/shared/audit/table-schema';
import { toExemptionItem } from '../../lambda/shared/exemptions/exemptions-table';
import { UsageError } from '../../cli/io';
import { createRestoreCommand } from '../../cli/commands/restore';
import { memoryIo } from './cli-io';
import { AUDIT_TABLE_NAME, ENV, EXEMPTIONS_TABLE_NAME, OPERATOR, bucketAfter, createAuditWorld, type AuditWorld } from './audit/harness';
import { itemOf, loadRecord, variant } from './audit/records';

const NOW = '2026-11-22T12:00:00Z';
const ALL_OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

/** The parts of a bucket a remediation can change, as the fake holds them. */
function bucketState(world: AuditWorld, name: string) {
  const bucket = world.s3.bucket(name);
  return { acl: bucket.acl, policy: bucket.policy, bucketPublicAccessBlock: bucket.publicAccessBlock, ownership: bucket.ownership };
}

/** The same parts from a record's before-state, with BPA flags written out as S3 stores them. */
function beforeState(record: AuditRecord) {
  const before = record.before ?? {};
  return {
    acl: before.acl,
    policy: before.policy,
    bucketPublicAccessBlock: before.bucketPublicAccessBlock === null || before.bucketPublicAccessBlock === undefined ? null : { ...ALL_OFF, ...before.bucketPublicAccessBlock },
    ownership: before.ownership,
  };
}

describe('bucket-guardrail restore', () => {
  let world: AuditWorld;
  beforeEach(() => {
    world = createAuditWorld();
  });
  afterEach(() => world.restore());

  const restore = async (args: string[], io = memoryIo({ env: ENV })) => ({ code: await createRestoreCommand(world.deps(NOW))(args, io), io });

  test('block-public-access strategy: the bucket is back exactly as before, after an exemption, and the restore is audited', async () => {
    // GIVEN a remediation that turned on BPA for a website bucket, and the bucket as it left it
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    // WHEN the on-call engineer restores it
    const { code, io } = await restore([record.id, '--yes']);
    // THEN exit 0 and the bucket's settings are exactly the before-state (no bucket-level BPA at all)
    expect(code).toBe(0);
    expect(bucketState(world, 'www-example-shop')).toEqual(beforeState(record));
    expect(world.s3.isPublic('www-example-shop')).toBe(true);
    // AND an exemption for the bucket exists, written before the first S3 change
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'www-example-shop')).toMatchObject({
      owner: OPERATOR.arn,
      reason: `Restored from audit record ${record.id} by ${OPERATOR.arn}`,
      expires: '2026-12-22T12:00:00Z',
      source: 'restore',
      auditId: 'op-test-1',
    });
    const exemptionWrite = world.tables.mock.commandCalls(TransactWriteCommand)[0];
    const bucketChanges = world.s3Mock.commandCalls(DeletePublicAccessBlockCommand);
    expect(bucketChanges).toHaveLength(1);
    expect(exemptionWrite?.calledBefore(bucketChanges[0] as NonNullable<(typeof bucketChanges)[0]>)).toBe(true);
    expect(world.s3Mock.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
    // AND two operator records: the exemption and the restore, both naming the operator and the remediation
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-1')).toMatchObject({ outcome: 'exemption-granted', relatedRecordId: record.id, actor: { arn: OPERATOR.arn } });
    const audit = world.tables.item(AUDIT_TABLE_NAME, 'op-test-2');
    expect(audit).toMatchObject({
      trigger: 'operator',
      eventName: 'RestoreRemediation',
      outcome: 'restored',
      bucket: 'www-example-shop',
      relatedRecordId: record.id,
      actor: { arn: OPERATOR.arn, userAgent: 'bucket-guardrail-cli' },
      actions: [{ api: 'DeleteBucketPublicAccessBlock', result: 'succeeded', request: { Bucket: 'www-example-shop', ExpectedBucketOwner: '111122223333' } }],
      before: { bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
      after: { bucketPublicAccessBlock: null },
      exemption: { status: 'granted', bucket: 'www-example-shop' },
    });
    expect(world.archiveBody('audit/2026/11/22/op-test-2.json')).toBeDefined();
    // AND the operator saw the plan and the result
    expect(io.out()).toContain('  1. DeleteBucketPublicAccessBlock www-example-shop (no bucket-level settings, as before)');
    expect(io.out()).toContain('Restored www-example-shop. Audit record op-test-2, archived as audit/2026/11/22/op-test-2.json.');
  });

  test('strip-public-grants strategy: the removed statement and grant are back, policy text and ACL exactly as before', async () => {
    // GIVEN a strip remediation that removed a public statement and an AllUsers WRITE grant
    const record = loadRecord('remediated-strip-public-grants');
    world.store(record);
    bucketAfter(world, record);
    expect(world.s3.isPublic('vendor-uploads-2019')).toBe(false);
    // WHEN restored
    const { code } = await restore([record.id, '--yes']);
    // THEN every part of the bucket equals the before-state, policy text byte for byte
    expect(code).toBe(0);
    expect(bucketState(world, 'vendor-uploads-2019')).toEqual(beforeState(record));
    expect(world.s3.bucket('vendor-uploads-2019').policy).toBe(record.before?.policy);
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-2')?.actions).toEqual([
      expect.objectContaining({ api: 'PutBucketPublicAccessBlock', result: 'succeeded' }),
      expect.objectContaining({ api: 'PutBucketPolicy', result: 'succeeded' }),
      expect.objectContaining({ api: 'PutBucketAcl', result: 'succeeded' }),
    ]);
  });

  test('strip-public-grants with BlockPublicPolicy and BlockPublicAcls on before: S3 accepts the writes and the settings end as before', async () => {
    // GIVEN a before-state that blocked new public policies and ACLs (S3 rejects public writes under them)
    const base = loadRecord('remediated-strip-public-grants');
    const blocked = { ...ALL_OFF, BlockPublicPolicy: true, BlockPublicAcls: true };
    const record = variant(base, { before: { ...base.before, bucketPublicAccessBlock: blocked } });
    world.store(record);
    bucketAfter(world, record);
    // WHEN restored
    const { code } = await restore([record.id, '--yes']);
    // THEN exact before-state, reached through relax → write → re-block
    expect(code).toBe(0);
    expect(bucketState(world, 'vendor-uploads-2019')).toEqual(beforeState(record));
    expect(world.s3.log.entries.filter((entry) => entry.input.Bucket === 'vendor-uploads-2019' && entry.command.startsWith('Put')).map((entry) => entry.command)).toEqual([
      'PutPublicAccessBlock',
      'PutBucketPolicy',
      'PutBucketAcl',
      'PutPublicAccessBlock',
    ]);
  });

  test('a policy changed since the remediation keeps the change and gets the removed statement back', async () => {
    const record = loadRecord('remediated-strip-public-grants');
    world.store(record);
    const afterPolicy = JSON.parse(record.after?.policy ?? '{}') as { Statement: unknown[] };
    const added = { Sid: 'AnalyticsRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:role/Analytics' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::vendor-uploads-2019/*' };
    bucketAfter(world, record, { policy: JSON.stringify({ ...afterPolicy, Statement: [...afterPolicy.Statement, added] }) });
    const { code, io } = await restore([record.id, '--yes']);
    expect(code).toBe(0);
    const beforeStatements = (JSON.parse(record.before?.policy ?? '{}') as { Statement: unknown[] }).Statement;
    expect((JSON.parse(world.s3.bucket('vendor-uploads-2019').policy ?? '{}') as { Statement: unknown[] }).Statement).toEqual([...beforeStatements, added]);
    expect(io.out()).toContain('Note: The bucket policy changed after the remediation; 1 removed statement will be merged');
  });

  describe('access point policies the strip changed (issue 16 item 3)', () => {
    const AP = 'vendor-drop';
    const apArn = `arn:aws:s3:us-east-1:111122223333:accesspoint/${AP}`;
    const publicStatement = { Sid: 'PublicDrop', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${apArn}/object/*` };
    const teamStatement = { Sid: 'TeamRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/Team' }, Action: 's3:GetObject', Resource: `${apArn}/object/*` };
    const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const original = doc(publicStatement, teamStatement);

    /** The strip record, with the access point policy strip it also made (`deleted`: every statement was public). */
    function recordWithAccessPoint(deleted = false, before: Partial<AuditRecord> = {}): AuditRecord {
      const base = loadRecord('remediated-strip-public-grants');
      const policy = deleted ? doc(publicStatement) : original;
      return variant(base, {
        ...before,
        removed: {
          ...base.removed,
          accessPoints: [{ kind: 'accessPoint', name: AP, arn: apArn, account: '111122223333', region: 'us-east-1', policy, policyStatements: [{ index: 0, statement: publicStatement }], policyDeleted: deleted }],
        },
        actions: [
          ...base.actions,
          deleted
            ? { api: 'DeleteAccessPointPolicy', request: { AccountId: '111122223333', Name: AP }, result: 'succeeded' }
            : { api: 'PutAccessPointPolicy', request: { AccountId: '111122223333', Name: AP, Policy: doc(teamStatement) }, result: 'succeeded' },
        ],
      });
    }

    test('the access point policy is put back exactly as recorded before the strip, after the plan was shown', async () => {
      // GIVEN a strip that took the public statement out of an access point policy, and the access point as it left it
      const record = recordWithAccessPoint();
      world.store(record);
      bucketAfter(world, record);
      const point = world.s3.addAccessPoint({ name: AP, bucket: 'vendor-uploads-2019', policy: doc(teamStatement) });
      // WHEN restored
      const { code, io } = await restore([record.id, '--yes']);
      // THEN the access point policy is the recorded one, byte for byte, and the bucket is back too
      expect(code).toBe(0);
      expect(point.policy).toBe(original);
      expect(bucketState(world, 'vendor-uploads-2019')).toEqual(beforeState(record));
      expect(io.out()).toContain(`PutAccessPointPolicy ${AP} (account 111122223333, us-east-1): ${original}`);
      expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-2')?.actions).toEqual([
        expect.objectContaining({ api: 'PutBucketPublicAccessBlock', result: 'succeeded' }),
        expect.objectContaining({ api: 'PutBucketPolicy', result: 'succeeded' }),
        expect.objectContaining({ api: 'PutBucketAcl', result: 'succeeded' }),
        expect.objectContaining({ api: 'PutAccessPointPolicy', result: 'succeeded', request: { AccountId: '111122223333', Name: AP, Policy: original } }),
      ]);
    });

    test('a deleted access point policy is put back', async () => {
      const record = recordWithAccessPoint(true);
      world.store(record);
      bucketAfter(world, record);
      const point = world.s3.addAccessPoint({ name: AP, bucket: 'vendor-uploads-2019', policy: null });
      const { code } = await restore([record.id, '--yes']);
      expect(code).toBe(0);
      expect(point.policy).toBe(doc(publicStatement));
    });

    test('an access point policy changed since keeps the change and gets the removed statement back', async () => {
      const record = recordWithAccessPoint();
      world.store(record);
      bucketAfter(world, record);
      const added = { ...teamStatement, Sid: 'AuditorsRead', Principal: { AWS: 'arn:aws:iam::111122223333:role/Auditors' } };
      const point = world.s3.addAccessPoint({ name: AP, bucket: 'vendor-uploads-2019', policy: doc(teamStatement, added) });
      const { code, io } = await restore([record.id, '--yes']);
      expect(code).toBe(0);
      expect(JSON.parse(point.policy ?? '{}').Statement).toEqual([publicStatement, teamStatement, added]);
      expect(io.out()).toContain(`Note: The policy of access point ${AP} changed after the remediation; 1 removed statement will be merged`);
    });

    test('with BlockPublicPolicy on in the bucket state to restore, S3 accepts the access point policy (relax, write, re-block)', async () => {
      const base = loadRecord('remediated-strip-public-grants');
      const blocked = { ...ALL_OFF, BlockPublicPolicy: true };
      const record = recordWithAccessPoint(false, { before: { ...base.before, bucketPublicAccessBlock: blocked } });
      world.store(record);
      bucketAfter(world, record);
      const point = world.s3.addAccessPoint({ name: AP, bucket: 'vendor-uploads-2019', policy: doc(teamStatement) });
      const { code } = await restore([record.id, '--yes']);
      expect(code).toBe(0);
      expect(point.policy).toBe(original);
      expect(world.s3.bucket('vendor-uploads-2019').publicAccessBlock).toEqual(blocked);
    });
  });

  test('a record that does not match its archive copy is not restored from', async () => {
    // GIVEN the record's before-state was edited in DynamoDB (hash recomputed) to open the bucket wider
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    world.tables.put(AUDIT_TABLE_NAME, itemOf(variant(record, { strategy: 'strip-public-grants' })));
    bucketAfter(world, record);
    const { code, io } = await restore([record.id, '--yes']);
    expect(code).toBe(1);
    expect(io.err()).toContain(`Record ${record.id} does not match its archive copy; not restoring from it:`);
    expect(io.err()).toContain('record-differs');
    expect(world.s3.log.entries.filter((entry) => entry.command.startsWith('Put') || entry.command.startsWith('Delete'))).toEqual([]);
    expect(world.tables.items(EXEMPTIONS_TABLE_NAME)).toEqual([]);
  });

  test('a record whose archive key holds a newer, matching copy is not restored from', async () => {
    // GIVEN the record was edited in DynamoDB AND a matching copy was written over its archive key as a newer version
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    const forged = variant(record, { strategy: 'strip-public-grants' });
    world.tables.put(AUDIT_TABLE_NAME, itemOf(forged));
    world.rewriteArchive(archiveKeyFor(record.id, record.eventTime), canonicalJson(forged), '2026-11-22T11:00:00Z');
    bucketAfter(world, record);
    // WHEN restored
    const { code, io } = await restore([record.id, '--yes']);
    // THEN refused: the key was rewritten and the item differs from the first version; nothing changed
    expect(code).toBe(1);
    expect(io.err()).toContain('archive-rewritten');
    expect(io.err()).toContain('record-differs');
    expect(world.s3.log.entries.filter((entry) => entry.command.startsWith('Put') || entry.command.startsWith('Delete'))).toEqual([]);
    expect(world.tables.items(EXEMPTIONS_TABLE_NAME)).toEqual([]);
  });

  test('the restore record\'s archive copy is a create-only write', async () => {
    // GIVEN a remediation to undo
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    // WHEN restored
    await restore([record.id, '--yes']);
    // THEN every archive write carried If-None-Match: *
    const writes = world.s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(writes.map((input) => [input.Key, input.IfNoneMatch])).toEqual([
      ['audit/2026/11/22/op-test-1.json', '*'],
      ['audit/2026/11/22/op-test-2.json', '*'],
    ]);
  });

  test('without --yes and without a terminal, nothing is changed', async () => {
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    await expect(restore([record.id])).rejects.toThrow('standard input is not a terminal; pass --yes to restore without a prompt');
    expect(world.tables.items(EXEMPTIONS_TABLE_NAME)).toEqual([]);
  });

  test.each([
    ['n\n', 0, 'Cancelled; nothing changed.', false],
    ['yes\n', 0, 'Restored www-example-shop.', true],
  ])('at the prompt, answering %j exits %i', async (answer, exitCode, message, restored) => {
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    const io = memoryIo({ env: ENV, stdin: answer });
    (io.stdin as { isTTY?: boolean }).isTTY = true;
    const { code } = await restore([record.id], io);
    expect(code).toBe(exitCode);
    expect(io.out()).toContain(message);
    expect(io.err()).toContain('This can make the bucket public again. Restore? [y/N]');
    expect(world.s3.bucket('www-example-shop').publicAccessBlock === null).toBe(restored);
  });

  test('an S3 refusal mid-way stops the rest, exits 1 and the record says what was and was not done', async () => {
    const record = loadRecord('remediated-strip-public-grants');
    world.store(record);
    bucketAfter(world, record);
    world.s3.injectError({ command: 'PutBucketPolicy' }, 'AccessDenied');
    const { code, io } = await restore([record.id, '--yes']);
    expect(code).toBe(1);
    expect(io.err()).toContain('Restore failed: AccessDenied: Access Denied');
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-2')).toMatchObject({
      outcome: 'failed',
      error: { code: 'AccessDenied' },
      actions: [
        expect.objectContaining({ api: 'PutBucketPublicAccessBlock', result: 'succeeded' }),
        expect.objectContaining({ api: 'PutBucketPolicy', result: 'failed' }),
        expect.objectContaining({ api: 'PutBucketAcl', result: 'not-sent' }),
      ],
    });
    expect(world.s3Mock.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
  });

  test('an existing exemption lasting longer is kept', async () => {
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    const longer = toExemptionItem({ bucket: 'www-example-shop', reason: 'website', owner: 'web', expires: '2027-06-30', createdAt: 'x', createdBy: 'y', source: 'exempt-command', auditId: 'op-0' });
    world.tables.put(EXEMPTIONS_TABLE_NAME, longer);
    const { code, io } = await restore([record.id, '--yes']);
    expect(code).toBe(0);
    expect(io.out()).toContain('Keeping the existing exemption for www-example-shop (until 2027-06-30, owner web).');
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'www-example-shop')).toEqual(longer);
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-1')).toMatchObject({ outcome: 'restored' });
  });

  test.each([
    [['ct-nope', '--yes'], /no audit record ct-nope in BucketGuardrail-AuditTable-1ABC/],
    [[], /restore takes exactly one audit record id/],
    [['a', 'b'], /restore takes exactly one audit record id/],
    [['x', '--expires', '2020-01-01'], /--expires 2020-01-01 is not in the future/],
  ])('%j is a usage error', async (args, message) => {
    await expect(restore(args)).rejects.toThrow(message);
  });

  test('a bucket that no longer exists is a usage error, nothing written', async () => {
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    const attempt = restore([record.id, '--yes']);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow('bucket www-example-shop no longer exists; nothing to restore');
    expect(world.tables.items(EXEMPTIONS_TABLE_NAME)).toEqual([]);
  });

  test('nothing left to put back: no exemption, no record, exit 0', async () => {
    // GIVEN a strip remediation whose BPA write failed, and someone already put the statement and grant back
    const base = loadRecord('remediated-strip-public-grants');
    const record = variant(base, { actions: base.actions.map((action) => (action.api === 'PutBucketPublicAccessBlock' ? { ...action, result: 'failed' } : action)) });
    world.store(record);
    bucketAfter(world, record, { policy: record.before?.policy ?? null, acl: record.before?.acl as never });
    const { code, io } = await restore([record.id, '--yes']);
    expect(code).toBe(0);
    expect(io.out()).toContain('Nothing to restore on vendor-uploads-2019: The removed policy statements are already back');
    expect(world.tables.items(EXEMPTIONS_TABLE_NAME)).toEqual([]);
  });

  test('an empty --reason for the exemption is refused before anything changes', async () => {
    const record = loadRecord('remediated-block-public-access');
    world.store(record);
    bucketAfter(world, record);
    await expect(restore([record.id, '--yes', '--reason', ' '])).rejects.toThrow('the exemption for the restore.reason must be a non-empty string');
    expect(world.s3.bucket('www-example-shop').publicAccessBlock).not.toBeNull();
  });

  test('a report-only record is refused with the reason', async () => {
    const record = variant(loadRecord('remediated-block-public-access'), { mode: 'report-only', outcome: 'report-only' });
    world.store(record);
    bucketAfter(world, record);
    await expect(restore([record.id, '--yes'])).rejects.toThrow(/cannot restore: record .* was made in report-only mode/);
  });
});
