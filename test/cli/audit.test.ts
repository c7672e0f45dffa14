import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { UsageError } from '../../cli/io';
import { createAuditCommand } from '../../cli/commands/audit';
import { memoryIo } from './cli-io';
import { AUDIT_TABLE_NAME, ENV, createAuditWorld, type AuditWorld } from './audit/harness';
import { loadRecord, recordAt } from './audit/records';

const NOW = '2026-11-22T12:00:00Z';

describe('bucket-guardrail audit', () => {
  let world: AuditWorld;
  beforeEach(() => {
    // GIVEN an audit table answering two items per page, holding records over four days
    world = createAuditWorld({ pageSize: 2 });
    world.store(loadRecord('remediated-block-public-access')); // 2026-11-20 www-example-shop
    world.store(loadRecord('remediated-strip-public-grants')); // 2026-11-21 vendor-uploads-2019
    world.store(recordAt('2026-11-21T08:00:00Z', 'failed', 'payments-exports'));
    world.store(recordAt('2026-11-21T07:00:00Z', 'exempt', 'site-landing'));
    world.store(recordAt('2026-11-21T06:00:00Z', 'remediated', 'www-example-shop', { actor: { arn: 'arn:aws:iam::111122223333:user/mallory', sourceIp: '192.0.2.66' } }));
    world.store(recordAt('2026-11-14T06:00:00Z', 'remediated', 'too-old'));
  });
  afterEach(() => world.restore());

  const run = (args: string[], io = memoryIo({ env: ENV })) => createAuditCommand(world.deps(NOW))(args, io).then((code) => ({ code, io }));

  test('lists the last seven days newest first from the by-day index, following every page, never scanning', async () => {
    // WHEN run with the defaults
    const { code, io } = await run([]);
    // THEN exit 0 and one line per record of the range, newest first
    expect(code).toBe(0);
    const lines = io.out().split('\n');
    expect(lines.slice(1, 6).map((line) => line.split(/\s{2,}/)[1])).toEqual(['vendor-uploads-2019', 'payments-exports', 'site-landing', 'www-example-shop', 'www-example-shop']);
    expect(io.out()).toContain('5 records from 2026-11-15T12:00:00.000Z to 2026-11-22T12:00:00.000Z: remediated 3, exempt 1, failed 1');
    // AND the table came from the stack's outputs
    expect(world.cloudFormation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'BucketGuardrail' });
    // AND every query used the by-day index; 2026-11-21 holds four records, so it took two pages
    const queries = world.tables.mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(new Set(queries.map((query) => query.IndexName))).toEqual(new Set(['by-day']));
    const day21 = queries.filter((query) => query.ExpressionAttributeValues?.[':pk'] === '2026-11-21');
    expect(day21).toHaveLength(2);
    expect(day21[1]?.ExclusiveStartKey).toEqual(expect.objectContaining({ id: expect.any(String), day: '2026-11-21' }));
    expect(world.tables.mock.commandCalls(ScanCommand)).toHaveLength(0);
  });

  test('--bucket reads the by-bucket index only', async () => {
    const { io } = await run(['--bucket', 'www-example-shop', '--format', 'json']);
    const { records } = JSON.parse(io.out()) as { records: { id: string; bucket: string }[] };
    expect(records.map((record) => record.bucket)).toEqual(['www-example-shop', 'www-example-shop']);
    const queries = world.tables.mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.every((query) => query.IndexName === 'by-bucket' && query.ExpressionAttributeValues?.[':pk'] === 'www-example-shop')).toBe(true);
    expect(queries).toHaveLength(1);
  });

  test('--bucket accepts a legacy us-east-1 name (upper case, underscores)', async () => {
    const { code } = await run(['--bucket', 'Acme_Legacy_Reports_2016', '--format', 'json']);
    expect(code).toBe(0);
    const queries = world.tables.mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((query) => query.ExpressionAttributeValues?.[':pk'])).toEqual(['Acme_Legacy_Reports_2016']);
  });

  test('--outcome reads the by-outcome index and --actor keeps one principal\'s calls', async () => {
    const { io } = await run(['--outcome', 'remediated', '--actor', 'mallory', '--format', 'json']);
    const { records, summary } = JSON.parse(io.out()) as { records: { bucket: string; actor: { arn: string } }[]; summary: { total: number } };
    expect(records.map((record) => record.actor.arn)).toEqual(['arn:aws:iam::111122223333:user/mallory']);
    expect(summary.total).toBe(1);
    const queries = world.tables.mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    // Three remediated records in range at two per page: two pages of the by-outcome index.
    expect(queries.map((query) => query.IndexName)).toEqual(['by-outcome', 'by-outcome']);
  });

  test('--since and --until bound the range exactly, including records written with whole seconds', async () => {
    const { io } = await run(['--since', '2026-11-21T07:00:00Z', '--until', '2026-11-21T08:00:00Z', '--format', 'json']);
    const { records } = JSON.parse(io.out()) as { records: { bucket: string }[] };
    expect(records.map((record) => record.bucket)).toEqual(['payments-exports', 'site-landing']);
  });

  test('--format csv --out writes the file and says so on stderr', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.csv');
    const { code, io } = await run(['--format', 'csv', '--out', out]);
    expect(code).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(`Wrote 5 records as csv to ${out}\n`);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^ct-0b7e9a12-5c3d-4e6f-8a9b-1c2d3e4f5a6b,event,2026-11-21T22:41:17Z,vendor-uploads-2019,/);
  });

  test('--format md gives a ticket-ready summary and details', async () => {
    const { io } = await run(['--format', 'md', '--bucket', 'vendor-uploads-2019']);
    expect(io.out()).toContain('# Bucket guardrail audit: 2026-11-15T12:00:00.000Z to 2026-11-22T12:00:00.000Z');
    expect(io.out()).toContain('- Time to contain: median 2.2 s, p99 2.2 s, max 2.2 s (1 contained)');
    expect(io.out()).toContain('- Done: PutBucketAcl succeeded');
  });

  test('--format html writes one page with the records', async () => {
    const { io } = await run(['--format', 'html']);
    expect(io.out()).toMatch(/^<!doctype html>/);
    expect(io.out()).toContain('data-id="ct-0b7e9a12-5c3d-4e6f-8a9b-1c2d3e4f5a6b"');
    expect(io.out()).toContain(`source table ${AUDIT_TABLE_NAME}`);
  });

  test('explicit --table skips CloudFormation; --stack names another stack', async () => {
    await run(['--table', AUDIT_TABLE_NAME]);
    expect(world.cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    await expect(run(['--stack', 'Other'])).rejects.toThrow(
      'cannot read the outputs of stack "Other" (Stack with id Other does not exist); pass --stack with the deployed stack\'s name, or --table',
    );
  });

  test.each([
    [['--format', 'xml'], /--format "xml" is not one of table, json, csv, md, html/],
    [['--since', 'tomorrow'], /--since "tomorrow"/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /unexpected argument "extra"/],
    [['--bucket', 'reports/2016'], /--bucket "reports\/2016" can name no S3 bucket: it may contain only letters, digits/],
    [['--bucket', 'ab'], /--bucket "ab" can name no S3 bucket: it must be 3 to 255 characters long/],
  ])('%j is a usage error', async (args, message) => {
    const promise = run(args);
    await expect(promise).rejects.toThrow(UsageError);
    await expect(run(args)).rejects.toThrow(message);
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, io } = await run(['--help']);
    expect(code).toBe(0);
    expect(io.out()).toContain('usage: bucket-guardrail audit');
  });
});
