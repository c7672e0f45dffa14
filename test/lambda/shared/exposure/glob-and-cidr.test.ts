/**
 * The pure helpers under the rules: IAM wildcard matching (including "does this pattern reach some /
 * every object of the bucket") and aws:SourceIp width checks.
 */
import { globMatch, matchesEverythingUnder, matchesSomethingUnder } from '../../../../lambda/shared/exposure/glob';
import { checkCidr } from '../../../../lambda/shared/exposure/conditions';

const PREFIX = 'arn:aws:s3:::amzn-s3-demo-bucket/';

describe('globMatch', () => {
  const rows: ReadonlyArray<readonly [string, string, boolean]> = [
    ['s3:get*', 's3:getobject', true],
    ['s3:*object', 's3:getobject', true],
    ['s3:*object', 's3:getobjectacl', false],
    ['s3:getobjec?', 's3:getobject', true],
    ['s3:getobject', 's3:getobjectacl', false],
    ['*', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['arn:aws:s3:::amzn-s3-demo-*', 'arn:aws:s3:::amzn-s3-demo-bucket', true],
  ];
  it.each(rows)('%s against %s is %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('stays fast on a pattern with many stars that cannot match', () => {
    // GIVEN a pathological pattern WHEN matched THEN it returns quickly (no backtracking blow-up)
    const started = performance.now();
    expect(globMatch(`${'a*'.repeat(200)}b`, 'a'.repeat(2000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('object reach of a resource pattern', () => {
  const rows: ReadonlyArray<readonly [string, boolean, boolean]> = [
    // pattern, reaches some object, reaches every object
    [`${PREFIX}*`, true, true],
    ['*', true, true],
    ['arn:aws:s3:::*', true, true],
    ['arn:aws:s3:::amzn-s3-demo-bucket*', true, true],
    [`${PREFIX}public/*`, true, false],
    [`${PREFIX}index.html`, true, false],
    ['arn:aws:s3:::amzn-s3-demo-bucket', false, false],
    [PREFIX, false, false],
    ['arn:aws:s3:::other-bucket/*', false, false],
    ['arn:aws:s3:::amzn-s3-demo-?ucket/*', true, true],
    ['arn:aws:s3:::*/private/*', true, false],
  ];
  it.each(rows)('%s reaches some object: %s, every object: %s', (pattern, some, every) => {
    expect(matchesSomethingUnder(pattern, PREFIX)).toBe(some);
    expect(matchesEverythingUnder(pattern, PREFIX)).toBe(every);
  });
});

describe('checkCidr', () => {
  const rows: ReadonlyArray<readonly [string, boolean]> = [
    ['0.0.0.0/0', false],
    ['1.0.0.0/7', false],
    ['1.0.0.0/8', true],
    ['192.0.2.1', true],
    ['::/0', false],
    ['2001:db8::/31', false],
    ['2001:db8::/32', true],
    ['::ffff:192.0.2.1', true],
    // IPv4-mapped IPv6 ranges are judged by the IPv4 width they cover
    ['::ffff:0.0.0.0/96', false],
    ['::ffff:0:0/103', false],
    ['::ffff:10.0.0.0/104', true],
    ['::/64', false],
    ['::/80', false],
    ['64:ff9b::/96', true],
    ['192.0.2.0/024', true],
    ['192.0.2.0/', false],
    ['192.0.2.0/x', false],
    ['300.0.0.0/8', false],
  ];
  it.each(rows)('%s is narrow enough for S3: %s', (cidr, ok) => {
    expect(checkCidr(cidr).ok).toBe(ok);
  });
});
