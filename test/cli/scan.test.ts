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
    addBaseBuckets();
  });

  function addBaseBuckets(): void {
    fakes.s3.addBucket('site-assets', { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy('site-assets') });
    fakes.s3.addBucket('legacy-uploads', { region: 'us-east-1', publicAccessBlock: OPEN, ownership: 'ObjectWriter', acl: publicReadAcl() });
    fakes.s3.addBucket('private-data', { region: 'eu-west-1' });
  }

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
    expect(Object.keys(json).sort()).toEqual(['accessPointListingErrors', 'account', 'buckets', 'foreignAccessPoints', 'totals', 'trails']);
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

  describe('access points and Multi-Region Access Points (issue 16)', () => {
    const THEIRS = '444455556666';
    const pointPolicy = (region: string, account: string, name: string): string =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${region}:${account}:accesspoint/${name}/object/*` }] });
    // The usual pattern: the bucket delegates access control to the account's access points (private by itself).
    const delegation = (bucket: string): string =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } } }] });

    interface DoorJson {
      kind: string;
      name: string;
      public: boolean | null;
      access: string[];
      why: string;
      error?: { code?: string };
      bucket?: string;
      bucketAccount?: string;
    }
    type DoorScanJson = Omit<ScanJson, 'buckets'> & {
      buckets: (ScanJson['buckets'][number] & { accessPoints?: DoorJson[] })[];
      foreignAccessPoints: DoorJson[];
      accessPointListingErrors: { scope: string }[];
    };

    beforeEach(() => {
      // Two accounts in one fake: S3 checks who calls, so ListBuckets lists only this account's buckets.
      fakes.restore();
      fakes = installAwsFakes({ accountOfAccessKey: (key) => (key === 'AKIDEXAMPLE' ? ACCOUNT : undefined) });
      addBaseBuckets();
      // GIVEN a bucket private by itself that delegates to its access points: one public, one restricted to a VPC
      fakes.s3.addBucket('shared-data', { region: 'eu-west-1', publicAccessBlock: null, policy: delegation('shared-data') });
      fakes.s3.addAccessPoint({ name: 'web', bucket: 'shared-data', policy: pointPolicy('eu-west-1', ACCOUNT, 'web') });
      fakes.s3.addAccessPoint({ name: 'inside', bucket: 'shared-data', networkOrigin: 'VPC', policy: pointPolicy('eu-west-1', ACCOUNT, 'inside') });
      // AND a private Multi-Region Access Point routing to it
      fakes.s3.addMultiRegionAccessPoint({ name: 'global', alias: 'mfzwi23gnjvgw.mrap', account: ACCOUNT, buckets: ['shared-data'] });
      // AND an access point of this account, with a public policy, on a bucket of another account
      fakes.s3.addBucket('partner-data', { region: 'eu-west-1', account: THEIRS });
      fakes.s3.addAccessPoint({ name: 'partner-share', bucket: 'partner-data', account: ACCOUNT, policy: pointPolicy('eu-west-1', ACCOUNT, 'partner-share') });
    });

    test('--json reports each access point with its verdict under its bucket, and our doors to other accounts\' buckets', async () => {
      // WHEN scanned as JSON
      const io = memoryIo({ env });
      const code = await scan(['--json'], io);
      const json = JSON.parse(io.out()) as DoorScanJson;
      // THEN the bucket is public through its access point, and each door has its verdict
      const shared = json.buckets.find((bucket) => bucket.bucket === 'shared-data');
      expect(shared?.public).toBe(true);
      expect(shared?.accessPoints?.map((door) => [door.kind, door.name, door.public, door.access])).toEqual([
        ['accessPoint', 'web', true, ['read']],
        ['accessPoint', 'inside', false, []],
        ['multiRegionAccessPoint', 'global', false, []],
      ]);
      expect(shared?.accessPoints?.[1]?.why).toMatch(/network origin is VPC/);
      // AND a bucket without doors has no accessPoints
      expect(json.buckets.find((bucket) => bucket.bucket === 'private-data')).not.toHaveProperty('accessPoints');
      // AND the other account's bucket is not listed as ours; our access point to it is reported on its own side
      expect(json.buckets.map((bucket) => bucket.bucket)).not.toContain('partner-data');
      expect(json.foreignAccessPoints).toEqual([
        expect.objectContaining({ kind: 'accessPoint', name: 'partner-share', bucket: 'partner-data', bucketAccount: THEIRS, public: true, access: ['read'] }),
      ]);
      expect(json.accessPointListingErrors).toEqual([]);
      expect(json.totals).toEqual(expect.objectContaining({ checked: 4, public: 3, errors: 0 }));
      // AND the access points were listed per Region for the whole account, Multi-Region ones in us-west-2
      const listings = fakes.log.find('s3control', 'ListAccessPoints');
      expect(listings.every((call) => call.input.AccountId === ACCOUNT)).toBe(true);
      expect(listings.filter((call) => call.input.Bucket === undefined).length).toBeGreaterThanOrEqual(2);
      // (the bucket with doors reads its own access points with them; no other bucket does)
      expect(new Set(listings.filter((call) => call.input.Bucket !== undefined).map((call) => call.input.Bucket))).toEqual(new Set(['shared-data']));
      expect(fakes.log.find('s3control', 'ListMultiRegionAccessPoints').length).toBeGreaterThan(0);
      expect(code).toBe(1);
    });

    test('human output lists the doors indented under their bucket, and the doors to other accounts\' buckets apart', async () => {
      const io = memoryIo({ env });
      await scan([], io);
      const out = io.out();
      expect(out).toMatch(/Access points and Multi-Region Access Points \(3, on 1 bucket\):\n {2}shared-data \(eu-west-1\) PUBLIC\n {4}access point web +PUBLIC +the public can read objects: /);
      expect(out).toMatch(/\n {4}access point inside +private +public policy, but its network origin is VPC\n/);
      expect(out).toMatch(/\n {4}Multi-Region Access Point global +private +/);
      expect(out).toMatch(/Access points of this account on buckets of other accounts \(1\)[^\n]*never changed by the guardrail:\n {2}access point partner-share \(eu-west-1\) -> bucket partner-data of account 444455556666: PUBLIC/);
    });

    test('--fix contains a bucket public through its access point with its Block Public Access; no access point and no other account is written', async () => {
      // WHEN fixed
      const io = memoryIo({ env });
      await scan(['--fix', '--yes', '--json'], io);
      // THEN the bucket got the one containment write, verified with its doors
      expect(writes()).toContain('PutPublicAccessBlock shared-data');
      const json = JSON.parse(io.out()) as DoorScanJson;
      expect(json.buckets.find((bucket) => bucket.bucket === 'shared-data')?.action).toEqual(expect.objectContaining({ outcome: 'remediated' }));
      expect(fakes.log.entries.filter((entry) => entry.command === 'GetAccessPointPolicy' && entry.input.Name === 'web').length).toBeGreaterThanOrEqual(2);
      // AND nothing of the other account, and no access point, was written
      expect(writes().filter((write) => /partner|AccessPoint/.test(write))).toEqual([]);
      expect(fakes.s3.bucket('partner-data').publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    });

    test('the access points of a bucket that cannot be read are "public": null with the error, like the bucket', async () => {
      fakes.s3.injectError({ command: 'GetBucketAcl', bucket: 'shared-data', times: 5 }, 'AccessDenied');
      const io = memoryIo({ env });
      expect(await scan(['--json'], io)).toBe(2);
      const shared = (JSON.parse(io.out()) as DoorScanJson).buckets.find((bucket) => bucket.bucket === 'shared-data');
      expect(shared?.public).toBeNull();
      expect(shared?.accessPoints?.map((door) => [door.name, door.public, door.error?.code])).toEqual([
        ['web', null, 'AccessDenied'],
        ['inside', null, 'AccessDenied'],
        ['global', null, 'AccessDenied'],
      ]);
    });

    test('a Region whose access points cannot be listed is reported, counted as an error, and its buckets are still checked', async () => {
      // GIVEN ListAccessPoints refused in both Regions (their first pages are asked at once)
      fakes.s3.injectError({ command: 'ListAccessPoints', service: 's3control', times: 2 }, 'AccessDenied');
      const io = memoryIo({ env });
      const code = await scan(['--json'], io);
      const json = JSON.parse(io.out()) as DoorScanJson;
      expect(json.accessPointListingErrors.map((failure) => failure.scope)).toEqual(['eu-west-1', 'us-east-1']);
      expect(json.totals).toEqual(expect.objectContaining({ checked: 4, errors: 2 }));
      // AND the Multi-Region Access Point, listed apart, still judged with its bucket
      expect(json.buckets.find((bucket) => bucket.bucket === 'shared-data')?.accessPoints?.map((door) => door.name)).toEqual(['global']);
      expect(code).toBe(2);
      const human = memoryIo({ env });
      fakes.s3.injectError({ command: 'ListAccessPoints', service: 's3control', times: 2 }, 'AccessDenied');
      await scan([], human);
      expect(human.out()).toMatch(/Could not list access points \(2\); the buckets there were checked without them:\n {2}eu-west-1: AccessDenied/);
    });
  });
});
