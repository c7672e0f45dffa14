/**
 * An in-memory DynamoDB table for the sweep's progress store, with the document client's `send`: Get, Put,
 * Update and TransactWrite, condition expressions (attribute_exists, attribute_not_exists, contains,
 * comparisons between paths and values, AND / OR / NOT, parentheses) and update expressions (SET, ADD on
 * numbers and string sets, REMOVE) evaluated as DynamoDB does. A transaction is all or nothing and fails
 * with TransactionCanceledException carrying one cancellation reason per item.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Names = Readonly<Record<string, string>>;
type Values = Readonly<Record<string, unknown>>;

/** A Set from any realm (Node's structuredClone and jest's test context each have their own Set). */
function isSet(value: unknown): value is Set<unknown> {
  return Object.prototype.toString.call(value) === '[object Set]';
}

/** Deep copy that keeps Sets as Sets of this realm. */
function clone<T>(value: T): T {
  if (isSet(value)) return new Set([...value].map((member) => clone(member))) as T;
  if (Array.isArray(value)) return value.map((member: unknown) => clone(member)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, clone(member)])) as T;
  }
  return value;
}

const TOKEN = /\s*(attribute_not_exists|attribute_exists|contains|AND|OR|NOT|\(|\)|<>|<=|>=|=|<|>|,|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length && !/^\s*$/.test(expression.slice(TOKEN.lastIndex))) {
    const match = TOKEN.exec(expression);
    if (match === null || match[1] === undefined) {
      throw new Error(`progress table fake: cannot read "${expression.slice(TOKEN.lastIndex)}"`);
    }
    tokens.push(match[1]);
  }
  return tokens;
}

function nameOf(token: string, names: Names): string {
  if (token.startsWith('#')) {
    const name = names[token];
    if (name === undefined) throw new Error(`progress table fake: ${token} is not in ExpressionAttributeNames`);
    return name;
  }
  return token;
}

function valueOf(token: string, item: Item | undefined, names: Names, values: Values): unknown {
  if (token.startsWith(':')) {
    if (!(token in values)) throw new Error(`progress table fake: ${token} is not in ExpressionAttributeValues`);
    return values[token];
  }
  return item?.[nameOf(token, names)];
}

function compare(left: unknown, operator: string, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  if (operator === '=') return JSON.stringify(left) === JSON.stringify(right);
  if (operator === '<>') return JSON.stringify(left) !== JSON.stringify(right);
  if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) return false;
  const [a, b] = [left as number | string, right as number | string];
  return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
}

export function evaluateCondition(expression: string, item: Item | undefined, names: Names = {}, values: Values = {}): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`progress table fake: expected ${expected ?? 'a token'} in "${expression}"`);
    }
    return token;
  };
  const orExpression = (): boolean => {
    let result = andExpression();
    while (peek() === 'OR') {
      take();
      result = andExpression() || result;
    }
    return result;
  };
  const andExpression = (): boolean => {
    let result = factor();
    while (peek() === 'AND') {
      take();
      result = factor() && result;
    }
    return result;
  };
  const factor = (): boolean => {
    const token = take();
    if (token === 'NOT') return !factor();
    if (token === '(') {
      const result = orExpression();
      take(')');
      return result;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      take('(');
      const path = nameOf(take(), names);
      take(')');
      const exists = item !== undefined && item[path] !== undefined;
      return token === 'attribute_exists' ? exists : !exists;
    }
    if (token === 'contains') {
      take('(');
      const haystack = valueOf(take(), item, names, values);
      take(',');
      const needle = valueOf(take(), item, names, values);
      take(')');
      if (isSet(haystack) || Array.isArray(haystack)) return [...haystack].includes(needle);
      return typeof haystack === 'string' && typeof needle === 'string' && haystack.includes(needle);
    }
    const operator = take();
    return compare(valueOf(token, item, names, values), operator, valueOf(take(), item, names, values));
  };
  const result = orExpression();
  if (position !== tokens.length) throw new Error(`progress table fake: trailing tokens in "${expression}"`);
  return result;
}

export function applyUpdate(expression: string, item: Item, names: Names = {}, values: Values = {}): Item {
  const updated: Item = clone(item);
  const sections = expression.split(/\b(SET|ADD|REMOVE)\b/).map((part) => part.trim());
  for (let index = 1; index < sections.length; index += 2) {
    const keyword = sections[index];
    const clauses = (sections[index + 1] ?? '').split(',').map((clause) => clause.trim()).filter(Boolean);
    for (const clause of clauses) {
      if (keyword === 'SET') {
        const [path, value] = clause.split('=').map((part) => part.trim()) as [string, string];
        updated[nameOf(path, names)] = clone(valueOf(value, item, names, values));
      } else if (keyword === 'REMOVE') {
        delete updated[nameOf(clause, names)];
      } else {
        const [path, value] = clause.split(/\s+/) as [string, string];
        const name = nameOf(path, names);
        const addition = valueOf(value, item, names, values);
        const current = updated[name];
        if (typeof addition === 'number') {
          updated[name] = (typeof current === 'number' ? current : 0) + addition;
        } else if (isSet(addition)) {
          updated[name] = new Set([...(isSet(current) ? current : []), ...addition]);
        } else {
          throw new Error(`progress table fake: ADD needs a number or a set, got ${typeof addition}`);
        }
      }
    }
  }
  return updated;
}

