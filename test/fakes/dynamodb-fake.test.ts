/** The DynamoDB fake must judge conditions as DynamoDB does, or the idempotency tests prove nothing. */
import { applyUpdate, evaluateCondition } from './dynamodb-fake';

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
