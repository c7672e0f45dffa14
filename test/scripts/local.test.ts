/**
 * `npm run local`: the plan is derived from the real synthesized template (so the local tables carry the
 * constructs' keys and indexes), the dry run prints every call, and the real remediation handler runs with
 * the derived environment and contains the demo bucket (here against the in-memory fakes, the emulator
 * packages are not dependencies of this project).
 */
import { readFileSync } from 'node:fs';
import { AUDIT_TABLE } from '../../lambda/shared/audit/table-schema';
import { EXEMPTIONS_TABLE } from '../../lambda/shared/exemptions/exemptions-table';
import { parseRemediateEnvironment, REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { PROGRESS_TABLE } from '../../lambda/sweep/progress-table';
import { GUARDRAIL_STACK_OUTPUTS } from '../../lib/stack-outputs';
import { invokeRemediateHandler, runLocalSteps, type LocalEmulator } from '../../scripts/local-emulator';
import { LOCAL_DEFAULTS, localPlan, localSampleEvent, type CfnTemplate, type LocalPlan, type LocalStep, type LocalTableInput } from '../../scripts/local-plan';
import { runLocal, SAMPLE_EVENT_FIXTURE } from '../../scripts/local';
import { synthesizeGuardrailTemplate } from '../../scripts/local-template';
import { installAwsFakes, type AwsFakes } from '../fakes/aws-fakes';

const OPTIONS = { ...LOCAL_DEFAULTS };
let template: CfnTemplate;
let plan: LocalPlan;

beforeAll(() => {
  // One synthesis for the file: the same app `npx cdk synth` builds, bundling skipped.
  template = synthesizeGuardrailTemplate({ region: OPTIONS.region });
  plan = localPlan(template, localSampleEvent(JSON.parse(readFileSync(SAMPLE_EVENT_FIXTURE, 'utf8')), OPTIONS), OPTIONS);
}, 600_000);

function tables(): LocalTableInput[] {
  return plan.steps.flatMap((step) => (step.kind === 'createTable' ? [step.input] : []));
}

function table(name: string): LocalTableInput {
  const found = tables().find((input) => input.TableName === name);
  if (found === undefined) throw new Error(`no table ${name} in ${tables().map((t) => t.TableName).join(', ')}`);
  return found;
}

function memoryIo(env: Record<string, string> = {}): { io: Parameters<typeof runLocal>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env }, out: () => out, err: () => err };
}

describe('the local plan, derived from the synthesized stack', () => {
  it('creates every DynamoDB table of the stack, no more', () => {
    const inTemplate = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables()).toHaveLength(inTemplate.length);
    expect(tables().length).toBeGreaterThanOrEqual(3);
  });

  it('gives the audit table the key and every index `audit` queries', () => {
    const audit = table(plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditTableName] as string);
    expect(audit.KeySchema).toEqual([{ AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' }]);
    expect(audit.GlobalSecondaryIndexes?.map((gsi) => [gsi.IndexName, gsi.KeySchema, gsi.Projection.ProjectionType])).toEqual(
      Object.values(AUDIT_TABLE.indexes).map((index) => [
        index.name,
        [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: AUDIT_TABLE.timeAttribute, KeyType: 'RANGE' },
        ],
        'ALL',
      ]),
    );
    // every key attribute is defined, as CreateTable requires
    const defined = audit.AttributeDefinitions.map((definition) => definition.AttributeName).sort();
    expect(defined).toEqual([AUDIT_TABLE.partitionKey, AUDIT_TABLE.timeAttribute, ...Object.values(AUDIT_TABLE.indexes).map((index) => index.partitionKey)].sort());
  });

  it('gives the exemptions and sweep progress tables their partition keys', () => {
    expect(table(plan.outputs[GUARDRAIL_STACK_OUTPUTS.exemptionsTableName] as string).KeySchema).toEqual([{ AttributeName: EXEMPTIONS_TABLE.partitionKey, KeyType: 'HASH' }]);
    expect(tables().some((input) => input.KeySchema[0]?.AttributeName === PROGRESS_TABLE.partitionKey)).toBe(true);
  });

  it('creates the archive bucket with Object Lock and the alert topic', () => {
    const archive = plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName];
    expect(plan.steps).toContainEqual({ kind: 'createBucket', bucket: archive, objectLock: true });
    expect(plan.steps).toContainEqual({ kind: 'createTopic', name: 'bucket-guardrail-alert-topic' });
    expect(plan.outputs[GUARDRAIL_STACK_OUTPUTS.alertTopicArn]).toBe('arn:aws:sns:us-east-1:000000000000:bucket-guardrail-alert-topic');
  });

  it("gives the handler the stack's environment with local names, which the handler's contract accepts", () => {
    const invoke = plan.steps.find((step): step is Extract<LocalStep, { kind: 'invokeRemediate' }> => step.kind === 'invokeRemediate');
    const config = parseRemediateEnvironment(invoke?.environment ?? {});
    expect(config).toEqual(
      expect.objectContaining({
        auditTableName: plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditTableName],
        exemptionsTableName: plan.outputs[GUARDRAIL_STACK_OUTPUTS.exemptionsTableName],
        auditArchiveBucket: plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName],
        alertTopicArn: plan.outputs[GUARDRAIL_STACK_OUTPUTS.alertTopicArn],
        selfRoleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
        mode: 'enforce',
      }),
    );
    expect(invoke?.environment).not.toHaveProperty('NODE_OPTIONS');
    expect(invoke?.event).toEqual(expect.objectContaining({ account: '000000000000', region: 'us-east-1' }));
  });
});

