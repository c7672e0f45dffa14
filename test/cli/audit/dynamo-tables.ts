/**
 * In-memory DynamoDB tables behind an aws-sdk-client-mock mock of the document client, for the CLI tests:
 * Get, Put, Delete, Scan, Query on global secondary indexes (partition equality and BETWEEN on the sort key,
 * newest first, FilterExpression after the page is read, as DynamoDB does) and TransactWrite (all or
 * nothing). `pageSize` makes every Query and Scan page that small, so pagination is exercised.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { evaluateCondition, withoutUndefined } from '../../fakes/dynamodb-fake';

type Item = Record<string, unknown>;
type Names = Record<string, string>;
type Values = Record<string, unknown>;

export interface TableDefinition {
  readonly partitionKey: string;
  /** Index name → its partition and sort key. */
  readonly indexes?: Readonly<Record<string, { readonly partitionKey: string; readonly sortKey: string }>>;
}

function conditionalCheckFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
}

export class DynamoTables {
  readonly mock = mockClient(DynamoDBDocumentClient);
  /** Runs after every GetCommand: lets a test model another writer acting between a read and a write. */
  afterGet?: (table: string, key: string) => void;
  private readonly tables = new Map<string, { definition: TableDefinition; items: Map<string, Item> }>();

  constructor(
    definitions: Readonly<Record<string, TableDefinition>>,
    private readonly pageSize = 1000,
  ) {
    for (const [name, definition] of Object.entries(definitions)) {
      this.tables.set(name, { definition, items: new Map() });
    }
    this.install();
  }

  items(table: string): Item[] {
    return [...this.table(table).items.values()];
  }

  item(table: string, key: string): Item | undefined {
    return this.table(table).items.get(key);
  }

  put(table: string, item: Item): void {
    const { definition, items } = this.table(table);
    items.set(String(item[definition.partitionKey]), withoutUndefined(structuredClone(item)));
  }

  delete(table: string, key: string): void {
    this.table(table).items.delete(key);
  }

  restore(): void {
    this.mock.restore();
  }

  private table(name: unknown) {
    const table = this.tables.get(String(name));
    if (!table) throw new Error(`dynamo-tables: unknown table ${String(name)}`);
    return table;
  }

  private check(input: { ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values }, existing: Item | undefined): boolean {
    return input.ConditionExpression === undefined || evaluateCondition(input.ConditionExpression, existing, input.ExpressionAttributeNames ?? {}, input.ExpressionAttributeValues ?? {});
  }

