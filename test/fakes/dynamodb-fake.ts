/**
 * An in-memory DynamoDB table behind an aws-sdk-client-mock mock of DynamoDBDocumentClient: PutCommand,
 * GetCommand, UpdateCommand and ScanCommand, with condition expressions evaluated as DynamoDB does for the
 * subset the guardrail uses (attribute_exists / attribute_not_exists, comparisons, AND / OR / NOT,
 * parentheses; `SET a = :v, …` and `REMOVE a, …` updates; `ReturnValues: 'ALL_OLD'`). A failed condition throws
 * ConditionalCheckFailedException. Several tables can share one client (`installDynamoTables`): each call
 * goes to the table its TableName names.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CallLog, type FakeStub } from './call-log';
import type { InjectableError } from './s3-fake';

type Item = Record<string, unknown>;
type Names = Readonly<Record<string, string>>;
type Values = Readonly<Record<string, unknown>>;

const TOKEN = /\s*(attribute_not_exists|attribute_exists|AND|OR|NOT|\(|\)|<>|<=|>=|=|<|>|,|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (match === null || match[1] === undefined) {
      throw new Error(`dynamodb fake: cannot read expression at "${expression.slice(TOKEN.lastIndex)}"`);
    }
    tokens.push(match[1]);
  }
  return tokens;
}

function compare(left: unknown, operator: string, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  switch (operator) {
    case '=':
      return JSON.stringify(left) === JSON.stringify(right);
    case '<>':
      return JSON.stringify(left) !== JSON.stringify(right);
    default: {
      if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) return false;
      const a = left as number | string;
      const b = right as number | string;
      return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
    }
  }
}

/**
 * What DynamoDB stores: a deep copy with `undefined` members dropped at every depth (removeUndefinedValues).
 * Also the fake's copier for what it returns, so callers never share state with the table.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) copy[key] = withoutUndefined(member);
    }
    return copy as T;
  }
  return value;
}

/** Evaluates a condition expression against an item (undefined: no item). */
export function evaluateCondition(expression: string, item: Item | undefined, names: Names = {}, values: Values = {}): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw new Error(`dynamodb fake: unexpected end of "${expression}"`);
    return token;
  };
  const attributeName = (token: string) => {
    if (token.startsWith('#')) {
      const name = names[token];
      if (name === undefined) throw new Error(`dynamodb fake: ${token} not in ExpressionAttributeNames`);
      return name;
    }
    return token;
  };
  const operand = (): unknown => {
    const token = next();
    if (token.startsWith(':')) {
      if (!(token in values)) throw new Error(`dynamodb fake: ${token} not in ExpressionAttributeValues`);
      return values[token];
    }
    return item?.[attributeName(token)];
  };
  const primary = (): boolean => {
    const token = peek();
    if (token === '(') {
      next();
      const value = or();
      if (next() !== ')') throw new Error('dynamodb fake: missing )');
      return value;
    }
    if (token === 'NOT') {
      next();
      return !primary();
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      next();
      if (next() !== '(') throw new Error('dynamodb fake: expected (');
      const name = attributeName(next());
      if (next() !== ')') throw new Error('dynamodb fake: expected )');
      const exists = item !== undefined && item[name] !== undefined;
      return token === 'attribute_exists' ? exists : !exists;
    }
    const left = operand();
    const operator = next();
    return compare(left, operator, operand());
  };
  const and = (): boolean => {
    let value = primary();
    while (peek() === 'AND') {
      next();
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === 'OR') {
      next();
      const right = and();
      value = value || right;
    }
    return value;
  };
  const result = or();
  if (position !== tokens.length) throw new Error(`dynamodb fake: trailing tokens in "${expression}"`);
  return result;
}

/** Applies `SET a = :v, b = :w REMOVE c, d` to a copy of the item (the values themselves are not copied). */
export function applyUpdate(expression: string, item: Item, names: Names = {}, values: Values = {}): Item {
  const updated: Item = { ...item };
  const resolve = (token: string) => (token.startsWith('#') ? (names[token] ?? token) : token);
  const clauses = expression.split(/\b(?=SET\b|REMOVE\b)/).map((clause) => clause.trim()).filter(Boolean);
  for (const clause of clauses) {
    if (clause.startsWith('SET ')) {
      for (const assignment of clause.slice(4).split(',')) {
        const [target, source] = assignment.split('=').map((part) => part.trim());
        if (target === undefined || source === undefined || !(source in values)) throw new Error(`dynamodb fake: cannot apply "${assignment}"`);
        updated[resolve(target)] = values[source];
      }
    } else if (clause.startsWith('REMOVE ')) {
      for (const target of clause.slice(7).split(',')) delete updated[resolve(target.trim())];
    } else {
      throw new Error(`dynamodb fake: unsupported update clause "${clause}"`);
    }
  }
  return updated;
}

export interface DynamoTableFakeOptions {
  readonly tableName: string;
  readonly partitionKey?: string;
  readonly delayMs?: number;
  readonly log?: CallLog;
  /** Items per Scan page (then LastEvaluatedKey), as DynamoDB's 1 MB page limit would cut. @default - one page */
  readonly scanPageSize?: number;
}

/** The commands the fake answers, named as the call log names them. */
export type DynamoCommandName = 'Put' | 'Get' | 'Update' | 'Scan';

