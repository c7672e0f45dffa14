import { bucketNameProblem, isValidBucketName } from '../../../lambda/remediate/bucket-name';

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