  private install(): void {
    this.mock.on(GetCommand).callsFake((input) => {
      const { definition, items } = this.table(input.TableName);
      const key = String((input.Key as Item)[definition.partitionKey]);
      const item = items.get(key);
      const result = item ? { Item: structuredClone(item) } : {};
      this.afterGet?.(String(input.TableName), key);
      return result;
    });
    this.mock.on(PutCommand).callsFake((input) => {
      const { definition, items } = this.table(input.TableName);
      const key = String((input.Item as Item)[definition.partitionKey]);
      if (!this.check(input, items.get(key))) throw conditionalCheckFailed();
      items.set(key, withoutUndefined(structuredClone(input.Item as Item)));
      return {};
    });
    this.mock.on(DeleteCommand).callsFake((input) => {
      const { definition, items } = this.table(input.TableName);
      const key = String((input.Key as Item)[definition.partitionKey]);
      if (!this.check(input, items.get(key))) throw conditionalCheckFailed();
      items.delete(key);
      return {};
    });
    this.mock.on(ScanCommand).callsFake((input) => {
      const { definition, items } = this.table(input.TableName);
      const all = [...items.values()].sort((a, b) => String(a[definition.partitionKey]).localeCompare(String(b[definition.partitionKey])));
      return this.page(all, input.ExclusiveStartKey as Item | undefined, definition.partitionKey);
    });
    this.mock.on(QueryCommand).callsFake((input) => {
      const { definition, items } = this.table(input.TableName);
      const index = definition.indexes?.[String(input.IndexName)];
      if (!index) throw new Error(`dynamo-tables: no index ${String(input.IndexName)} (the CLI must never scan the audit table)`);
      const names = (input.ExpressionAttributeNames ?? {}) as Names;
      const values = (input.ExpressionAttributeValues ?? {}) as Values;
      const match = /^(\S+) = (\S+) AND (\S+) BETWEEN (\S+) AND (\S+)$/.exec(String(input.KeyConditionExpression));
      if (!match) throw new Error(`dynamo-tables: unsupported key condition ${String(input.KeyConditionExpression)}`);
      const [, pkName, pkValue, skName, fromValue, toValue] = match as unknown as string[];
      const resolve = (token: string) => (token.startsWith('#') ? (names[token] as string) : token);
      if (resolve(pkName as string) !== index.partitionKey || resolve(skName as string) !== index.sortKey) {
        throw new Error('dynamo-tables: the key condition does not use the index keys');
      }
      const [from, to] = [values[fromValue as string] as string, values[toValue as string] as string];
      const inIndex = [...items.values()]
        .filter((item) => item[index.partitionKey] === values[pkValue as string] && typeof item[index.sortKey] === 'string')
        .filter((item) => (item[index.sortKey] as string) >= from && (item[index.sortKey] as string) <= to)
        .sort((a, b) => String(a[index.sortKey]).localeCompare(String(b[index.sortKey])) || String(a[definition.partitionKey]).localeCompare(String(b[definition.partitionKey])));
      if (input.ScanIndexForward === false) inIndex.reverse();
      const page = this.page(inIndex, input.ExclusiveStartKey as Item | undefined, definition.partitionKey, [index.partitionKey, index.sortKey]);
      const filter = input.FilterExpression;
      return filter === undefined ? page : { ...page, Items: page.Items.filter((item) => evaluateCondition(filter, item, names, values)) };
    });
    this.mock.on(TransactWriteCommand).callsFake((input) => {
      const writes = (input.TransactItems ?? []) as NonNullable<TransactWriteCommandInput['TransactItems']>;
      const reasons = writes.map((write) => {
        const operation = (write.Put ?? write.Delete ?? write.ConditionCheck ?? write.Update) as Item & { TableName: string; Key?: Item; Item?: Item };
        const { definition, items } = this.table(operation.TableName);
        const key = String((operation.Item ?? operation.Key ?? {})[definition.partitionKey]);
        return this.check(operation as never, items.get(key)) ? { Code: 'None' } : { Code: 'ConditionalCheckFailed' };
      });
      if (reasons.some((reason) => reason.Code !== 'None')) {
        throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: { httpStatusCode: 400 }, CancellationReasons: reasons });
      }
      for (const write of writes) {
        if (write.Put) {
          const { definition, items } = this.table(write.Put.TableName);
          items.set(String((write.Put.Item as Item)[definition.partitionKey]), withoutUndefined(structuredClone(write.Put.Item as Item)));
        } else if (write.Delete) {
          const { definition, items } = this.table(write.Delete.TableName);
          items.delete(String((write.Delete.Key as Item)[definition.partitionKey]));
        } else if (write.Update) {
          throw new Error('dynamo-tables: Update in a transaction is not modelled');
        }
      }
      return {};
    });
  }

  private page(all: Item[], startKey: Item | undefined, partitionKey: string, keyAttributes: string[] = []) {
    const start = startKey === undefined ? 0 : all.findIndex((item) => item[partitionKey] === startKey[partitionKey]) + 1;
    const slice = all.slice(start, start + this.pageSize);
    const last = slice[slice.length - 1];
    const more = start + this.pageSize < all.length && last !== undefined;
    return {
      Items: slice.map((item) => structuredClone(item)),
      ...(more ? { LastEvaluatedKey: Object.fromEntries([partitionKey, ...keyAttributes].map((name) => [name, last[name]])) } : {}),
    };
  }
}

export { DynamoDBDocumentClient };