const DOCUMENT_COMMANDS: readonly [DynamoCommandName, unknown][] = [
  ['Put', PutCommand],
  ['Get', GetCommand],
  ['Update', UpdateCommand],
  ['Scan', ScanCommand],
];

export class DynamoTableFake {
  readonly items = new Map<string, Item>();
  readonly log: CallLog;
  readonly tableName: string;
  private readonly partitionKey: string;
  private readonly failures: { command: string; remaining: number; error: InjectableError }[] = [];

  constructor(private readonly options: DynamoTableFakeOptions) {
    this.log = options.log ?? new CallLog();
    this.tableName = options.tableName;
    this.partitionKey = options.partitionKey ?? 'id';
  }

  injectError(command: DynamoCommandName, error: InjectableError, times = 1): void {
    this.failures.push({ command, remaining: times, error });
  }

  /** Installs this table alone on a document-client stub. */
  install(stub: FakeStub): void {
    installDynamoTables(stub, [this]);
  }

  /** Answers one call addressed to this table, after the delay, logging it. */
  async answer(name: DynamoCommandName, input: Record<string, unknown>): Promise<object> {
    const entry = this.log.start('dynamodb', name, input);
    try {
      if ((this.options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      if (input.TableName !== this.tableName) throw new Error(`dynamodb fake: unknown table ${String(input.TableName)}`);
      const failure = this.failures.find((candidate) => candidate.command === name && candidate.remaining > 0);
      if (failure !== undefined) {
        failure.remaining -= 1;
        throw failure.error instanceof Error ? failure.error : Object.assign(new Error(failure.error), { name: failure.error });
      }
      const output = this.handle(name, input);
      this.log.end(entry);
      return { $metadata: { httpStatusCode: 200 }, ...output };
    } catch (error) {
      this.log.end(entry, error);
      throw error;
    }
  }

  private handle(name: DynamoCommandName, input: Record<string, unknown>): object {
    switch (name) {
      case 'Put': {
        const item = input.Item as Item;
        const key = String(item[this.partitionKey]);
        const previous = this.items.get(key);
        this.check(input, previous);
        this.items.set(key, withoutUndefined(item));
        return oldAttributes(input, previous);
      }
      case 'Get': {
        const key = String((input.Key as Item)[this.partitionKey]);
        const item = this.items.get(key);
        return item === undefined ? {} : { Item: withoutUndefined(item) };
      }
      case 'Update': {
        const key = String((input.Key as Item)[this.partitionKey]);
        const existing = this.items.get(key);
        this.check(input, existing);
        const base = existing ?? { [this.partitionKey]: key };
        this.items.set(key, withoutUndefined(applyUpdate(String(input.UpdateExpression), base, input.ExpressionAttributeNames as Names, input.ExpressionAttributeValues as Values)));
        return oldAttributes(input, existing);
      }
      case 'Scan': {
        const keys = [...this.items.keys()];
        const startKey = (input.ExclusiveStartKey as Item | undefined)?.[this.partitionKey];
        const from = startKey === undefined ? 0 : keys.indexOf(String(startKey)) + 1;
        const size = Math.min(typeof input.Limit === 'number' ? input.Limit : Number.POSITIVE_INFINITY, this.options.scanPageSize ?? Number.POSITIVE_INFINITY);
        const page = keys.slice(from, from + size);
        const last = page[page.length - 1];
        const more = from + page.length < keys.length;
        return {
          Items: page.map((key) => withoutUndefined(this.items.get(key) as Item)),
          Count: page.length,
          ScannedCount: page.length,
          ...(more && last !== undefined ? { LastEvaluatedKey: { [this.partitionKey]: last } } : {}),
        };
      }
    }
  }

  private check(input: Record<string, unknown>, existing: Item | undefined): void {
    const condition = input.ConditionExpression;
    if (typeof condition !== 'string') return;
    if (!evaluateCondition(condition, existing, input.ExpressionAttributeNames as Names, input.ExpressionAttributeValues as Values)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
  }
}

/** `ReturnValues: 'ALL_OLD'`: the item as it was before the write (nothing when there was none), as DynamoDB returns it. */
function oldAttributes(input: Record<string, unknown>, previous: Item | undefined): object {
  if (input.ReturnValues !== 'ALL_OLD' || previous === undefined) return {};
  return { Attributes: structuredClone(withoutUndefined(previous)) };
}

/** Installs several tables on one document-client stub; each call goes to the table its TableName names. */
export function installDynamoTables(stub: FakeStub, tables: readonly DynamoTableFake[]): void {
  const byName = new Map(tables.map((table) => [table.tableName, table]));
  const fallback = tables[0];
  if (fallback === undefined) throw new Error('dynamodb fake: no table to install');
  const on = stub.on.bind(stub) as (command: unknown) => { callsFake(fn: (input: Record<string, unknown>) => unknown): unknown };
  for (const [name, command] of DOCUMENT_COMMANDS) {
    // An unknown TableName goes to the first table, which fails it as DynamoDB would (ResourceNotFound).
    on(command).callsFake((input) => (byName.get(String(input.TableName)) ?? fallback).answer(name, input));
  }
}

export { DynamoDBDocumentClient };