describe('npm run local', () => {
  it('--dry-run prints every call as an AWS CLI command and makes none', async () => {
    // GIVEN no endpoint at all
    const { io, out, err } = memoryIo();
    // WHEN
    const code = await runLocal(['--dry-run'], io, { template: () => template });
    // THEN
    expect(code).toBe(0);
    expect(err()).toBe('');
    const lines = out().trimEnd().split('\n');
    expect(lines).toHaveLength(plan.steps.length + 2);
    expect(lines.filter((line) => line.startsWith('aws dynamodb create-table'))).toHaveLength(tables().length);
    for (const index of Object.values(AUDIT_TABLE.indexes)) {
      expect(out()).toContain(`"IndexName":"${index.name}"`);
    }
    expect(out()).toContain(`aws s3api create-bucket --bucket ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName]} --object-lock-enabled-for-bucket`);
    expect(out()).toMatch(new RegExp(`${REMEDIATE_ENV.auditTableName}='bucket-guardrail-audit-table' .*createRemediateHandler`));
    expect(lines.at(-2)).toBe(
      `# then the CLI: node cli/bucket-guardrail.cjs audit --since 1d --table bucket-guardrail-audit-table --archive-bucket bucket-guardrail-audit-archive-000000000000 --exemptions-table bucket-guardrail-exemptions-table`,
    );
    expect(lines.at(-1)).toBe(`# dry run: ${plan.steps.length} calls printed, none made`);
  });

  it.each([
    [[], {}, /AWS_ENDPOINT_URL is not set: .*--dry-run; the script never runs against real AWS/],
    [['--dry-run', '--account', '12'], {}, /--account "12" is not a 12-digit account ID/],
    [['--dry-run', '--regoin', 'us-east-1'], {}, /unknown argument --regoin/],
    [['--region'], { AWS_ENDPOINT_URL: 'http://localhost:4566' }, /--region needs a value/],
  ])('%j is exit 2 with a message, before anything is created', async (argv, env, message) => {
    const { io, out, err } = memoryIo(env as Record<string, string>);
    const synthesize = jest.fn(() => template);
    expect(await runLocal(argv, io, { template: synthesize })).toBe(2);
    expect(err()).toMatch(message);
    expect(out()).toBe('');
    expect(synthesize).not.toHaveBeenCalled();
  });
});

describe('running the plan against an emulator (the in-memory fakes standing in)', () => {
  let fakes: AwsFakes;
  const savedEnv = { ...process.env };
  // Powertools Metrics reads its switch from process.env only: no EMF metric lines in the test output.
  beforeEach(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  });
  afterEach(() => {
    fakes.restore();
    process.env = { ...savedEnv };
  });

  /** A LocalEmulator over the fakes: what an S3/DynamoDB/SNS emulator would do for these calls. */
  function fakeEmulator(created: string[]): LocalEmulator {
    return {
      createTable: async (input) => void created.push(`table ${input.TableName} ${input.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName).join(',') ?? ''}`),
      createBucket: async (bucket, objectLock) => {
        created.push(`bucket ${bucket}${objectLock ? ' object-lock' : ''}`);
        fakes.s3.addBucket(bucket, { account: OPTIONS.account, region: OPTIONS.region });
      },
      createTopic: async (name) => void created.push(`topic ${name}`),
      deletePublicAccessBlock: async (bucket) => void (fakes.s3.bucket(bucket).publicAccessBlock = null),
      putBucketPolicy: async (bucket, policy) => void (fakes.s3.bucket(bucket).policy = policy),
      // Powertools' log level keeps the handler's JSON logs out of the test output.
      invokeRemediate: (environment, event) => invokeRemediateHandler({ ...environment, AWS_REGION: OPTIONS.region, POWERTOOLS_LOG_LEVEL: 'SILENT' }, event),
      getPublicAccessBlock: async (bucket) => fakes.s3.bucket(bucket).publicAccessBlock ?? undefined,
    };
  }

  it('runs the real remediation handler, which contains the demo bucket and writes the audit record', async () => {
    // GIVEN the fakes answer under the local names
    fakes = installAwsFakes({
      tableName: plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditTableName] as string,
      exemptionsTableName: plan.outputs[GUARDRAIL_STACK_OUTPUTS.exemptionsTableName] as string,
    });
    fakes.s3.setAccountPublicAccessBlock(OPTIONS.account, null);
    const created: string[] = [];
    // WHEN
    const result = await runLocalSteps(plan.steps, fakeEmulator(created));
    // THEN the stack's resources were created, then the bucket was contained
    expect(created).toEqual(
      expect.arrayContaining([
        `table ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditTableName]} ${Object.values(AUDIT_TABLE.indexes).map((index) => index.name).join(',')}`,
        `bucket ${plan.outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName]} object-lock`,
        'topic bucket-guardrail-alert-topic',
        `bucket ${OPTIONS.demoBucket}`,
      ]),
    );
    expect(result.remediate).toEqual(expect.objectContaining({ outcome: 'remediated' }));
    expect(result.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(fakes.s3.isPublic(OPTIONS.demoBucket)).toBe(false);
    expect([...fakes.table.items.values()]).toEqual([expect.objectContaining({ bucket: OPTIONS.demoBucket, outcome: 'remediated' })]);
  });

  it('stops at the first failing call and names it', async () => {
    fakes = installAwsFakes();
    const emulator = { ...fakeEmulator([]), createTopic: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4566')) };
    await expect(runLocalSteps(plan.steps, emulator)).rejects.toThrow(/^createTopic failed: connect ECONNREFUSED 127\.0\.0\.1:4566 \(aws sns create-topic/);
  });
});