type WriteRequest =
  | { kind: 'put'; input: { TableName: string; Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values } }
  | {
      kind: 'update';
      input: { TableName: string; Key: Item; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
    };

export interface ProgressTableFakeOptions {
  readonly tableName: string;
  /** Delay of every call, in ms (the benchmark's D). */
  readonly delayMs?: number;
}

export class ProgressTableFake {
  readonly items = new Map<string, Item>();
  /** Every command received, by name, in order. */
  readonly calls: string[] = [];
  private failures: { command: string; remaining: number; error: Error }[] = [];

  constructor(private readonly options: ProgressTableFakeOptions) {}

  /** Makes the next `times` calls of `command` (Get, Put, Update, TransactWrite) fail with `error`. */
  injectError(command: 'Get' | 'Put' | 'Update' | 'TransactWrite', error: Error, times = 1): void {
    this.failures.push({ command, remaining: times, error });
  }

  item(pk: string): Item | undefined {
    return this.items.get(pk);
  }

  async send(command: unknown): Promise<Record<string, unknown>> {
    const name =
      command instanceof GetCommand ? 'Get' : command instanceof PutCommand ? 'Put' : command instanceof UpdateCommand ? 'Update' : command instanceof TransactWriteCommand ? 'TransactWrite' : 'Unknown';
    this.calls.push(name);
    if ((this.options.delayMs ?? 0) > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    }
    const failure = this.failures.find((candidate) => candidate.command === name && candidate.remaining > 0);
    if (failure !== undefined) {
      failure.remaining -= 1;
      throw failure.error;
    }
    if (command instanceof GetCommand) {
      this.checkTable(command.input.TableName);
      const item = this.items.get(String(command.input.Key?.pk));
      return item === undefined ? {} : { Item: clone(item) };
    }
    if (command instanceof PutCommand) {
      const request = { kind: 'put' as const, input: command.input as WriteRequest['input'] & { Item: Item } };
      this.applyAll([request], false);
      return {};
    }
    if (command instanceof UpdateCommand) {
      const request = { kind: 'update' as const, input: command.input as Extract<WriteRequest, { kind: 'update' }>['input'] };
      const [key] = this.applyAll([request], false);
      return command.input.ReturnValues === 'ALL_NEW' ? { Attributes: clone(this.items.get(key as string)) } : {};
    }
    if (command instanceof TransactWriteCommand) {
      const requests = (command.input.TransactItems ?? []).map((entry): WriteRequest => {
        if (entry.Put) return { kind: 'put', input: entry.Put as Extract<WriteRequest, { kind: 'put' }>['input'] };
        if (entry.Update) return { kind: 'update', input: entry.Update as Extract<WriteRequest, { kind: 'update' }>['input'] };
        throw new Error('progress table fake: only Put and Update in transactions');
      });
      this.applyAll(requests, true);
      return {};
    }
    throw new Error('progress table fake: unsupported command');
  }

  private checkTable(tableName: unknown): void {
    if (tableName !== this.options.tableName) throw new Error(`progress table fake: unknown table ${String(tableName)}`);
  }

  /** Checks every condition first, then applies every write: all or nothing. Returns the keys written. */
  private applyAll(requests: readonly WriteRequest[], transaction: boolean): string[] {
    const keys = requests.map((request) => String(request.kind === 'put' ? request.input.Item.pk : request.input.Key.pk));
    if (transaction && new Set(keys).size !== keys.length) {
      throw new Error('progress table fake: a transaction cannot touch one item twice');
    }
    const passed = requests.map((request, index) => {
      this.checkTable(request.input.TableName);
      const condition = request.input.ConditionExpression;
      return condition === undefined || evaluateCondition(condition, this.items.get(keys[index] as string), request.input.ExpressionAttributeNames, request.input.ExpressionAttributeValues);
    });
    if (passed.some((ok) => !ok)) {
      if (transaction) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: passed.map((ok) => (ok ? { Code: 'None' } : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' })),
        });
      }
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
    requests.forEach((request, index) => {
      const key = keys[index] as string;
      if (request.kind === 'put') {
        this.items.set(key, clone(request.input.Item));
      } else {
        const base = this.items.get(key) ?? { pk: key };
        this.items.set(key, applyUpdate(request.input.UpdateExpression, base, request.input.ExpressionAttributeNames, request.input.ExpressionAttributeValues));
      }
    });
    return keys;
  }
}
