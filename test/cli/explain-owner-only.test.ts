import { main } from '../../cli/main';
import type { ExposureReport } from '../../lambda/shared/exposure/types';
import { memoryIo } from './cli-io';

/** A bucket whose policy grants only the bucket-owner-only APIs to everyone (issue 10 acceptance). */
const SNAPSHOT = {
  bucket: 'owner-only-apis',
  accountId: '111122223333',
  policy: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'OwnerOnlyToEveryone', Effect: 'Allow', Principal: '*', Action: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'], Resource: 'arn:aws:s3:::owner-only-apis' },
    ],
  },
  bucketPublicAccessBlock: null,
  accountPublicAccessBlock: null,
};

describe('bucket-guardrail explain on a policy granting only Get/Put/DeleteBucketPolicy to "*"', () => {
  test('the JSON report is public but lists no readAcp or writeAcp', async () => {
    // GIVEN the snapshot on standard input
    const io = memoryIo({ stdin: JSON.stringify(SNAPSHOT) });
    // WHEN explained as JSON
    const code = await main(['explain', '-', '--json'], io);
    // THEN public as S3 says (exit 1), and no permission access levels anywhere
    const report = JSON.parse(io.out()) as ExposureReport;
    expect(code).toBe(1);
    expect(report.public).toBe(true);
    expect(report.access).toEqual([]);
    expect(report.findings.flatMap((finding) => finding.access)).toEqual([]);
  });

  test('the text explanation says the public cannot use them, and never that it can change permissions', async () => {
    const io = memoryIo({ stdin: JSON.stringify(SNAPSHOT) });
    await main(['explain', '-'], io);
    const text = io.out();
    expect(text).toContain('405 Method Not Allowed');
    expect(text).not.toMatch(/readAcp|writeAcp|change the bucket's permissions \(/);
  });
});
