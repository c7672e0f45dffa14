import { describeChange, diffStates, jsonEqual } from '../../../cli/audit/diff';

describe('diffStates', () => {
  test('a Block Public Access setting switched on is one change per setting', () => {
    const before = { bucketPublicAccessBlock: { BlockPublicAcls: false, IgnorePublicAcls: true } };
    const after = { bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true } };
    expect(diffStates(before, after)).toEqual([{ path: 'bucketPublicAccessBlock.BlockPublicAcls', change: 'changed', before: false, after: true }]);
  });

  test('none configured → configured is one addition', () => {
    const after = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    expect(diffStates({ bucketPublicAccessBlock: null }, { bucketPublicAccessBlock: after })).toEqual([
      { path: 'bucketPublicAccessBlock', change: 'added', after },
    ]);
  });

  test('removing the middle statement of a policy given as JSON text is one removal, not a shift of three', () => {
    // GIVEN policies as the strings GetBucketPolicy returns, statement 1 removed
    const statements = [{ Sid: 'A', Effect: 'Deny' }, { Sid: 'Public', Effect: 'Allow', Principal: '*' }, { Sid: 'C', Effect: 'Allow' }];
    const before = { policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
    const after = { policy: JSON.stringify({ Version: '2012-10-17', Statement: [statements[0], statements[2]] }) };
    // WHEN diffed
    const changes = diffStates(before, after);
    // THEN exactly the public statement is reported removed
    expect(changes).toEqual([{ path: 'policy.Statement[]', change: 'removed', before: statements[1] }]);
    expect(describeChange(changes[0] as (typeof changes)[number])).toBe('- policy.Statement[]: {"Effect":"Allow","Principal":"*","Sid":"Public"}');
  });

  test('equal states, whatever their key order, have no changes', () => {
    expect(diffStates({ a: { x: 1, y: [1, 2] } }, { a: { y: [1, 2], x: 1 } })).toEqual([]);
    expect(jsonEqual({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(true);
  });

  test.each([
    ['numbers', 1, 2],
    ['a string and an object', 'x', { a: 1 }],
    ['invalid JSON text', '{not json', '{still not'],
  ])('any two JSON values give a result without throwing (%s)', (_name, a, b) => {
    expect(() => diffStates(a, b)).not.toThrow();
    expect(diffStates(a, b)).toHaveLength(1);
  });

  test('long values are cut in the one-line description', () => {
    const line = describeChange({ path: 'p', change: 'added', after: 'x'.repeat(1000) }, 20);
    expect(line).toBe(`+ p: "${'x'.repeat(18)}…`);
  });
});
