import { UsageError } from '../../../cli/io';
import { daysNewestFirst, inRange, parseInstant, parseSince, parseTimeRange } from '../../../cli/audit/time-range';

const NOW = new Date('2026-11-23T04:15:45.500Z');

describe('parseSince', () => {
  test.each([
    ['30m', '2026-11-23T03:45:45.500Z'],
    ['36h', '2026-11-21T16:15:45.500Z'],
    ['7d', '2026-11-16T04:15:45.500Z'],
    ['2w', '2026-11-09T04:15:45.500Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T09:30:00Z', '2026-11-01T09:30:00.000Z'],
    ['2026-11-01T09:30', '2026-11-01T09:30:00.000Z'],
    ['2026-11-01T09:30:00+02:00', '2026-11-01T07:30:00.000Z'],
  ])('%s means %s', (since, expected) => {
    // GIVEN a fixed clock WHEN --since is parsed THEN it is that instant (a time without offset is UTC)
    expect(parseSince(since, NOW).toISOString()).toBe(expected);
  });

  test.each([
    ['7x', /unknown unit/],
    ['yesterday', /not an ISO 8601 date/],
    ['2026-13-45', /not a valid date/],
    ['9999999d', /more than ten years/],
    ['5000d', /more than ten years/],
  ])('%s is refused with a UsageError saying why', (since, reason) => {
    expect(() => parseSince(since, NOW)).toThrow(UsageError);
    expect(() => parseSince(since, NOW)).toThrow(reason);
  });
});

describe('parseTimeRange', () => {
  test('defaults to the last seven days up to now', () => {
    const range = parseTimeRange({}, NOW);
    expect(range.from.toISOString()).toBe('2026-11-16T04:15:45.500Z');
    expect(range.to).toEqual(NOW);
  });

  test('a start after the end is refused, naming both', () => {
    expect(() => parseTimeRange({ since: '2026-11-20', until: '2026-11-19' }, NOW)).toThrow(/--since \(2026-11-20T00:00:00.000Z\) is after --until/);
  });

  test('an unparseable --until names the flag', () => {
    expect(() => parseTimeRange({ until: 'soon' }, NOW)).toThrow(/--until "soon"/);
  });
});

describe('daysNewestFirst and inRange', () => {
  test('lists every UTC day the range touches, newest first', () => {
    // GIVEN a range from late on the 20th to early on the 23rd
    const range = { from: new Date('2026-11-20T23:59:59Z'), to: new Date('2026-11-23T00:00:01Z') };
    // THEN four days, newest first
    expect(daysNewestFirst(range)).toEqual(['2026-11-23', '2026-11-22', '2026-11-21', '2026-11-20']);
  });

  test.each([
    ['2026-11-20T10:00:00Z', true],
    ['2026-11-20T10:00:00.000Z', true],
    ['2026-11-20T09:59:59.999Z', false],
    ['2026-11-20T12:00:00Z', true],
    ['2026-11-20T12:00:00.001Z', false],
    ['not a time', false],
  ])('%s inside [10:00, 12:00] is %s', (time, inside) => {
    expect(inRange({ from: new Date('2026-11-20T10:00:00Z'), to: new Date('2026-11-20T12:00:00Z') }, time)).toBe(inside);
  });

  test('parseInstant accepts a bare date as midnight UTC', () => {
    expect(parseInstant('2027-01-31', '--expires').toISOString()).toBe('2027-01-31T00:00:00.000Z');
  });
});
