/** The DynamoDB fake must judge conditions as DynamoDB does, or the idempotency tests prove nothing. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { FakeStub } from './call-log';
import { CallLog } from './call-log';
import { DynamoTableFake, applyUpdate, evaluateCondition, installDynamoTables, withoutUndefined } from './dynamodb-fake';

const item = { id: 'a', leaseUntil: 100, claimToken: 't1', finishedAt: undefined as string | undefined, outcome: 'remediated' };
const names = { '#id': 'id', '#finishedAt': 'finishedAt', '#leaseUntil': 'leaseUntil', '#claimToken': 'claimToken' };

describe('condition expressions in the DynamoDB fake', () => {
  it.each([
    ['attribute_not_exists(#id)', undefined, {}, true],
    ['attribute_not_exists(#id)', item, {}, false],
    ['attribute_exists(#id)', item, {}, true],
    ['attribute_not_exists(#finishedAt)', item, {}, true],
    ['#leaseUntil < :now', item, { ':now': 101 }, true],
    ['#leaseUntil < :now', item, { ':now': 100 }, false],
    ['#claimToken = :token AND attribute_not_exists(#finishedAt)', item, { ':token': 't1' }, true],
    ['#claimToken = :token AND attribute_not_exists(#finishedAt)', item, { ':token': 't2' }, false],
    ['attribute_not_exists(#id) OR (attribute_not_exists(#finishedAt) AND #leaseUntil < :now)', item, { ':now': 50 }, false],
    ['attribute_not_exists(#id) OR (attribute_not_exists(#finishedAt) AND #leaseUntil < :now)', item, { ':now': 500 }, true],
    ['attribute_not_exists(#id) OR (attribute_not_exists(#finishedAt) AND #leaseUntil < :now)', { ...item, finishedAt: 'x' }, { ':now': 500 }, false],
    ['NOT #claimToken = :token', item, { ':token': 't1' }, false],
    ['outcome <> :o', item, { ':o': 'failed' }, true],
  ] as const)('%s on %j with %j is %s', (expression, target, values, expected) => {
    expect(evaluateCondition(expression, target, names, values)).toBe(expected);
  });

  it('rejects a placeholder it was not given, as DynamoDB does', () => {
    expect(() => evaluateCondition('#nope = :v', item, names, { ':v': 1 })).toThrow(/ExpressionAttributeNames/);
  });

  it('applies SET and REMOVE updates', () => {
    expect(applyUpdate('SET #a = :a, #b = :b REMOVE #c', { id: 'x', c: 1 }, { '#a': 'a', '#b': 'b', '#c': 'c' }, { ':a': 1, ':b': [2] })).toEqual({ id: 'x', a: 1, b: [2] });
  });
});

describe('tables behind one document client', () => {
  const stub = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  let audit: DynamoTableFake;
  let exemptions: DynamoTableFake;

  beforeEach(() => {
    stub.reset();
    const log = new CallLog();
    audit = new DynamoTableFake({ tableName: 'audit', log });
    exemptions = new DynamoTableFake({ tableName: 'exemptions', partitionKey: 'bucket', log, scanPageSize: 2 });
    installDynamoTables(stub as unknown as FakeStub, [audit, exemptions]);
  });

  it('sends each call to the table its TableName names, keyed by that table\'s partition key', async () => {
    // GIVEN two tables WHEN an item is put in each THEN each lands in its own table under its own key
    await client.send(new PutCommand({ TableName: 'audit', Item: { id: 'ct-1', outcome: 'remediated' } }));
    await client.send(new PutCommand({ TableName: 'exemptions', Item: { bucket: 'site-*', owner: 'web' } }));
    expect([...audit.items.keys()]).toEqual(['ct-1']);
    expect([...exemptions.items.keys()]).toEqual(['site-*']);
    expect((await client.send(new GetCommand({ TableName: 'exemptions', Key: { bucket: 'site-*' } }))).Item).toEqual({ bucket: 'site-*', owner: 'web' });
  });

  it('fails a call to a table it does not hold', async () => {
    await expect(client.send(new GetCommand({ TableName: 'nope', Key: { id: 'x' } }))).rejects.toThrow(/unknown table nope/);
  });

  it('scans in pages with LastEvaluatedKey, as DynamoDB cuts a large table', async () => {
    // GIVEN five exemptions and pages of two
    for (const bucket of ['a', 'b', 'c', 'd', 'e']) exemptions.items.set(bucket, { bucket });

    // WHEN the table is scanned page by page
    const pages: string[][] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: 'exemptions', ConsistentRead: true, ExclusiveStartKey: startKey }));
      pages.push((page.Items ?? []).map((item) => item.bucket as string));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);

    // THEN every item comes once, in pages of two, and the last page has no LastEvaluatedKey
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('can fail a Scan on purpose', async () => {
    exemptions.injectError('Scan', 'InternalError');
    await expect(client.send(new ScanCommand({ TableName: 'exemptions' }))).rejects.toMatchObject({ name: 'InternalError' });
    await expect(client.send(new ScanCommand({ TableName: 'exemptions' }))).resolves.toMatchObject({ Items: [] });
  });

  it('never shares state with callers: what it stores and returns are copies', async () => {
    // GIVEN an item put and read back
    const item = { id: 'ct-2', nested: { list: [1, 2] } };
    await client.send(new PutCommand({ TableName: 'audit', Item: item }));
    const read = (await client.send(new GetCommand({ TableName: 'audit', Key: { id: 'ct-2' } }))).Item as typeof item;

    // WHEN the caller changes both THEN the table is unchanged
    item.nested.list.push(3);
    read.nested.list.push(4);
    expect(audit.items.get('ct-2')).toEqual({ id: 'ct-2', nested: { list: [1, 2] } });
  });
});

describe('withoutUndefined', () => {
  it('drops undefined members at every depth and copies dates and bytes', () => {
    const when = new Date(0);
    const copy = withoutUndefined({ a: undefined, b: [{ c: undefined, d: 1 }], when, bytes: new Uint8Array([1]) });
    expect(copy).toEqual({ b: [{ d: 1 }], when: new Date(0), bytes: new Uint8Array([1]) });
    expect(copy.when).not.toBe(when);
  });
});
