/**
 * `npm run teardown`: the dry run lists, from the synthesized templates, exactly the resources the stacks retain
 * (a retained resource the script does not handle fails here), in the documented order; the real run, against a
 * fake AWS CLI, runs those steps, refuses an archive under COMPLIANCE retention (and then keeps the keys), and a
 * later run goes on from the state file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeGuardrailApp } from '../../scripts/local-template';
import type { CommandResult, CommandRunner } from '../../scripts/teardown-aws';
import { retainedResources, teardownSteps, TeardownPlanError, type CfnTemplate, type TeardownStack } from '../../scripts/teardown-plan';
import { runTeardown, type TeardownDeps } from '../../scripts/teardown';

const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
let cdkOut: string;
let stackName: string;
let work: string;

beforeAll(() => {
  // One synthesis: production profile, a trail of its own and a second covered region (so a forwarder stack).
  cdkOut = mkdtempSync(join(tmpdir(), 'teardown-cdk-out-'));
  work = mkdtempSync(join(tmpdir(), 'teardown-work-'));
  stackName = synthesizeGuardrailApp({ region: REGION, outdir: cdkOut, context: { createTrail: true, regions: `${REGION},${OTHER_REGION}`, homeRegion: REGION } }).stackName;
}, 600_000);

afterAll(() => {
  rmSync(cdkOut, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function templates(dir: string = cdkOut): { stackName: string; template: CfnTemplate }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => ({ stackName: file.replace(/\.template\.json$/, ''), template: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CfnTemplate }));
}

function memoryIo(): { io: Parameters<typeof runTeardown>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env: {} }, out: () => out, err: () => err };
}

/** `# N. <what> <LogicalId> of <Stack>…` lines of the printed plan → `Stack/LogicalId`. */
function listedResources(output: string): string[] {
  return [...output.matchAll(/^# \d+\. (?:table|bucket|key|log group|log group Lambda created for) (\S+) of (\S+?)(?:[:, ]|$)/gm)].map((m) => `${m[2]}/${m[1]}`).sort();
}

describe('the dry run, from the synthesized templates (offline)', () => {
  let output: string;
  beforeAll(async () => {
    const { io, out, err } = memoryIo();
    const code = await runTeardown(['--dry-run', '--cdk-out', cdkOut, '--stack', stackName], io);
    expect(err()).toBe('');
    expect(code).toBe(0);
    output = out();
  });

  it('lists every resource a stack keeps after cdk destroy, no more, no less, and the log groups Lambda makes itself', () => {
    // GIVEN every resource of every stack whose DeletionPolicy is not Delete, and every function without its own log group
    const expected = templates().flatMap(({ stackName: stack, template }) =>
      Object.entries(template.Resources)
        .filter(([, resource]) =>
          resource.DeletionPolicy !== undefined && resource.DeletionPolicy !== 'Delete'
            ? true
            : resource.Type === 'AWS::Lambda::Function' && (resource.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup === undefined,
        )
        .map(([logicalId]) => `${stack}/${logicalId}`),
    );
    // THEN the plan names exactly those
    expect(listedResources(output)).toEqual(expected.sort());
    // AND they include what the documentation promises: two tables, the archive, access-log and trail buckets, keys in both stacks
    const kinds = (kind: string, stack: string): number => (output.match(new RegExp(`^# \\d+\\. ${kind} \\S+ of ${stack}[:, ]`, 'gm')) ?? []).length;
    expect(kinds('table', stackName)).toBe(2);
    expect(kinds('bucket', stackName)).toBe(3);
    expect(kinds('key', stackName)).toBeGreaterThanOrEqual(5);
    expect(kinds('key', `${stackName}-Forwarder-${OTHER_REGION}`)).toBeGreaterThanOrEqual(1);
  });

  it('deletes the stacks first with cdk destroy, naming them and the settings their names come from', () => {
    const first = output.split('\n').find((line) => line.startsWith('npx cdk destroy'));
    expect(first).toBe(`npx cdk destroy --force -c stackName=${stackName} -c homeRegion=${REGION} -c regions=${REGION},${OTHER_REGION} ${stackName} ${stackName}-Forwarder-${OTHER_REGION}`);
    expect(output.indexOf('npx cdk destroy')).toBeLessThan(output.indexOf('aws '));
  });

  it('schedules the keys last, each in its own stack\'s Region, with the waiting period', () => {
    const commands = output.split('\n').filter((line) => line.startsWith('aws '));
    const firstKey = commands.findIndex((line) => line.startsWith('aws kms '));
    expect(firstKey).toBeGreaterThan(0);
    expect(commands.slice(firstKey).every((line) => line.startsWith('aws kms schedule-key-deletion '))).toBe(true);
    expect(commands.slice(firstKey).every((line) => line.endsWith('--pending-window-in-days 30'))).toBe(true);
    expect(commands.some((line) => line.startsWith(`aws kms schedule-key-deletion --region ${OTHER_REGION} `))).toBe(true);
  });

  it("says the archive is under COMPLIANCE retention for the template's days and reads each version's retention before emptying it", () => {
    const archive = Object.entries(templates().find((t) => t.stackName === stackName)?.template.Resources ?? {}).find(
      ([, resource]) => resource.Type === 'AWS::S3::Bucket' && resource.Properties?.ObjectLockConfiguration !== undefined,
    );
    expect(archive).toBeDefined();
    const [logicalId] = archive as [string, unknown];
    expect(output).toMatch(new RegExp(`bucket ${logicalId} of ${stackName}: Object Lock COMPLIANCE \\(365 days by default\\)`));
    expect(output).toContain(`aws s3api get-object-retention --region ${REGION} --bucket <${logicalId}> --key <key> --version-id <version>`);
  });
});

describe('what the plan refuses', () => {
  it('stops at a retained resource of a type it does not know how to remove, naming it', () => {
    const home = templates().find((t) => t.stackName === stackName)?.template as CfnTemplate;
    const withQueue: CfnTemplate = { ...home, Resources: { ...home.Resources, KeptQueue: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain' } } };
    expect(() => retainedResources([{ stackName, region: REGION, template: withQueue }])).toThrow(TeardownPlanError);
    expect(() => retainedResources([{ stackName, region: REGION, template: withQueue }])).toThrow(/KeptQueue \(AWS::SQS::Queue, DeletionPolicy Retain\)/);
  });

  it('exits 2 for such a template in cdk.out, and changes nothing', async () => {
    const copy = mkdtempSync(join(work, 'cdk-out-'));
    cpSync(cdkOut, copy, { recursive: true });
    const file = join(copy, `${stackName}.template.json`);
    const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, unknown> };
    template.Resources.KeptParameter = { Type: 'AWS::SSM::Parameter', DeletionPolicy: 'RetainExceptOnCreate' };
    writeFileSync(file, JSON.stringify(template));
    const { io, err } = memoryIo();
    expect(await runTeardown(['--dry-run', '--cdk-out', copy, '--stack', stackName], io)).toBe(2);
    expect(err()).toContain('KeptParameter (AWS::SSM::Parameter');
  });

  it.each([
    [['--dry-run', '--nope'], 'unknown argument --nope'],
    [['--dry-run', '--cdk-out', '/nonexistent/cdk.out'], 'run `npx cdk synth`'],
    [['--dry-run', '--region', OTHER_REGION], `is for ${REGION}, not ${OTHER_REGION}`],
    [['--key-pending-days', '3', '--region', REGION], 'from 7 to 30'],
    [[], 'no region'],
    [['--dry-run', '--stack', '1bad'], 'is not a CloudFormation stack name'],
  ])('exits 2 on %j with a message', async (argv, message) => {
    const { io, err } = memoryIo();
    const args = argv.includes('--cdk-out') || !argv.includes('--dry-run') ? argv : [...argv, '--cdk-out', cdkOut, ...(argv.includes('--stack') ? [] : ['--stack', stackName])];
    expect(await runTeardown(args, io, { run: () => Promise.reject(new Error('no AWS call expected')) })).toBe(2);
    expect(err()).toContain(message);
  });
});

/** A stateful stand-in for the AWS CLI and `npx cdk destroy`, over the resources of the synthesized stacks. */
class FakeAws {
  readonly commands: string[][] = [];
  readonly stacks = new Map<string, TeardownStack>();
  readonly tables = new Set<string>();
  readonly buckets = new Map<string, { locked: boolean; versions: { Key: string; VersionId: string; retainUntil?: string }[] }>();
  readonly logGroups = new Set<string>();
  readonly keys = new Map<string, 'Enabled' | 'PendingDeletion'>();

  constructor(stacks: readonly { stackName: string; region: string; template: CfnTemplate }[], retainUntil: string) {
    for (const stack of stacks) {
      const physicalIds = Object.fromEntries(Object.keys(stack.template.Resources).map((id) => [id, `phys-${id.toLowerCase()}`]));
      this.stacks.set(stack.stackName, { ...stack, physicalIds });
      // What is left once CloudFormation has deleted the stack: the retained resources and the log groups Lambda made.
      for (const [id, resource] of Object.entries(stack.template.Resources)) {
        const name = physicalIds[id] as string;
        if (resource.Type === 'AWS::Lambda::Function' && (resource.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup === undefined) {
          this.logGroups.add(`/aws/lambda/${name}`);
        }
        if (resource.DeletionPolicy !== 'Retain') continue;
        if (resource.Type === 'AWS::DynamoDB::Table') this.tables.add(name);
        if (resource.Type === 'AWS::KMS::Key') this.keys.set(name, 'Enabled');
        if (resource.Type === 'AWS::Logs::LogGroup') this.logGroups.add(name);
        if (resource.Type === 'AWS::S3::Bucket') {
          const locked = resource.Properties?.ObjectLockConfiguration !== undefined;
          this.buckets.set(name, { locked, versions: [{ Key: 'records/a.json', VersionId: 'v1', ...(locked ? { retainUntil } : {}) }, { Key: 'records/b.json', VersionId: 'v2' }] });
        }
      }
    }
  }

  now = new Date('2027-01-01T00:00:00Z');

  private fail(code: string, operation: string): CommandResult {
    return { code: 254, stdout: '', stderr: `\nAn error occurred (${code}) when calling the ${operation} operation: fake\n` };
  }

  private ok(body: unknown = {}): CommandResult {
    return { code: 0, stdout: JSON.stringify(body), stderr: '' };
  }

  readonly run: CommandRunner = async (full) => {
    const command = full.filter((arg, index) => !(arg === '--output' || full[index - 1] === '--output'));
    this.commands.push(command);
    const option = (name: string): string => command[command.indexOf(name) + 1] as string;
    const [tool, service, operation] = command;
    if (tool === 'npx') {
      for (const name of command.slice(command.indexOf('--force') + 1).filter((arg, index, all) => arg !== '-c' && all[index - 1] !== '-c')) this.stacks.delete(name);
      return this.ok();
    }
    switch (`${service} ${operation}`) {
      case 'cloudformation describe-stacks':
        return this.stacks.has(option('--stack-name')) ? this.ok({ Stacks: [{ StackName: option('--stack-name') }] }) : { code: 254, stdout: '', stderr: `An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ${option('--stack-name')} does not exist` };
      case 'cloudformation get-template':
        return this.ok({ TemplateBody: this.stacks.get(option('--stack-name'))?.template });
      case 'cloudformation list-stack-resources':
        return this.ok({ StackResourceSummaries: Object.entries(this.stacks.get(option('--stack-name'))?.physicalIds ?? {}).map(([LogicalResourceId, PhysicalResourceId]) => ({ LogicalResourceId, PhysicalResourceId })) });
      case 'dynamodb update-table':
        return this.tables.has(option('--table-name')) ? this.ok() : this.fail('ResourceNotFoundException', 'UpdateTable');
      case 'dynamodb delete-table':
        return this.tables.delete(option('--table-name')) ? this.ok() : this.fail('ResourceNotFoundException', 'DeleteTable');
      case 'logs delete-log-group':
        return this.logGroups.delete(option('--log-group-name')) ? this.ok() : this.fail('ResourceNotFoundException', 'DeleteLogGroup');
      case 'kms schedule-key-deletion': {
        const state = this.keys.get(option('--key-id'));
        if (state === undefined) return this.fail('NotFoundException', 'ScheduleKeyDeletion');
        if (state === 'PendingDeletion') return this.fail('KMSInvalidStateException', 'ScheduleKeyDeletion');
        this.keys.set(option('--key-id'), 'PendingDeletion');
        return this.ok({ KeyId: option('--key-id'), DeletionDate: '2027-02-01T00:00:00Z', KeyState: 'PendingDeletion' });
      }
    }
    const bucket = this.buckets.get(option('--bucket'));
    if (service !== 's3api') throw new Error(`unexpected command ${command.join(' ')}`);
    if (bucket === undefined) return this.fail('NoSuchBucket', operation as string);
    switch (operation) {
      case 'get-object-lock-configuration':
        return bucket.locked ? this.ok({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } } }) : this.fail('ObjectLockConfigurationNotFoundError', 'GetObjectLockConfiguration');
      case 'list-object-versions':
        return this.ok({ Versions: bucket.versions.map(({ Key, VersionId }) => ({ Key, VersionId, IsLatest: true })) });
      case 'get-object-retention': {
        const version = bucket.versions.find((v) => v.Key === option('--key') && v.VersionId === option('--version-id'));
        return version?.retainUntil !== undefined ? this.ok({ Retention: { Mode: 'COMPLIANCE', RetainUntilDate: version.retainUntil } }) : this.fail('NoSuchObjectLockConfiguration', 'GetObjectRetention');
      }
      case 'delete-objects': {
        const { Objects } = JSON.parse(readFileSync(option('--delete').replace(/^file:\/\//, ''), 'utf8')) as { Objects: { Key: string; VersionId: string }[] };
        const locked = bucket.versions.filter((v) => v.retainUntil !== undefined && new Date(v.retainUntil) > this.now && Objects.some((o) => o.VersionId === v.VersionId));
        bucket.versions = bucket.versions.filter((v) => locked.includes(v) || !Objects.some((o) => o.Key === v.Key && o.VersionId === v.VersionId));
        return this.ok({ Errors: locked.map((v) => ({ Key: v.Key, Code: 'AccessDenied' })) });
      }
      case 'delete-bucket':
        if (bucket.versions.length > 0) return this.fail('BucketNotEmpty', 'DeleteBucket');
        this.buckets.delete(option('--bucket'));
        return this.ok();
    }
    throw new Error(`unexpected command ${command.join(' ')}`);
  };

  ran(service: string, operation: string): string[][] {
    return this.commands.filter((command) => command[1] === service && command[2] === operation);
  }
}

describe('the real run, against a fake AWS CLI', () => {
  const RETAIN_UNTIL = '2027-06-30T12:00:00.000Z';
  let fake: FakeAws;
  let stateFile: string;
  let archive: string;

  function fakeStacks(): { stackName: string; region: string; template: CfnTemplate }[] {
    return templates().map((t) => ({ ...t, region: t.stackName === stackName ? REGION : OTHER_REGION }));
  }

  beforeAll(() => {
    fake = new FakeAws(fakeStacks(), RETAIN_UNTIL);
    stateFile = join(work, 'state.json');
    archive = [...fake.buckets.entries()].find(([, bucket]) => bucket.locked)?.[0] as string;
  });

  const deps = (overrides: Partial<TeardownDeps> = {}): TeardownDeps => ({ run: fake.run, now: () => fake.now, confirm: undefined, ...overrides });

  it('changes nothing without --yes when no one can be asked', async () => {
    const { io, err } = memoryIo();
    expect(await runTeardown(['--region', REGION, '--stack', stackName, '--state', join(work, 'unused.json')], io, deps())).toBe(2);
    expect(err()).toContain('pass --yes');
    expect(fake.commands.every((command) => command[1] === 'cloudformation' && command[2] !== 'delete-stack')).toBe(true);
    expect(fake.stacks.size).toBe(2);
  });

  it('changes nothing when the operator does not type the stack name', async () => {
    const { io, err } = memoryIo();
    const code = await runTeardown(['--region', REGION, '--stack', stackName, '--state', join(work, 'unused.json')], io, deps({ confirm: async () => 'yes' }));
    expect(code).toBe(2);
    expect(err()).toContain('not confirmed');
    expect(fake.commands.some((command) => command[0] === 'npx')).toBe(false);
  });

  it('destroys the stacks, removes what they kept, refuses the archive under COMPLIANCE retention with its date, and then keeps the keys', async () => {
    // GIVEN the deployed stacks and an archive record retained until mid-2027
    const { io, out, err } = memoryIo();
    // WHEN the operator confirms with the stack name
    const code = await runTeardown(['--region', REGION, '--stack', stackName, '--state', stateFile], io, deps({ confirm: async () => stackName }));

    // THEN cdk destroy ran once, for both stacks, and they are gone
    expect(fake.ran('cdk', 'destroy')).toHaveLength(1);
    expect(fake.stacks.size).toBe(0);
    // AND the tables, the other buckets and the log groups are removed
    expect(fake.tables.size).toBe(0);
    expect(fake.ran('dynamodb', 'delete-table')).toHaveLength(2);
    expect([...fake.buckets.keys()]).toEqual([archive]);
    expect([...fake.logGroups]).toEqual([]);
    // AND the archive is refused, untouched, with the date it can go
    expect(fake.buckets.get(archive)?.versions).toHaveLength(2);
    expect(fake.ran('s3api', 'delete-objects').some((command) => command.includes(archive))).toBe(false);
    expect(out()).toContain(`refused: bucket ${archive} holds records under Object Lock COMPLIANCE retention until ${RETAIN_UNTIL}`);
    // AND no key is scheduled for deletion: what they encrypt is still kept
    expect(fake.ran('kms', 'schedule-key-deletion')).toEqual([]);
    expect([...fake.keys.values()].every((state) => state === 'Enabled')).toBe(true);
    expect(code).toBe(1);
    expect(err()).toContain(`goes on from ${stateFile}`);
  });

  it('goes on from the state file once the retention has passed: no stack left to destroy, the archive and then every key', async () => {
    // GIVEN the stacks are gone and the retention date has passed
    fake.now = new Date('2027-07-01T00:00:00Z');
    const before = fake.commands.length;
    const { io, out } = memoryIo();
    // WHEN the teardown runs again
    const code = await runTeardown(['--region', REGION, '--stack', stackName, '--state', stateFile, '--yes', '--key-pending-days', '7'], io, deps());

    // THEN it reads the plan from the state file, destroys nothing, removes the archive and schedules every key
    expect(code).toBe(0);
    const again = fake.commands.slice(before);
    expect(again.some((command) => command[0] === 'npx')).toBe(false);
    expect(fake.buckets.size).toBe(0);
    expect([...fake.keys.values()].every((state) => state === 'PendingDeletion')).toBe(true);
    expect(again.filter((command) => command[2] === 'schedule-key-deletion').every((command) => command.includes('7'))).toBe(true);
    expect(again.filter((command) => command[2] === 'schedule-key-deletion').some((command) => command.includes(OTHER_REGION))).toBe(true);
    // AND what the first run removed is reported as already gone
    expect(out()).toMatch(/gone: table phys-\S+ no longer exists/);
  });
});

describe('teardownSteps', () => {
  it('refuses an organization-wide deployment (member StackSet) with a pointer to its page', () => {
    const template: CfnTemplate = { Resources: {}, Outputs: { MemberStackSetName: { Value: 'X-Member' }, HomeRegion: { Value: REGION } } };
    expect(() => teardownSteps([{ stackName: 'X', region: REGION, template }], { stackName: 'X', region: REGION, pendingWindowDays: 30 })).toThrow(/organization-wide .*docs\/organization\.md/);
  });
});
