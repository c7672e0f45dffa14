import { matchesEventPattern, UnsupportedPatternError } from './event-pattern-matcher';

// The examples follow the EventBridge user guide's content-filtering section and the event-ruler README.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

describe('matchesEventPattern', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['an exact value in the list matches', { source: ['aws.ec2', 'aws.fargate'] }, true],
    ['an exact value not in the list does not match', { source: ['aws.s3'] }, false],
    ['fields are ANDed: one failing field fails the pattern', { source: ['aws.ec2'], region: ['eu-west-1'] }, false],
    ['an array event value matches when any element matches', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'] }, true],
    ['prefix matches the start of a string', { time: [{ prefix: '2017-10-02' }] }, true],
    ['prefix does not match elsewhere in the string', { time: [{ prefix: '10-02' }] }, false],
    ['suffix matches the end of a string', { source: [{ suffix: 'ec2' }] }, true],
    ['equals-ignore-case ignores case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, true],
    ['anything-but a value matches other values', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but a value rejects that value', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
    ['anything-but a list rejects every listed value', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
    ['anything-but a prefix rejects values with that prefix', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
    ['anything-but a prefix accepts other values', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
    ['anything-but never matches a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but prefix never matches a missing field', { detail: { missing: [{ 'anything-but': { prefix: 'x' } }] } }, false],
    ['exists true matches a present leaf', { detail: { 'c-count': [{ exists: true }] } }, true],
    ['exists false matches a missing leaf', { detail: { 'no-such-field': [{ exists: false }] } }, true],
    ['exists false does not match a present leaf', { detail: { 'c-count': [{ exists: false }] } }, false],
    ['exists false matches a leaf under a missing parent', { detail: { nested: { leaf: [{ exists: false }] } } }, true],
    ['exists true does not match an object (not a leaf)', { detail: [{ exists: true }] }, false],
    ['numeric ranges compare numbers', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric ranges reject numbers outside', { detail: { 'd-count': [{ numeric: ['>', 3] }] } }, false],
    ['$or matches when one branch matches', { $or: [{ source: ['aws.s3'] }, { region: ['us-east-1'] }] }, true],
    ['$or fails when no branch matches', { $or: [{ source: ['aws.s3'] }, { region: ['eu-west-1'] }] }, false],
    [
      '$or nested in detail applies to that level',
      { detail: { $or: [{ state: ['stopped'] }, { 'instance-id': [{ prefix: 'i-0000' }] }] } },
      true,
    ],
    [
      '$or with anything-but OR exists:false matches a missing field',
      { detail: { $or: [{ owner: [{ 'anything-but': { prefix: 'me' } }] }, { owner: [{ exists: false }] }] } },
      true,
    ],
  ];

  it.each(cases)('%s', (_title, pattern, expected) => {
    // GIVEN the sample EC2 event from the EventBridge documentation
    // WHEN the pattern is evaluated
    // THEN the result is what EventBridge documents
    expect(matchesEventPattern(ec2Event, pattern)).toBe(expected);
  });

  it('drops an event that lacks the field when a plain anything-but is used', () => {
    // GIVEN an event whose detail has no "owner"
    const pattern = { detail: { owner: [{ 'anything-but': { prefix: 'me' } }] } };
    // WHEN a plain anything-but is used
    // THEN the event is dropped: the reason the guardrail's self-exclusion needs $or
    expect(matchesEventPattern(ec2Event, pattern)).toBe(false);
  });

  it.each([
    ['an unknown operator', { source: [{ wildcard: 'aws.*' }] }],
    ['a $or with one branch', { $or: [{ source: ['aws.ec2'] }] }],
    ['a field whose value is a string', { source: 'aws.ec2' }],
    ['a matcher object with two operators', { source: [{ prefix: 'aws', suffix: 'ec2' }] }],
    ['an empty value list', { source: [] }],
  ])('throws on %s instead of guessing', (_title, pattern) => {
    // GIVEN syntax outside the supported subset WHEN matching THEN the matcher refuses
    expect(() => matchesEventPattern(ec2Event, pattern as Record<string, unknown>)).toThrow(UnsupportedPatternError);
  });
});
