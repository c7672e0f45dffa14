import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import type { ExposureReport } from '../../lambda/shared/exposure/types';
import { memoryIo } from './cli-io';

const examples = join(__dirname, '..', '..', 'examples');

describe('bucket-guardrail explain', () => {
  test.each([
    // file, exit code, public, what the public can do
    ['public-website.json', 1, true, ['read']],
    ['cloudfront-only.json', 0, false, []],
    ['vpc-endpoint-only.json', 0, false, []],
    ['public-write-acl.json', 1, true, ['list', 'write']],
  ])('%s: exits %i with public=%s and access %j', async (file, exitCode, isPublic, access) => {
    // GIVEN one of the shipped example snapshots
    const io = memoryIo();
    // WHEN it is explained as JSON
    const code = await main(['explain', join(examples, file), '--json'], io);
    // THEN the exit code and the report agree with S3's meaning of public
    const report = JSON.parse(io.out()) as ExposureReport;
    expect(code).toBe(exitCode);
    expect(report.public).toBe(isPublic);
    expect(report.access).toEqual(access);
  });

  test('an array input gives an array of reports in the same order', async () => {
    // GIVEN the combined examples file
    const io = memoryIo();
    // WHEN explained as JSON
    const code = await main(['explain', join(examples, 'all.json'), '--json'], io);
    // THEN one report per snapshot, same order, and exit 1 because some are public
    const reports = JSON.parse(io.out()) as ExposureReport[];
    expect(reports.map((report) => report.bucket)).toEqual(['www-example-shop', 'media-origin-prod', 'analytics-exports-internal', 'vendor-uploads-2019']);
    expect(code).toBe(1);
  });

  test('the text explanation names the statement, the reason and a fix the engine proved', async () => {
    // GIVEN a public website bucket read from standard input
    const io = memoryIo({ stdin: JSON.stringify(require(join(examples, 'public-website.json'))) });
    // WHEN explained for a person
    const code = await main(['explain', '-'], io);
    // THEN the output says public, what the public can do, which statement, and how to fix it
    const text = io.out();
    expect(code).toBe(1);
    expect(text).toContain('www-example-shop (account 111122223333): PUBLIC');
    expect(text).toContain('The public can: read');
    expect(text).toContain('Policy statement #0 "PublicReadForWebsite"');
    expect(text).toContain('Remove policy statement #0 "PublicReadForWebsite"');
    expect(text).toContain('Turn on RestrictPublicBuckets for the bucket');
  });

  test('a neutralised public ACL is explained with the setting that neutralises it', async () => {
    // GIVEN a public-read ACL on a bucket whose account ignores public ACLs
    const snapshot = {
      bucket: 'legacy-assets',
      acl: { Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] },
      accountPublicAccessBlock: { IgnorePublicAcls: true },
    };
    const io = memoryIo({ stdin: JSON.stringify(snapshot) });
    // WHEN explained
    const code = await main(['explain', '-'], io);
    // THEN it is not public, and the finding names IgnorePublicAcls
    expect(code).toBe(0);
    expect(io.out()).toContain('not public (public grants exist but are neutralised)');
    expect(io.out()).toContain('neutralised today by IgnorePublicAcls');
  });

  test.each([
    ['not JSON', '{"bucket": ', /is not valid JSON/],
    ['an empty array', '[]', /empty array/],
    ['a number', '42', /standard input: a snapshot must be a JSON object; got a number/],
    ['an array with a string', '[{"bucket":"ok-bucket","policy":null}, "x"]', /standard input\[1\]: a snapshot must be a JSON object; got a string/],
    ['no bucket name', '{"acl": null}', /has no "bucket" name/],
    ['a Block Public Access flag that is not a boolean', '{"bucket":"b1-x","bucketPublicAccessBlock":{"IgnorePublicAcls":"yes"}}', /IgnorePublicAcls must be true or false/],
    ['Grants that are not an array', '{"bucket":"b1-x","acl":{"Grants":{}}}', /acl.Grants must be an array/],
  ])('unreadable input (%s) exits 2 with a one-line reason', async (_name, input, reason) => {
    // GIVEN input that is not a snapshot
    const io = memoryIo({ stdin: input });
    // WHEN explained
    const code = await main(['explain', '-'], io);
    // THEN exit 2 and exactly one line on stderr naming the problem, nothing on stdout
    expect(code).toBe(2);
    expect(io.err()).toMatch(reason);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.out()).toBe('');
  });

  test('a missing file exits 2 naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explain-'));
    const io = memoryIo();
    const code = await main(['explain', join(dir, 'nope.json')], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('nope.json: ENOENT');
  });

  test('a policy given as a JSON string in a file is evaluated like a document', async () => {
    // GIVEN a snapshot file whose policy is the string GetBucketPolicy returns
    const dir = mkdtempSync(join(tmpdir(), 'explain-'));
    const file = join(dir, 'snapshot.json');
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::string-policy' }] };
    writeFileSync(file, JSON.stringify({ bucket: 'string-policy', policy: JSON.stringify(policy) }));
    const io = memoryIo();
    // WHEN explained as JSON
    const code = await main(['explain', file, '--json'], io);
    // THEN the public can list
    expect(code).toBe(1);
    expect((JSON.parse(io.out()) as ExposureReport).access).toEqual(['list']);
  });
});

describe('bucket-guardrail', () => {
  test('an unknown command exits 2 and prints the usage', async () => {
    const io = memoryIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
    expect(io.err()).toContain('bucket-guardrail explain');
  });

  test('--help exits 0 with the usage on stdout', async () => {
    const io = memoryIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Exit codes: 0 nothing public');
  });
});

describe('provenFixes', () => {
  test('when no single removal is enough, removing every public grant together is offered', async () => {
    // GIVEN a bucket with two public ACL grants
    const io = memoryIo();
    // WHEN explained for a person
    await main(['explain', join(examples, 'public-write-acl.json')], io);
    // THEN the combined removal and the reversible setting are both offered, and no single removal is
    expect(io.out()).toContain('Remove all 2 public grants and statements: ACL grant #1 (AllUsers READ); ACL grant #2 (AllUsers WRITE)');
    expect(io.out()).toContain('Turn on IgnorePublicAcls for the bucket');
    expect(io.out()).not.toContain('Remove the ACL grant #1');
  });
});
