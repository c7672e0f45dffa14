import { bucketNameProblem, couldBeBucketName, isValidBucketName } from '../../../../lambda/shared/s3/bucket-name';

describe('S3 general purpose bucket naming rules', () => {
  it.each([
    'abc',
    'guardrail-demo-data',
    'logs.example.com',
    '0-leading-digit',
    'a'.repeat(63),
    'reports-111122223333-us-west-2-an',
  ])('accepts %s', (name) => {
    // GIVEN a name that follows the rules
    // WHEN it is checked
    // THEN it is valid
    expect(bucketNameProblem(name)).toBeUndefined();
    expect(isValidBucketName(name)).toBe(true);
  });

  it.each([
    ['ab', /3 to 63 characters/],
    ['a'.repeat(64), /3 to 63 characters/],
    ['Upper-Case', /lower-case letters/],
    ['under_score', /lower-case letters/],
    ['space in-name', /lower-case letters/],
    ['-leading-hyphen', /begin and end/],
    ['trailing-dot.', /begin and end/],
    ['two..dots', /adjacent periods/],
    ['192.168.5.4', /IP address/],
    ['xn--punycode', /reserved prefix "xn--"/],
    ['sthree-bucket', /reserved prefix "sthree-"/],
    ['amzn-s3-demo-bucket', /reserved prefix "amzn-s3-demo-"/],
    ['alias-s3alias', /reserved suffix "-s3alias"/],
    ['object-lambda--ol-s3', /reserved suffix "--ol-s3"/],
    ['multi-region.mrap', /reserved suffix ".mrap"/],
    ['express--use1-az4--x-s3', /reserved suffix "--x-s3"/],
    ['tables--table-s3', /reserved suffix "--table-s3"/],
  ])('rejects %s', (name, problem) => {
    // GIVEN a name that breaks a rule
    // WHEN it is checked
    // THEN the problem names the rule
    expect(bucketNameProblem(name)).toMatch(problem);
    expect(isValidBucketName(name)).toBe(false);
  });
});

/** Edges of the legacy us-east-1 rule (buckets created there before 1 March 2018). */
const LEGACY_ONLY = [
  'Acme_Legacy_Reports_2016',
  'UPPER',
  'under_score',
  'ends-with-hyphen-',
  'ends_with_underscore_',
  '0Leading.Digit_Mixed',
  'L'.repeat(200),
  `${'a'.repeat(254)}Z`,
  'xn--legacy-prefix',
];

describe('legacy names in us-east-1', () => {
  it.each(LEGACY_ONLY)('accepts %s in us-east-1 and rejects it in eu-west-1', (name) => {
    // GIVEN a name only the legacy rule allows
    // WHEN it is checked for us-east-1 and for another Region
    // THEN it is valid only in us-east-1
    expect(bucketNameProblem(name, 'us-east-1')).toBeUndefined();
    expect(isValidBucketName(name, 'us-east-1')).toBe(true);
    expect(couldBeBucketName(name)).toBe(true);
    expect(bucketNameProblem(name, 'eu-west-1')).toBeDefined();
    expect(isValidBucketName(name, 'eu-west-1')).toBe(false);
  });

  it.each(['abc', 'guardrail-demo-data', 'logs.example.com', 'a'.repeat(63)])('accepts the modern name %s in us-east-1 too', (name) => {
    expect(bucketNameProblem(name, 'us-east-1')).toBeUndefined();
  });

  it.each([
    ['', /3 to 255 characters/],
    ['ab', /3 to 255 characters/],
    ['a'.repeat(256), /3 to 255 characters/],
    ['with/slash', /only letters, digits/],
    ['../etc/passwd', /only letters, digits/],
    ['tab\there', /only letters, digits/],
    ['nul\u0000byte', /only letters, digits/],
    ['new\nline', /only letters, digits/],
    ['del\u007fchar', /only letters, digits/],
    ['space in name', /only letters, digits/],
    ['Ünïcode', /only letters, digits/],
    ['_leading-underscore', /begin with a letter or digit/],
    ['.leading-dot', /begin with a letter or digit/],
    ['Two..Dots', /adjacent periods/],
    ['10.0.0.1', /IP address/],
    ['Legacy-s3alias', /reserved suffix "-s3alias"/],
    ['Legacy--ol-s3', /reserved suffix "--ol-s3"/],
  ])('rejects %j even in us-east-1', (name, problem) => {
    // GIVEN a name S3 never allowed
    // WHEN it is checked under the legacy rule
    // THEN the problem names the rule, and no Region accepts it
    expect(bucketNameProblem(name, 'us-east-1')).toMatch(problem);
    expect(couldBeBucketName(name)).toBe(false);
    expect(isValidBucketName(name, 'eu-west-1')).toBe(false);
  });

  it('applies the modern rule when no Region is given', () => {
    expect(bucketNameProblem('Acme_Legacy_Reports_2016')).toMatch(/lower-case letters/);
    expect(bucketNameProblem('', 'eu-west-1')).toMatch(/3 to 63 characters/);
  });
});
