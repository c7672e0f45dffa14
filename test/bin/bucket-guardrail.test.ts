import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
const outdirs: string[] = [];

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly stacks: Record<string, { environment: string }>;
  /** A synthesized stack's template. */
  readonly template: (stack: string) => { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  /** The synth warnings of a stack, as the cloud assembly carries them and `cdk synth` prints them. */
  readonly warnings: (stack: string) => string[];
  /** For each guardrail function of a stack (logical ID): whether its asset in the assembly holds a bundled index.js. */
  readonly bundledHandlers: (stack: string) => Record<string, boolean>;
  /** The context lookups the app could not answer (the CDK CLI performs them with credentials, then synthesizes again). */
  readonly missing: { key: string; provider: string }[];
}

/**
 * Runs the app the way the CDK CLI does: cdk.json context (plus -c overrides) in CDK_CONTEXT_JSON, output to
 * CDK_OUTDIR. The Lambdas are bundled only when `bundle` is set: otherwise the run gets the empty bundling-stacks
 * list the CLI passes for the stacks `cdk synth --exclusively` leaves out (the templates do not depend on the
 * bundles, and esbuild was most of each run's time).
 */
function runApp(overrides: Record<string, unknown>, env: Record<string, string> = {}, { bundle = false }: { bundle?: boolean } = {}): Run {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-bin-'));
  outdirs.push(outdir);
  const { CDK_DEFAULT_REGION: _region, CDK_DEFAULT_ACCOUNT: _account, ...inherited } = process.env;
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bin', 'bucket-guardrail.ts')], {
    cwd: ROOT,
    env: { ...inherited, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...overrides }), ...env },
    encoding: 'utf8',
  });
  const manifestPath = path.join(outdir, 'manifest.json');
  const manifest = fs.existsSync(manifestPath)
    ? (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { artifacts: Record<string, { type: string; environment: string }>; missing?: { key: string; provider: string }[] })
    : { artifacts: {} };
  type Metadata = Record<string, Array<{ type: string; data: unknown }>>;
  // A stack's metadata (its synth warnings among it) is inline or, with current CDK, in its additionalMetadataFile.
  const artifacts = manifest.artifacts as Record<string, { metadata?: Metadata; additionalMetadataFile?: string }>;
  const metadataOf = (stack: string): Metadata => {
    const artifact = artifacts[stack];
    const file = artifact?.additionalMetadataFile;
    return { ...artifact?.metadata, ...(file !== undefined ? (JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')) as Metadata) : {}) };
  };
  const stacks = Object.fromEntries(
    Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([name, artifact]) => [name, { environment: artifact.environment }]),
  );
  const template = (stack: string): ReturnType<Run['template']> =>
    JSON.parse(fs.readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8')) as ReturnType<Run['template']>;
  const warnings = (stack: string): string[] =>
    Object.values(metadataOf(stack))
      .flat()
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((entry) => String(entry.data));
  const bundledHandlers = (stack: string): Record<string, boolean> => {
    const functions = Object.entries(template(stack).Resources).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::Function' && (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    );
    return Object.fromEntries(
      functions.map(([id, resource]) => {
        const key = String((resource.Properties.Code as { S3Key?: unknown }).S3Key ?? '');
        return [id, fs.existsSync(path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'))];
      }),
    );
  };
  return { status: result.status, stderr: result.stderr, stacks, template, warnings, bundledHandlers, missing: 'missing' in manifest ? (manifest.missing ?? []) : [] };
}

afterAll(() => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('bin/bucket-guardrail.ts', () => {
  it('is the app cdk.json runs', () => {
    expect(CDK_JSON.app).toBe('npx tsx bin/bucket-guardrail.ts');
  });

  it('synthesizes the home stack in us-east-1 with no account and no region configured', () => {
    // GIVEN no CDK_DEFAULT_REGION / CDK_DEFAULT_ACCOUNT (offline, fresh clone)
    const run = runApp({}, {}, { bundle: true });
    // THEN one stack, account left to deploy time
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({ BucketGuardrail: { environment: 'aws://unknown-account/us-east-1' } });
    // AND the three functions (remediator, sweep lister and worker) bundled by esbuild into the assembly
    const bundled = run.bundledHandlers('BucketGuardrail');
    expect(Object.keys(bundled)).toHaveLength(3);
    expect(Object.values(bundled)).toEqual([true, true, true]);
    // AND `cdk synth` prints that the Multi-Region Access Point calls (made in us-west-2) are not heard, with the fix
    expect(run.warnings('BucketGuardrail')).toContainEqual(expect.stringContaining('-c regions=us-east-1,us-west-2'));
  });

  it('adds a forwarder stack per extra region given with -c regions', () => {
    const run = runApp({ regions: 'us-east-1,eu-west-1,ap-southeast-2' });
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({
      BucketGuardrail: { environment: 'aws://unknown-account/us-east-1' },
      'BucketGuardrail-Forwarder-eu-west-1': { environment: 'aws://unknown-account/eu-west-1' },
      'BucketGuardrail-Forwarder-ap-southeast-2': { environment: 'aws://unknown-account/ap-southeast-2' },
    });
  });

  it("takes the home region from the CLI's CDK_DEFAULT_REGION", () => {
    const run = runApp({}, { CDK_DEFAULT_REGION: 'eu-central-1' });
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({ BucketGuardrail: { environment: 'aws://unknown-account/eu-central-1' } });
  });

  it('carries -c sweepSchedule, sweepConcurrency and exemptionWriters into the template', () => {
    // GIVEN the sweep and exemption keys on the command line
    const run = runApp({ sweepSchedule: 'cron(0 3 * * ? *)', sweepConcurrency: '32', exemptionWriters: 'arn:aws:iam::111122223333:role/SecurityOperator' });
    expect(run.status).toBe(0);
    const resources = Object.values(run.template('BucketGuardrail').Resources);
    // THEN the schedule, the worker concurrency and the exemptions table's writers are those values
    expect(resources.filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => r.Properties.ScheduleExpression)).toEqual(['cron(0 3 * * ? *)']);
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping').map((r) => r.Properties.ScalingConfig)).toContainEqual({ MaximumConcurrency: 32 });
    const [table] = resources.filter((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.ResourcePolicy !== undefined);
    expect(JSON.stringify(table.Properties.ResourcePolicy)).toContain('arn:aws:iam::111122223333:role/SecurityOperator');
  });

  it('leaves the sweep out with -c sweep=false', () => {
    const run = runApp({ sweep: 'false' });
    expect(run.status).toBe(0);
    const types = Object.values(run.template('BucketGuardrail').Resources).map((r) => r.Type);
    expect(types).not.toContain('AWS::Scheduler::Schedule');
    expect(types.filter((type) => type === 'AWS::Lambda::Function')).toHaveLength(1);
  });

  it('fails on an invalid sweep schedule and concurrency, saying how to fix them', () => {
    const run = runApp({ sweepSchedule: 'every 6 hours', sweepConcurrency: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('- sweepSchedule: "every 6 hours" is not an EventBridge Scheduler expression; use for example "rate(6 hours)"');
    expect(run.stderr).toContain('- sweepConcurrency: 1 is not a whole number from 2 to 1000 (sweep workers at once); for example -c sweepConcurrency=16');
    expect(run.stacks).toEqual({});
  });

  it('fails with every context problem, the bad values and the fixes, and no stack trace', () => {
    // GIVEN two invalid -c values
    const run = runApp({ remediationMode: 'fix', regions: 'eu-west-1' });
    // THEN exit 1 with the actionable list and nothing synthesized
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid cdk.json context (2 problems):');
    expect(run.stderr).toContain('- regions: [eu-west-1] does not include the home region us-east-1');
    expect(run.stderr).toContain('- remediationMode: "fix" is not one of "enforce", "report-only"');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stacks).toEqual({});
  });
});

describe('bin/bucket-guardrail.ts with -c vpc', () => {
  type Resources = ReturnType<Run['template']>['Resources'];
  const functionsIn = (resources: Resources) => Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.VpcConfig !== undefined);

  it('vpc=create: synthesizes offline, account-agnostic, with the functions in the new VPC and its endpoints', () => {
    const run = runApp({ vpc: 'create' });
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({ BucketGuardrail: { environment: 'aws://unknown-account/us-east-1' } });
    const resources = run.template('BucketGuardrail').Resources;
    expect(functionsIn(resources)).toHaveLength(3);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')).toHaveLength(7);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::EC2::NatGateway')).toHaveLength(0);
  });

  it('vpc=create with vpcEndpoints=false: the functions are in the VPC and no endpoint is created', () => {
    const run = runApp({ vpc: 'create', vpcEndpoints: 'false' });
    expect(run.status).toBe(0);
    const resources = run.template('BucketGuardrail').Resources;
    expect(functionsIn(resources)).toHaveLength(3);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
  });

  it('vpc=<VPC ID> without credentials: fails before synthesis, saying the lookup needs the account', () => {
    const run = runApp({ vpc: 'vpc-0123456789abcdef0' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('- vpc: looking up vpc-0123456789abcdef0 needs the account, and CDK_DEFAULT_ACCOUNT is not set');
    expect(run.stacks).toEqual({});
  });

  it('vpc=<VPC ID> with the CLI\'s account: pins the stack to it and asks the CLI for the VPC lookup', () => {
    // GIVEN the account the CDK CLI sets from the credentials, and no cached lookup
    const run = runApp({ vpc: 'vpc-0123456789abcdef0' }, { CDK_DEFAULT_ACCOUNT: '111122223333' });
    // THEN the stack is pinned to that account, and the lookup is reported missing (the CLI performs it, caches it in
    // cdk.context.json and synthesizes again; until then the app uses the CDK's placeholder VPC)
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({ BucketGuardrail: { environment: 'aws://111122223333/us-east-1' } });
    expect(run.missing.map((entry) => entry.provider)).toEqual(['vpc-provider']);
    expect(run.missing[0].key).toContain('filter.vpc-id=vpc-0123456789abcdef0');
    // AND this first pass keeps the functions out of the CDK's placeholder VPC (which CloudFormation validation
    // refuses), saying the template is not deployable until the lookup is done
    expect(Object.values(run.template('BucketGuardrail').Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.VpcConfig !== undefined)).toEqual([]);
    expect(run.stderr).toContain('VPC vpc-0123456789abcdef0 is not looked up yet: the CDK CLI looks it up with your credentials and synthesizes again');
  });

  it('fails on vpc=create with other regions, saying the fix', () => {
    const run = runApp({ vpc: 'create', regions: 'us-east-1,eu-west-1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('- vpc: "create" makes an isolated VPC whose endpoints serve us-east-1 only, but regions also names eu-west-1');
    expect(run.stacks).toEqual({});
  });
});

describe('bin/bucket-guardrail.ts with organization=true', () => {
  const ORGANIZATION = {
    organization: 'true',
    organizationId: 'o-abcdefghij',
    memberOrganizationalUnits: 'ou-ab12-cdefgh12',
    memberRegions: 'us-east-1,eu-west-1',
  };

  it('synthesizes the central stack offline, with the member StackSet and no forwarder stacks', () => {
    // GIVEN the documented command: -c organization=true -c organizationId=… -c memberOrganizationalUnits=… -c memberRegions=…
    const run = runApp({ ...ORGANIZATION, regions: 'us-east-1,eu-west-1' });
    // THEN one stack, account left to deploy time, and no jsii deprecation noise
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({ BucketGuardrail: { environment: 'aws://unknown-account/us-east-1' } });
    expect(run.stderr).not.toMatch(/deprecated/i);
    // AND `cdk synth` prints that no member region hears the Multi-Region Access Point calls, with the fix
    expect(run.warnings('BucketGuardrail')).toContainEqual(expect.stringContaining('-c memberRegions=us-east-1,eu-west-1,us-west-2'));
  });

  it('pins the central stack to the delegated administrator account and adds the SCP stack with preventive', () => {
    const run = runApp({ ...ORGANIZATION, delegatedAdminAccount: '111122223333', preventive: 'true', breakGlassRoleName: 'BreakGlass' });
    expect(run.status).toBe(0);
    expect(run.stacks).toEqual({
      BucketGuardrail: { environment: 'aws://111122223333/us-east-1' },
      'BucketGuardrail-Preventive': { environment: 'aws://unknown-account/us-east-1' },
    });
  });

  it('fails with the organization problems and their fixes', () => {
    const run = runApp({ organization: 'true', preventive: 'true' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid cdk.json context (3 problems):');
    expect(run.stderr).toContain('- organizationId: is required with organization=true; for example -c organizationId=o-abcdefghij');
    expect(run.stderr).toContain('- memberOrganizationalUnits: is required with organization=true');
    expect(run.stderr).toContain('- breakGlassRoleName: is required with preventive=true');
    expect(run.stacks).toEqual({});
  });
});
