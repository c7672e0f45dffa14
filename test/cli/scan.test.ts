import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { UsageError } from '../../cli/io';
import { createScanCommand } from '../../cli/commands/scan';
import { createAwsClients } from '../../lambda/shared/aws/clients';
import type { ExposureReport } from '../../lambda/shared/exposure/types';
import { FAKE_EXEMPTIONS_TABLE_NAME, installAwsFakes, type AwsFakes } from '../fakes/aws-fakes';
import { publicReadAcl, publicReadPolicy } from '../fakes/s3-fake';
import { memoryIo } from './cli-io';

const ACCOUNT = '111122223333';
const OPEN = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

interface ScanJson {
  account: string;
  buckets: { bucket: string; region: string; public: boolean; report?: ExposureReport; outcome?: string; action?: { outcome: string; actions: { api: string }[] }; error?: { code?: string } }[];
  trails: { region: string; status: string }[];
  totals: Record<string, number>;
}

describe('bucket-guardrail scan', () => {
  let fakes: AwsFakes;
  let cloudtrail: AwsClientStub<CloudTrailClient>;
  let cloudFormation: AwsClientStub<CloudFormationClient>;
  const command = createScanCommand({
    callerIdentity: async () => ({ arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT, userId: 'AIDAEXAMPLE' }),
    clients: (env) => createAwsClients(env, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
    now: () => Date.parse('2026-11-23T09:00:00Z'),
  });
  const env = { AWS_REGION: 'us-east-1' };
  // One bucket at a time: the S3 fake reads the calling client's region through aws-sdk-client-mock's
  // getClient(), which returns the most recent caller, so concurrent calls from clients of different regions
  // would be judged against the wrong region. The concurrency itself is tested in test/lambda/sweep.
  const scan = (args: string[], io: ReturnType<typeof memoryIo>) => command([...args, '--concurrency', '1'], io);

  beforeEach(() => {
    fakes = installAwsFakes();
    cloudtrail = mockClient(CloudTrailClient);
    cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'org-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail', IsMultiRegionTrail: true }] });
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    // The deployed stack, whose outputs name the exemptions table `--fix` reads.
    cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'BucketGuardrail', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'ExemptionsTableName', OutputValue: FAKE_EXEMPTIONS_TABLE_NAME }] }] });
    cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
    fakes.s3.addBucket('site-assets', { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy('site-assets') });
    fakes.s3.addBucket('legacy-uploads', { region: 'us-east-1', publicAccessBlock: OPEN, ownership: 'ObjectWriter', acl: publicReadAcl() });
    fakes.s3.addBucket('private-data', { region: 'eu-west-1' });
  });

  afterEach(() => {
    fakes.restore();
    cloudtrail.restore();
    cloudFormation.restore();
  });

  function writes(): string[] {
    return fakes.log.entries.filter((entry) => /^(Put|Delete)/.test(entry.command)).map((entry) => `${entry.command} ${String(entry.input.Bucket ?? entry.input.AccountId)}`);
  }

  test('prints the public buckets with what the public can do and why, trail coverage and totals; exits 1', async () => {
    // GIVEN two public buckets and a private one WHEN scanned without flags
    const io = memoryIo({ env });
    const code = await scan([], io);
    // THEN the table names each public bucket, its region, access in words and the reason
    const out = io.out();
    expect(out).toMatch(/Account 111122223333: 3 buckets checked\./);
    expect(out).toMatch(/Public buckets \(2\):/);
    expect(out).toMatch(/site-assets +eu-west-1 +read objects +none \(read-only scan\) +.*Principal/);
    expect(out).toMatch(/legacy-uploads +us-east-1 +list objects .*AllUsers/);
    expect(out).not.toMatch(/private-data/);
    // AND trail coverage per region, then the totals
    expect(out).toMatch(/eu-west-1 +covered +fed by org-trail/);
    expect(out).toMatch(/us-east-1 +covered +fed by org-trail/);
    expect(out).toMatch(/Totals: 3 checked, 2 public \(0 exempt\), 0 fixed, 0 failed, 0 could not be checked\./);
    // AND nothing was changed, no progress bar was drawn on a non-terminal, and the exit code says "public found"
    expect(writes()).toEqual([]);
    expect(io.err()).toBe('');
    expect(code).toBe(1);
  });

  test('--json prints buckets with their exposure report, trails and totals', async () => {
    // GIVEN the same account WHEN scanned with --json
    const io = memoryIo({ env, tty: true });
    const code = await scan(['--json'], io);
    // THEN stdout is one JSON document in the documented shape, and stderr stays clean even on a terminal
    const json = JSON.parse(io.out()) as ScanJson;
    expect(Object.keys(json).sort()).toEqual(['account', 'buckets', 'totals', 'trails']);
    const byName = Object.fromEntries(json.buckets.map((bucket) => [bucket.bucket, bucket]));
    expect(byName['site-assets']).toEqual(expect.objectContaining({ region: 'eu-west-1', public: true, outcome: 'report-only' }));
    expect(byName['site-assets']?.report?.access).toEqual(['read']);
    expect(byName['private-data']).toEqual(expect.objectContaining({ public: false, outcome: 'already-private' }));
    expect(byName['private-data']?.report?.public).toBe(false);
    expect(json.trails.map((trail) => [trail.region, trail.status])).toEqual([
      ['eu-west-1', 'covered'],
      ['us-east-1', 'covered'],
    ]);
    expect(json.totals).toEqual({ checked: 3, public: 2, exempt: 0, fixed: 0, failed: 0, errors: 0, stillPublic: 2 });
    expect(io.err()).toBe('');
    expect(code).toBe(1);
  });

  test('draws a progress bar on a terminal', async () => {
    // GIVEN a terminal WHEN scanned THEN stderr shows the bar and stdout the table
    const io = memoryIo({ env, tty: true });
    await scan([], io);
    expect(io.err()).toMatch(/Checking buckets \[#+\] 3\/3/);
    expect(io.out()).toMatch(/Public buckets \(2\)/);
  });

  test('--fix --yes contains every public bucket with the configured remediation and exits 0', async () => {
    // GIVEN two public buckets WHEN scanned with --fix --yes
    const io = memoryIo({ env });
    const code = await scan(['--fix', '--yes', '--json'], io);
    // THEN both got all four Block Public Access settings and are private now
    expect(writes().sort()).toEqual(['PutPublicAccessBlock legacy-uploads', 'PutPublicAccessBlock site-assets']);
    expect(fakes.s3.isPublic('site-assets')).toBe(false);
    expect(fakes.s3.isPublic('legacy-uploads')).toBe(false);
    const json = JSON.parse(io.out()) as ScanJson;
    expect(json.buckets.find((bucket) => bucket.bucket === 'site-assets')?.action).toEqual(
      expect.objectContaining({ outcome: 'remediated', actions: [expect.objectContaining({ api: 'PutBucketPublicAccessBlock' })] }),
    );
    expect(json.totals).toEqual(expect.objectContaining({ fixed: 2, stillPublic: 0 }));
    expect(code).toBe(0);
  });

  test.each([
    ['n\n', 1, 0],
    ['y\n', 0, 2],
  ])('--fix asks first; answering %j exits %i after %i writes', async (answer, exitCode, writeCount) => {
    // GIVEN --fix without --yes WHEN the prompt is answered
    const io = memoryIo({ env, stdin: answer, interactive: true });
    const code = await scan(['--fix'], io);
    // THEN the question names the change and the count, and only "y" changes anything
    expect(io.err()).toMatch(/Apply block-public-access to 2 public buckets in account 111122223333\? \[y\/N\]/);
    expect(writes()).toHaveLength(writeCount);
    expect(code).toBe(exitCode);
  });

  test('an exempt bucket is reported as exempt, left alone, and does not fail the scan', async () => {
    // GIVEN an exemption for one public bucket and the other bucket made private
    fakes.s3.bucket('legacy-uploads').publicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    const exemptions = JSON.stringify([{ bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-06-30' }]);
    const io = memoryIo({ env: { ...env, EXEMPTIONS: exemptions } });
    // WHEN scanned with --fix --yes
    const code = await scan(['--fix', '--yes'], io);
    // THEN the exempt bucket is listed as exempt and untouched, and the exit code is 0
    expect(io.out()).toMatch(/site-assets +eu-west-1 +read objects +exempt \(public website, until 2027-06-30\)/);
    expect(writes()).toEqual([]);
    expect(code).toBe(0);
  });

  test('--region lists only that region (ListBuckets BucketRegion) and reports its trail only', async () => {
    // GIVEN buckets in two regions WHEN scanned with --region eu-west-1
    const io = memoryIo({ env });
    await scan(['--region', 'eu-west-1', '--json'], io);
    // THEN the listing asked S3 for that region only
    const json = JSON.parse(io.out()) as ScanJson;
    expect(fakes.log.find('s3', 'ListBuckets').map((call) => call.input.BucketRegion)).toEqual(['eu-west-1']);
    expect(json.buckets.map((bucket) => bucket.bucket).sort()).toEqual(['private-data', 'site-assets']);
    expect(json.trails.map((trail) => trail.region)).toEqual(['eu-west-1']);
  });

  test('a region without a logging trail shows as BLIND', async () => {
    // GIVEN the trail stopped WHEN scanned THEN every region reads BLIND with the reason
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const io = memoryIo({ env });
    await scan([], io);
    expect(io.out()).toMatch(/eu-west-1 +BLIND +no trail logs S3 write management events: org-trail: logging is stopped/);
  });

  test('a bucket that cannot be read makes the scan exit 2 and is listed with the error', async () => {
    // GIVEN reads of one bucket denied (an SCP, say)
    fakes.s3.injectError({ command: 'GetBucketAcl', bucket: 'private-data', times: 5 }, 'AccessDenied');
    const io = memoryIo({ env });
    // WHEN scanned
    const code = await scan([], io);
    // THEN the bucket is listed under "Could not check" and the exit code is 2
    expect(io.out()).toMatch(/Could not check \(1\):\n {2}private-data \(eu-west-1\): AccessDenied: Access Denied/);
    expect(code).toBe(2);
  });

  test('an account with nothing public exits 0', async () => {
    // GIVEN only private buckets WHEN scanned THEN it says so and exits 0
    fakes.s3.buckets.delete('site-assets');
    fakes.s3.buckets.delete('legacy-uploads');
    const io = memoryIo({ env });
    expect(await scan([], io)).toBe(0);
    expect(io.out()).toMatch(/No public buckets\./);
  });

  test.each([
    [['--yes'], /--yes only confirms --fix/],
    [['--region', 'Europe'], /--region "Europe" is not a Region code/],
    [['--strategy', 'delete-bucket'], /--strategy "delete-bucket": use block-public-access or strip-public-grants/],
    [['--concurrency', '0'], /--concurrency "0" is not a whole number from 1 to 256/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j with a usage error (exit code 2 through main)', async (args, message) => {
    // GIVEN bad flags WHEN the command runs THEN it throws UsageError before any AWS call
    const io = memoryIo({ env });
    await expect(command(args, io)).rejects.toThrow(UsageError);
    await expect(command(args, io)).rejects.toThrow(message);
    expect(fakes.log.entries).toEqual([]);
  });

  describe('--fix honours the deployed guardrail\'s exemptions (issue 12.1)', () => {
    const approved = { bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-06-30' };

    test('an exemption in the stack\'s exemptions table (bucket-guardrail exempt) keeps the bucket public', async () => {
      // GIVEN the website exempted in the table the stack outputs name
      fakes.exemptions.items.set('site-*', { ...approved, createdAt: '2026-11-01T00:00:00Z', createdBy: 'arn:aws:iam::111122223333:user/web', source: 'exempt-command', auditId: 'op-1' });
      const io = memoryIo({ env });
      // WHEN fixed with --yes
      const code = await scan(['--fix', '--yes'], io);
      // THEN only the other bucket is contained; the website is reported exempt
      expect(writes()).toEqual(['PutPublicAccessBlock legacy-uploads']);
      expect(io.out()).toMatch(/site-assets +eu-west-1 +read objects +exempt \(public website, until 2027-06-30\)/);
      expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName)).toEqual(['BucketGuardrail']);
      expect(code).toBe(0);
    });

    test('an exemption in cdk.json\'s context keeps the bucket public', async () => {
      // GIVEN the app's cdk.json exempting the website, and an empty table
      const dir = mkdtempSync(join(tmpdir(), 'scan-cdk-'));
      writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/app.ts', context: { exemptions: [approved] } }));
      const io = memoryIo({ env });
      // WHEN fixed with --yes and that cdk.json
      const code = await scan(['--fix', '--yes', '--cdk-json', join(dir, 'cdk.json')], io);
      // THEN the website is left alone
      expect(writes()).toEqual(['PutPublicAccessBlock legacy-uploads']);
      expect(code).toBe(0);
    });

    test.each([
      ['the stack cannot be read', () => cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id BucketGuardrail does not exist')), [], /refusing to fix: cannot read the exemptions from the exemptions table .*Stack with id BucketGuardrail does not exist.*looked in region us-east-1/],
      ['the table cannot be read', () => (fakes.mocks.dynamodb as unknown as AwsClientStub<DynamoDBDocumentClient>).on(ScanCommand).rejects(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' })), [], /refusing to fix: [^]*bucket-guardrail-exemptions: Requested resource not found[^]*hint: the table does not exist in region us-east-1/],
      ['cdk.json is missing', () => undefined, ['--cdk-json', '/nonexistent/cdk.json'], /refusing to fix: cannot read the exemptions from \/nonexistent\/cdk.json \(no such file\)/],
    ])('when %s, --fix --yes changes nothing and is a usage error (exit 2)', async (_, arrange, extra, message) => {
      arrange();
      const io = memoryIo({ env });
      await expect(scan(['--fix', '--yes', ...extra], io)).rejects.toThrow(message);
      expect(writes()).toEqual([]);
    });

    test('a read-only scan without a stack reads no table and says nothing about it', async () => {
      const io = memoryIo({ env });
      await scan([], io);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
      expect(io.err()).toBe('');
    });
  });

  test('--fix shows the plan first; without a terminal and without --yes it is a usage error and changes nothing (issue 12.4)', async () => {
    // GIVEN standard input that is not a terminal
    const io = memoryIo({ env });
    // WHEN --fix runs without --yes
    await expect(scan(['--fix'], io)).rejects.toThrow(/standard input is not a terminal, so --fix cannot ask; nothing changed\. Pass --yes/);
    // THEN the plan naming each bucket was printed before the refusal, and nothing was written
    expect(io.out()).toMatch(/Plan: apply block-public-access to 2 public buckets in account 111122223333:\n {2}- legacy-uploads \(us-east-1\): the public can list objects\n {2}- site-assets \(eu-west-1\): the public can read objects/);
    expect(writes()).toEqual([]);
  });

  test('on a terminal the plan comes before the question', async () => {
    const io = memoryIo({ env, stdin: 'n\n', interactive: true });
    await scan(['--fix'], io);
    expect(io.out()).toMatch(/^Plan: apply block-public-access to 2 public buckets/);
    expect(io.err()).toMatch(/\? \[y\/N\]/);
  });

  test('--json gives an unreadable bucket "public": null with its error, counted in the totals (issue 12.5)', async () => {
    // GIVEN reads of one bucket denied
    fakes.s3.injectError({ command: 'GetBucketAcl', bucket: 'private-data', times: 5 }, 'AccessDenied');
    const io = memoryIo({ env });
    // WHEN scanned as JSON
    const code = await scan(['--json'], io);
    // THEN the bucket is neither public nor private, its error is given, and the totals count it
    const json = JSON.parse(io.out()) as Omit<ScanJson, 'buckets'> & { buckets: { bucket: string; public: boolean | null; error?: { code?: string } }[] };
    const unreadable = json.buckets.find((bucket) => bucket.bucket === 'private-data');
    expect(unreadable?.public).toBeNull();
    expect(unreadable?.error?.code).toBe('AccessDenied');
    expect(json.totals).toEqual(expect.objectContaining({ checked: 3, errors: 1 }));
    expect(code).toBe(2);
  });
});
