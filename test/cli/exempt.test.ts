import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ORGANIZATION_ID_OUTPUT } from '../../cli/audit/stack-outputs';
import { canonicalJson } from '../../lambda/shared/audit/record';
import { toExemptionItem } from '../../lambda/shared/exemptions/exemptions-table';
import { UsageError } from '../../cli/io';
import { createExemptCommand, createExemptionsCommand, matchesEveryBucketName } from '../../cli/commands/exempt';
import { ExemptionChangeError } from '../../cli/audit/exemption-changes';
import { memoryIo } from './cli-io';
import { ARCHIVE_BUCKET, ARCHIVE_LOCK, AUDIT_TABLE_NAME, ENV, EXEMPTIONS_TABLE_NAME, OPERATOR, createAuditWorld, type AuditWorld } from './audit/harness';

const NOW = '2026-11-22T12:00:00Z';

describe('bucket-guardrail exempt / exemptions', () => {
  let world: AuditWorld;
  beforeEach(() => {
    world = createAuditWorld();
  });
  afterEach(() => world.restore());

  const exempt = async (args: string[]) => {
    const io = memoryIo({ env: ENV });
    return { code: await createExemptCommand(world.deps(NOW))(args, io), io };
  };
  const exemptions = async (args: string[]) => {
    const io = memoryIo({ env: ENV });
    return { code: await createExemptionsCommand(world.deps(NOW))(args, io), io };
  };

  describe("the archive copy carries the deployment's Object Lock (issue 11)", () => {
    test('written in the mode and for the retention the stack outputs say, as the bucket policy requires', async () => {
      // GIVEN the stack says COMPLIANCE for 365 days, and the archive's policy denies any other write
      // WHEN an operator exempts a glob
      const { code } = await exempt(['site-*', '--reason', 'website', '--owner', 'web', '--expires', '2027-01-31']);
      // THEN the copy was accepted, under COMPLIANCE until 365 days after the change
      expect(code).toBe(0);
      expect(world.s3.bucket(ARCHIVE_BUCKET).objects.get('audit/2026/11/22/op-test-1.json')?.lock).toEqual({
        mode: ARCHIVE_LOCK.mode,
        retainUntil: new Date(Date.parse(NOW) + ARCHIVE_LOCK.retentionDays * 86_400_000),
      });
    });

    test('--archive-lock-mode and --archive-retention-days override the stack (and the policy refuses a weaker lock)', async () => {
      // WHEN the operator names GOVERNANCE, which the COMPLIANCE bucket policy refuses
      const attempt = exempt(['site-*', '--reason', 'website', '--owner', 'web', '--expires', '2027-01-31', '--archive-lock-mode', 'GOVERNANCE', '--archive-retention-days', '365']);
      // THEN the exemption and its record are written, but the copy is refused, and the operator is told
      await expect(attempt).rejects.toThrow(/archive copy failed \(Access Denied \(explicit deny in the bucket policy, statement DenyPutWithoutArchiveLockMode\)\)/);
    });

    test.each([
      [['--archive-lock-mode', 'GOVERNANCE'], /--archive-lock-mode GOVERNANCE: GOVERNANCE needs a retention/],
      [['--archive-retention-days', '30'], /--archive-retention-days needs --archive-lock-mode/],
      [['--archive-lock-mode', 'HOLD', '--archive-retention-days', '30'], /"HOLD" is not one of COMPLIANCE, GOVERNANCE, NONE/],
    ])('%j is a usage error that writes nothing', async (flags, message) => {
      await expect(exempt(['site-*', '--reason', 'r', '--owner', 'o', '--expires', '2027-01-31', ...flags])).rejects.toThrow(message);
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'site-*')).toBeUndefined();
    });
  });

  describe('exemptions scoped by account (organization mode, issue 11)', () => {
    const MEMBER = '444455556666';
    /** An organization-wide (central) stack: the same outputs plus its OrganizationId. */
    const organizationStack = (): void => {
      world.cloudFormation.on(DescribeStacksCommand, { StackName: 'OrgGuardrail' }).resolves({
        Stacks: [
          {
            StackName: 'OrgGuardrail',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-10-01T00:00:00Z'),
            Outputs: [
              { OutputKey: 'AuditTableName', OutputValue: AUDIT_TABLE_NAME },
              { OutputKey: 'AuditArchiveBucketName', OutputValue: ARCHIVE_BUCKET },
              { OutputKey: 'ExemptionsTableName', OutputValue: EXEMPTIONS_TABLE_NAME },
              { OutputKey: 'AuditArchiveLockMode', OutputValue: ARCHIVE_LOCK.mode },
              { OutputKey: 'AuditArchiveRetentionDays', OutputValue: String(ARCHIVE_LOCK.retentionDays) },
              { OutputKey: ORGANIZATION_ID_OUTPUT, OutputValue: 'o-a1b2c3d4e5' },
            ],
          },
        ],
      });
    };
    const base = ['site-*', '--reason', 'website', '--owner', 'web', '--expires', '2027-01-31'];

    test('--account scopes the exemption: its own item, keyed <account>/<glob>, and the record names the account', async () => {
      const { code, io } = await exempt([...base, '--account', MEMBER]);
      expect(code).toBe(0);
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, `${MEMBER}/site-*`)).toMatchObject({ bucket: `${MEMBER}/site-*`, account: MEMBER, owner: 'web' });
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'site-*')).toBeUndefined();
      expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-1')).toMatchObject({ exemption: { bucket: 'site-*', account: MEMBER, status: 'granted' } });
      expect(io.out()).toContain(`Exempted site-* in account ${MEMBER} until 2027-01-31`);
    });

    test('an organization-wide stack refuses an exemption that names no account, writing nothing', async () => {
      organizationStack();
      await expect(exempt([...base, '--stack', 'OrgGuardrail'])).rejects.toThrow(/guards organization o-a1b2c3d4e5: name the account .* with --account/);
      expect(world.tables.mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
      // AND with the account named it is written
      expect((await exempt([...base, '--stack', 'OrgGuardrail', '--account', MEMBER])).code).toBe(0);
    });

    test("--account '*' needs --force, and then warns that the name is exempt in every account", async () => {
      await expect(exempt([...base, '--account', '*'])).rejects.toThrow(/--account '\*' exempts "site-\*" in EVERY account .* pass --force/);
      expect(world.tables.mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
      const { code, io } = await exempt([...base, '--account', '*', '--force']);
      expect(code).toBe(0);
      expect(io.err()).toContain('"site-*" is exempt in EVERY account');
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, '*/site-*')).toMatchObject({ account: '*' });
    });

    test.each(['12345', '4444-5555-6666', 'o-a1b2c3d4e5'])('--account %s is a usage error', async (account) => {
      await expect(exempt([...base, '--account', account])).rejects.toThrow(/exemption\.account .* is not a 12-digit account ID or \* \(every account\)/);
    });

    test('exemptions remove --account revokes the scoped one and leaves the same glob of another account', async () => {
      const item = { reason: 'website', owner: 'web', expires: '2027-01-31', createdAt: 'x', createdBy: 'y', source: 'exempt-command' as const, auditId: 'op-0' };
      world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ ...item, bucket: 'site-*', account: MEMBER }));
      world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ ...item, bucket: 'site-*', account: '777788889999' }));
      const { code, io } = await exemptions(['remove', 'site-*', '--account', MEMBER]);
      expect(code).toBe(0);
      expect(io.out()).toContain(`Removed the exemption for ${MEMBER}/site-*.`);
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, `${MEMBER}/site-*`)).toBeUndefined();
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, '777788889999/site-*')).toBeDefined();
      const listed = (await exemptions(['list'])).io.out();
      expect(listed).toMatch(/^777788889999\/site-\*\s+active/m);
    });
  });

  test('exempt writes the exemption and its audit record in one transaction, then archives the record', async () => {
    // WHEN an operator exempts a glob
    const { code, io } = await exempt(['site-*', '--reason', 'public marketing website, SEC-123', '--owner', 'web-team@example.com', '--expires', '2027-01-31']);
    // THEN exit 0 and the exemption is in the table with who wrote it and the audit record id
    expect(code).toBe(0);
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'site-*')).toEqual({
      bucket: 'site-*',
      reason: 'public marketing website, SEC-123',
      owner: 'web-team@example.com',
      expires: '2027-01-31',
      createdAt: '2026-11-22T12:00:00.000Z',
      createdBy: OPERATOR.arn,
      source: 'exempt-command',
      auditId: 'op-test-1',
    });
    // AND the change is audited, naming the operator, in the record format with its derived attributes
    const audit = world.tables.item(AUDIT_TABLE_NAME, 'op-test-1');
    expect(audit).toMatchObject({
      trigger: 'operator',
      outcome: 'exemption-granted',
      bucket: 'site-*',
      eventName: 'GrantExemption',
      day: '2026-11-22',
      archiveKey: 'audit/2026/11/22/op-test-1.json',
      actor: { arn: OPERATOR.arn, sessionIssuerArn: 'arn:aws:iam::111122223333:role/OnCallEngineer', userAgent: 'bucket-guardrail-cli' },
      exemption: { bucket: 'site-*', status: 'granted', expires: '2027-01-31' },
    });
    // AND both writes went in one transaction, the exemption conditional on not existing
    const transactions = world.tables.mock.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    expect(transactions[0]?.args[0].input.TransactItems?.map((write) => [write.Put?.TableName, write.Put?.ConditionExpression])).toEqual([
      [EXEMPTIONS_TABLE_NAME, 'attribute_not_exists(#bucket)'],
      [AUDIT_TABLE_NAME, 'attribute_not_exists(#id)'],
    ]);
    // AND the archive holds the record's canonical JSON
    const { day: _day, recordSha256: _hash, archiveKey: _key, ...record } = audit as Record<string, unknown>;
    expect(world.archiveBody('audit/2026/11/22/op-test-1.json')).toBe(canonicalJson(record));
    expect(io.out()).toBe('Exempted site-* until 2027-01-31, owner web-team@example.com.\nAudit record op-test-1, archived as audit/2026/11/22/op-test-1.json.\n');
  });

  test('replacing an exemption is conditional on what was read and the record names what it replaced', async () => {
    world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ bucket: 'site-*', reason: 'old', owner: 'old-team', expires: '2026-12-01', createdAt: 'x', createdBy: 'y', source: 'exempt-command', auditId: 'op-0' }));
    const { io } = await exempt(['site-*', '--reason', 'new', '--owner', 'web', '--expires', '2027-06-30']);
    expect(io.out()).toContain('(replaces the exemption owned by old-team until 2026-12-01)');
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-1')?.reason).toContain('It replaced the exemption owned by old-team until 2026-12-01 ("old")');
    const [write] = world.tables.mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(write?.Put?.ConditionExpression).toBe('attribute_exists(#bucket) AND #f0 = :v0 AND #f1 = :v1 AND #f2 = :v2 AND #f3 = :v3');
  });

  test('another writer changing the exemption between read and write makes the command fail and write nothing', async () => {
    // GIVEN an exemption, and another operator replacing it right after our read
    const existing = toExemptionItem({ bucket: 'site-*', reason: 'old', owner: 'old-team', expires: '2026-12-01', createdAt: 'x', createdBy: 'y', source: 'exempt-command', auditId: 'op-0' });
    world.tables.put(EXEMPTIONS_TABLE_NAME, existing);
    world.tables.afterGet = (table) => {
      if (table === EXEMPTIONS_TABLE_NAME) world.tables.put(EXEMPTIONS_TABLE_NAME, { ...existing, owner: 'someone-else' });
    };
    // WHEN we exempt
    await expect(exempt(['site-*', '--reason', 'new', '--owner', 'web', '--expires', '2027-06-30'])).rejects.toThrow(ExemptionChangeError);
    // THEN neither the exemption nor an audit record was written
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'site-*')?.owner).toBe('someone-else');
    expect(world.tables.items(AUDIT_TABLE_NAME)).toEqual([]);
  });

  test('an archive failure after the transaction says the change and record are written and verify will flag it', async () => {
    world.s3.injectError({ command: 'PutObject' }, 'AccessDenied');
    await expect(exempt(['docs-bucket', '--reason', 'r', '--owner', 'o', '--expires', '2027-01-01'])).rejects.toThrow(
      /the exemption and its audit record op-test-1 are written, but the archive copy failed .*"verify" will list it as archive-missing/,
    );
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'docs-bucket')).toBeDefined();
  });

  test.each([
    [['site-*', '--owner', 'o', '--expires', '2027-01-01'], /--reason is required/],
    [['site-*', '--reason', 'r', '--owner', 'o', '--expires', '2026-11-01'], /--expires 2026-11-01 is not in the future/],
    [['Site/*', '--reason', 'r', '--owner', 'o', '--expires', '2027-01-01'], /is not a bucket name or glob/],
    [['site-*', '--reason', 'r', '--owner', 'o', '--expires', 'soon'], /is not an ISO 8601 date/],
    [['--reason', 'r', '--owner', 'o', '--expires', '2027-01-01'], /name the bucket or glob to exempt/],
    [['a', 'b', '--reason', 'r', '--owner', 'o', '--expires', '2027-01-01'], /exempt takes one bucket or glob, got 2/],
  ])('exempt %j is refused before anything is written', async (args, message) => {
    await expect(exempt(args)).rejects.toThrow(UsageError);
    await expect(exempt(args)).rejects.toThrow(message);
    expect(world.tables.mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  test('exemptions list shows every page of the table, marks expired ones and reports invalid items', async () => {
    world.restore();
    world = createAuditWorld({ pageSize: 1 });
    const base = { reason: 'website', owner: 'web', createdAt: '2026-11-01T00:00:00.000Z', createdBy: OPERATOR.arn, source: 'exempt-command' as const, auditId: 'op-1' };
    world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ ...base, bucket: 'site-*', expires: '2027-01-31' }));
    world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ ...base, bucket: 'old-campaign', expires: '2026-11-01' }));
    world.tables.put(EXEMPTIONS_TABLE_NAME, { bucket: 'broken', reason: 'no owner' });
    const { code, io } = await exemptions(['list']);
    expect(code).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^BUCKET\/GLOB\s+STATUS\s+EXPIRES\s+OWNER\s+REASON\s+CREATED BY\s+CREATED AT$/);
    expect(lines[1]).toMatch(/^old-campaign\s+expired\s+2026-11-01\s+web\s+website/);
    expect(lines[2]).toMatch(/^site-\*\s+active\s+2027-01-31\s+web\s+website/);
    expect(lines[3]).toBe('invalid item broken: exemption broken.owner must be a non-empty string (the remediator ignores it)');
    const json = JSON.parse((await exemptions(['list', '--json'])).io.out()) as { exemptions: { bucket: string; expired: boolean }[] };
    expect(json.exemptions.map((exemption) => [exemption.bucket, exemption.expired])).toEqual([
      ['old-campaign', true],
      ['site-*', false],
    ]);
  });

  test('exemptions remove deletes the exemption and audits it', async () => {
    world.tables.put(EXEMPTIONS_TABLE_NAME, toExemptionItem({ bucket: 'site-*', reason: 'website', owner: 'web', expires: '2027-01-31', createdAt: 'x', createdBy: 'y', source: 'exempt-command', auditId: 'op-0' }));
    const { code, io } = await exemptions(['remove', 'site-*']);
    expect(code).toBe(0);
    expect(world.tables.item(EXEMPTIONS_TABLE_NAME, 'site-*')).toBeUndefined();
    expect(world.tables.item(AUDIT_TABLE_NAME, 'op-test-1')).toMatchObject({
      outcome: 'exemption-revoked',
      eventName: 'RevokeExemption',
      exemption: { bucket: 'site-*', owner: 'web', status: 'revoked' },
      reason: 'Exemption for site-* revoked (it was owned by web until 2027-01-31: website).',
    });
    expect(world.archiveBody('audit/2026/11/22/op-test-1.json')).toBeDefined();
    expect(io.out()).toBe('Removed the exemption for site-*.\nAudit record op-test-1, archived as audit/2026/11/22/op-test-1.json.\n');
  });

  test.each([
    [['remove', 'nothing-here'], /there is no exemption for "nothing-here"/],
    [['remove'], /usage: bucket-guardrail exemptions list/],
    [['rename', 'a'], /usage: bucket-guardrail exemptions list/],
  ])('exemptions %j is a usage error', async (args, message) => {
    await expect(exemptions(args)).rejects.toThrow(message);
  });

  describe('a glob that matches every bucket needs --force (issue 12.9)', () => {
    test.each(['*', '**', '*?', '?*??', '*???'])('exempt %j without --force is refused before anything is written', async (glob) => {
      const attempt = exempt([glob, '--reason', 'r', '--owner', 'o', '--expires', '2027-01-01']);
      await expect(attempt).rejects.toThrow(UsageError);
      await expect(exempt([glob, '--reason', 'r', '--owner', 'o', '--expires', '2027-01-01'])).rejects.toThrow(`"${glob}" matches every bucket`);
      expect(world.tables.mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    });

    test('with --force it is written, with a warning on stderr', async () => {
      const { code, io } = await exempt(['*', '--reason', 'migration freeze', '--owner', 'platform', '--expires', '2027-01-01', '--force']);
      expect(code).toBe(0);
      expect(io.err()).toContain('warning: "*" exempts EVERY bucket; the guardrail contains nothing until 2027-01-01');
      expect(world.tables.item(EXEMPTIONS_TABLE_NAME, '*')).toBeDefined();
    });

    test.each(['site-*', '????', '*????', 'a*'])('%j matches only some names and needs no --force', (glob) => {
      expect(matchesEveryBucketName(glob)).toBe(false);
    });
  });
});
