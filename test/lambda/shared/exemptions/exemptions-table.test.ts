import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { decodeExemptionItems, exemptionKey, fromExemptionItem, isExpired, toExemptionItem, type StoredExemption } from '../../../../lambda/shared/exemptions/exemptions-table';
import { scanExemptions } from '../../../../lambda/shared/exemptions/exemptions-store';

const stored: StoredExemption = {
  bucket: 'site-*',
  reason: 'public marketing website, reviewed in SEC-123',
  owner: 'web-team@example.com',
  expires: '2027-01-31',
  createdAt: '2026-11-22T08:00:00.000Z',
  createdBy: 'arn:aws:sts::111122223333:assumed-role/SecurityReviewer/carol',
  source: 'exempt-command',
  auditId: 'op-1',
};

describe('exemptions table codec', () => {
  test('an exemption survives a round trip through its item', () => {
    const item = toExemptionItem(stored);
    expect(item.bucket).toBe('site-*');
    expect(fromExemptionItem(item)).toEqual({ exemption: stored });
  });

  test.each([
    ['no bucket', { reason: 'r', owner: 'o', expires: '2027-01-01' }, /bucket must be a non-empty string/],
    ['a bucket with a space', { bucket: 'Site A', reason: 'r', owner: 'o', expires: '2027-01-01' }, /is not a bucket name or glob/],
    ['no reason', { bucket: 'b', owner: 'o', expires: '2027-01-01' }, /reason must be a non-empty string/],
    ['a bad date', { bucket: 'b', reason: 'r', owner: 'o', expires: 'next year' }, /is not an ISO 8601 date/],
    ['a number as owner', { bucket: 'b', reason: 'r', owner: 7, expires: '2027-01-01' }, /owner must be a non-empty string/],
  ])('an item with %s is reported invalid, never thrown', (_name, item, problem) => {
    const decoded = fromExemptionItem(item as Record<string, unknown>);
    expect('invalid' in decoded && decoded.invalid.problem).toMatch(problem);
  });

  test('items written without metadata decode with it marked unknown', () => {
    expect(fromExemptionItem({ bucket: 'b', reason: 'r', owner: 'o', expires: '2027-01-01' })).toEqual({
      exemption: { bucket: 'b', reason: 'r', owner: 'o', expires: '2027-01-01', createdAt: 'unknown', createdBy: 'unknown', source: 'exempt-command', auditId: 'unknown' },
    });
  });

  test('valid and invalid items are separated, order kept', () => {
    const decoded = decodeExemptionItems([toExemptionItem(stored), { bucket: 'x' }, toExemptionItem({ ...stored, bucket: 'other' })]);
    expect(decoded.exemptions.map((exemption) => exemption.bucket)).toEqual(['site-*', 'other']);
    expect(decoded.invalid).toEqual([{ bucket: 'x', problem: expect.stringContaining('reason must be') }]);
  });

  test('an exemption scoped to an account is keyed <account>/<bucket>, so one name can be exempted in two accounts', () => {
    const inA = toExemptionItem({ ...stored, account: '444455556666' });
    const inB = toExemptionItem({ ...stored, account: '777788889999', owner: 'other-team' });
    expect([inA.bucket, inA.account]).toEqual(['444455556666/site-*', '444455556666']);
    expect(inB.bucket).toBe('777788889999/site-*');
    expect(fromExemptionItem(inA)).toEqual({ exemption: { ...stored, account: '444455556666' } });
    expect(fromExemptionItem(toExemptionItem({ ...stored, account: '*' }))).toEqual({ exemption: { ...stored, account: '*' } });
    expect(exemptionKey({ bucket: 'site-*' })).toBe('site-*');
  });

  test('an item whose key does not carry its own account is invalid (someone wrote it by hand)', () => {
    const decoded = fromExemptionItem({ ...toExemptionItem(stored), account: '444455556666' });
    expect(decoded).toEqual({ invalid: { bucket: 'site-*', problem: expect.stringContaining('does not start with its account 444455556666/') } });
  });

  test.each([
    ['2027-01-31', '2027-01-30T23:59:59Z', false],
    ['2027-01-31', '2027-01-31T00:00:00Z', true],
    ['2027-01-31T12:00:00Z', '2027-01-31T11:59:59Z', false],
  ])('expires %s at %s → expired %s', (expires, now, expired) => {
    expect(isExpired({ expires }, new Date(now))).toBe(expired);
  });
});

describe('scanExemptions', () => {
  const mock = mockClient(DynamoDBDocumentClient);
  afterEach(() => mock.reset());
  afterAll(() => mock.restore());

  test('reads every page with strongly consistent reads', async () => {
    // GIVEN a table answering in two pages
    mock
      .on(ScanCommand)
      .resolvesOnce({ Items: [toExemptionItem(stored)], LastEvaluatedKey: { bucket: 'site-*' } })
      .resolvesOnce({ Items: [toExemptionItem({ ...stored, bucket: 'docs-bucket' }), { bucket: 'broken' }] });
    // WHEN scanned
    const result = await scanExemptions(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'exemptions');
    // THEN both pages, consistent reads, the second starting after the first
    expect(result.exemptions.map((exemption) => exemption.bucket)).toEqual(['site-*', 'docs-bucket']);
    expect(result.invalid).toHaveLength(1);
    const calls = mock.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { TableName: 'exemptions', ConsistentRead: true, ExclusiveStartKey: undefined },
      { TableName: 'exemptions', ConsistentRead: true, ExclusiveStartKey: { bucket: 'site-*' } },
    ]);
  });
});
