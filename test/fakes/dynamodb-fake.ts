/**
 * An in-memory DynamoDB table behind an aws-sdk-client-mock mock of DynamoDBDocumentClient: PutCommand,
 * GetCommand and UpdateCommand with condition expressions evaluated as DynamoDB does for the subset the
 * guardrail uses (attribute_exists / attribute_not_exists, comparisons, AND / OR / NOT, parentheses;
 * `SET a = :v, …` and `REMOVE a, …` updates). A failed condition throws ConditionalCheckFailedException.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/** What DynamoDB stores: `undefined` members dropped at every depth (removeUndefinedValues). */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .map(([key, member]) => [key, withoutUndefined(member)]),
    ) as T;
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

/** Applies `SET a = :v, b = :w REMOVE c, d` to a copy of the item. */
export function applyUpdate(expression: string, item: Item, names: Names = {}, values: Values = {}): Item {
  const updated = structuredClone(item);
  const resolve = (token: string) => (token.startsWith('#') ? (names[token] ?? token) : token);
  const clauses = expression.split(/\b(?=SET\b|REMOVE\b)/).map((clause) => clause.trim()).filter(Boolean);
  for (const clause of clauses) {
    if (clause.startsWith('SET ')) {
      for (const assignment of clause.slice(4).split(',')) {
        const [target, source] = assignment.split('=').map((part) => part.trim());
        if (target === undefined || source === undefined || !(source in values)) throw new Error(`dynamodb fake: cannot apply "${assignment}"`);
        updated[resolve(target)] = structuredClone(values[source]);
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
}

export class DynamoTableFake {
  readonly items = new Map<string, Item>();
  readonly log: CallLog;
  private readonly partitionKey: string;
  private readonly failures: { command: string; remaining: number; error: InjectableError }[] = [];

  constructor(private readonly options: DynamoTableFakeOptions) {
    this.log = options.log ?? new CallLog();
    this.partitionKey = options.partitionKey ?? 'id';
  }

  injectError(command: 'Put' | 'Get' | 'Update', error: InjectableError, times = 1): void {
    this.failures.push({ command, remaining: times, error });
  }

  install(stub: FakeStub): void {
    const wrap = (name: string, handler: (input: Record<string, unknown>) => unknown) => async (input: Record<string, unknown>) => {
      const entry = this.log.start('dynamodb', name, input);
      try {
        if ((this.options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
        if (input.TableName !== this.options.tableName) throw new Error(`dynamodb fake: unknown table ${String(input.TableName)}`);
        const failure = this.failures.find((candidate) => candidate.command === name && candidate.remaining > 0);
        if (failure !== undefined) {
          failure.remaining -= 1;
          throw failure.error instanceof Error ? failure.error : Object.assign(new Error(failure.error), { name: failure.error });
        }
        const output = handler(input);
        this.log.end(entry);
        return { $metadata: { httpStatusCode: 200 }, ...(output as object) };
      } catch (error) {
        this.log.end(entry, error);
        throw error;
      }
    };
    const on = stub.on.bind(stub) as (command: unknown) => { callsFake(fn: (input: Record<string, unknown>) => unknown): unknown };
    on(PutCommand).callsFake(
      wrap('Put', (input) => {
        const item = input.Item as Item;
        const key = String(item[this.partitionKey]);
        this.check(input, this.items.get(key));
        this.items.set(key, withoutUndefined(structuredClone(item)));
        return {};
      }),
    );
    on(GetCommand).callsFake(
      wrap('Get', (input) => {
        const key = String((input.Key as Item)[this.partitionKey]);
        const item = this.items.get(key);
        return item === undefined ? {} : { Item: structuredClone(item) };
      }),
    );
    on(UpdateCommand).callsFake(
      wrap('Update', (input) => {
        const key = String((input.Key as Item)[this.partitionKey]);
        const existing = this.items.get(key);
        this.check(input, existing);
        const base = existing ?? { [this.partitionKey]: key };
        this.items.set(key, withoutUndefined(applyUpdate(String(input.UpdateExpression), base, input.ExpressionAttributeNames as Names, input.ExpressionAttributeValues as Values)));
        return {};
      }),
    );
  }

  private check(input: Record<string, unknown>, existing: Item | undefined): void {
    const condition = input.ConditionExpression;
    if (typeof condition !== 'string') return;
    if (!evaluateCondition(condition, existing, input.ExpressionAttributeNames as Names, input.ExpressionAttributeValues as Values)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
  }
}

export { DynamoDBDocumentClient };
