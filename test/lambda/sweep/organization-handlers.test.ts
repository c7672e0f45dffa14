/**
 * The organization-wide sweep through both Lambda entry points as Lambda loads them (MEMBER_ROLE_NAME and
 * ORGANIZATION_ID set): Organizations, STS, SQS and CloudTrail are mocked with aws-sdk-client-mock; S3, the
 * audit table and SNS are the stateful fakes, which check whose credentials sign each S3 call, so a member
 * account's buckets can only be listed and contained through that account's member role.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { ProgressTableFake } from './support/progress-table-fake';

const SAVED_ENV = { ...process.env };
const HOME = '111122223333';
const MEMBER_A = '222233334444';
const MEMBER_B = '333344445555';
const MEMBER_ROLE = 'BucketGuardrailRemediation';
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${HOME}:guardrail-alerts`;
const WORK_QUEUE = `https://sqs.eu-west-1.amazonaws.com/${HOME}/sweep-work`;
const LISTING_QUEUE = `https://sqs.eu-west-1.amazonaws.com/${HOME}/sweep-listing`;
const PROGRESS_TABLE = 'sweep-progress';
const WORKER_ROLE = `arn:aws:iam::${HOME}:role/sweep-worker`;

/** Access keys → the account they belong to, as the S3 fake asks. */
const KEY_ACCOUNTS: Record<string, string> = { AKIAHOMEEXAMPLE00001: HOME, ASIAMEMBERAEXAMPLE01: MEMBER_A };

const ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAHOMEEXAMPLE00001',
  AWS_SECRET_ACCESS_KEY: 'home-secret',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  ALERT_TOPIC_ARN: TOPIC_ARN,
  SWEEP_WORK_QUEUE_URL: WORK_QUEUE,
  SWEEP_LISTING_QUEUE_URL: LISTING_QUEUE,
  SWEEP_PROGRESS_TABLE: PROGRESS_TABLE,
  SWEEP_REGIONS: 'eu-west-1',
  SWEEP_SELF_ROLE_ARNS: WORKER_ROLE,
  AUDIT_TABLE_NAME: 'bucket-guardrail-audit',
  SELF_ROLE_ARN: WORKER_ROLE,
  MEMBER_ROLE_NAME: MEMBER_ROLE,
  ORGANIZATION_ID: 'o-abcdefghij',
};

type ListerHandler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;
type WorkerHandler = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

interface Loaded {
  readonly lister: ListerHandler;
  readonly worker: WorkerHandler;
  readonly fakes: AwsFakes;
  readonly progress: ProgressTableFake;
  readonly sqs: AwsClientStub<SQSClient>;
  readonly sts: AwsClientStub<STSClient>;
  readonly organizations: AwsClientStub<OrganizationsClient>;
  restore(): void;
}

let loaded: Loaded | undefined;

function context(): Context {
  return {
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:${HOME}:function:sweep`,
    awsRequestId: '0f6c1d2e-3a4b-4c5d-8e9f-001122334455',
    getRemainingTimeInMillis: () => 240_000,
  } as unknown as Context;
}

/** Inputs of one command's calls, by class name (the handlers were loaded in their own module registry). */
function inputsOf(stub: AwsClientStub<SQSClient> | AwsClientStub<STSClient> | AwsClientStub<OrganizationsClient>, command: string): Record<string, unknown>[] {
  return stub
    .calls()
    .map((call) => call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> })
    .filter((sent) => sent.constructor.name === command)
    .map((sent) => sent.input);
}

function sqsEvent(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({ messageId: `m-${index}`, receiptHandle: `r-${index}`, body, attributes: { ApproximateReceiveCount: '1' }, eventSource: 'aws:sqs' })),
  } as unknown as SQSEvent;
}

/** One cold start of both handlers in one module registry, sharing the fakes. */
/** `organizationsSetup` adds stubs with the Organizations module of the handlers' own module registry. */
function coldStart(
  extraEnv: Record<string, string> = {},
  organizationsSetup?: (module: typeof import('@aws-sdk/client-organizations'), stub: AwsClientStub<OrganizationsClient>) => void,
): Loaded {
  process.env = { ...SAVED_ENV, ...ENV, ...extraEnv };
  let result: Loaded | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const fakes = (require('../../fakes/aws-fakes') as typeof import('../../fakes/aws-fakes')).installAwsFakes({ accountOfAccessKey: (key) => KEY_ACCOUNTS[key] });
    const progress = new ProgressTableFake({ tableName: PROGRESS_TABLE });
    const dynamodb = fakes.mocks.dynamodb as unknown as { on(command: unknown, input?: unknown): { callsFake(fn: (input: never) => unknown): unknown } };
    const documents = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
    // Only the progress store writes transactions here (the audit store's writes are single-item).
    dynamodb.on(documents.TransactWriteCommand).callsFake((input) => progress.send(new TransactWriteCommand(input)));
    dynamodb.on(documents.GetCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new GetCommand(input)));
    dynamodb.on(documents.UpdateCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new UpdateCommand(input)));
    dynamodb.on(documents.PutCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new PutCommand(input)));
    const sqsModule = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const sqs = mockClient(sqsModule.SQSClient);
    sqs.on(sqsModule.SendMessageCommand).resolves({}).on(sqsModule.SendMessageBatchCommand).resolves({ Failed: [] }).on(sqsModule.ChangeMessageVisibilityCommand).resolves({});
    const ctModule = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
    const cloudtrail = mockClient(ctModule.CloudTrailClient);
    cloudtrail
      .on(ctModule.DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'org', TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org' }] })
      .on(ctModule.GetTrailStatusCommand)
      .resolves({ IsLogging: true })
      .on(ctModule.GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'All' }] })
      .on(ctModule.LookupEventsCommand)
      .resolves({ Events: [] });
    const stsModule = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
    const sts = mockClient(stsModule.STSClient);
    const denied = Object.assign(new Error(`User: ${WORKER_ROLE} is not authorized to perform: sts:AssumeRole`), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    sts
      .on(stsModule.AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_A}:role/${MEMBER_ROLE}` })
      .resolves({ Credentials: { AccessKeyId: 'ASIAMEMBERAEXAMPLE01', SecretAccessKey: 'member-secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } })
      .on(stsModule.AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/${MEMBER_ROLE}` })
      .rejects(denied);
    const orgModule = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
    const organizations = mockClient(orgModule.OrganizationsClient);
    organizations
      .on(orgModule.ListAccountsCommand, { MaxResults: 20 })
      .resolves({ Accounts: [{ Id: HOME, State: 'ACTIVE' }, { Id: MEMBER_A, State: 'ACTIVE' }], NextToken: 'page-2' })
      .on(orgModule.ListAccountsCommand, { MaxResults: 20, NextToken: 'page-2' })
      .resolves({ Accounts: [{ Id: MEMBER_B, State: 'ACTIVE' }, { Id: '444455556666', State: 'SUSPENDED' }] });
    organizationsSetup?.(orgModule, organizations as unknown as AwsClientStub<OrganizationsClient>);
    const restore = (): void => {
      fakes.restore();
      for (const stub of [sqs, cloudtrail, sts, organizations]) stub.restore();
    };
    try {
      const lister = (require('../../../lambda/sweep/list-handler') as { handler: ListerHandler }).handler;
      const worker = (require('../../../lambda/sweep/worker-handler') as { handler: WorkerHandler }).handler;
      result = {
        lister,
        worker,
        fakes,
        progress,
        sqs: sqs as unknown as AwsClientStub<SQSClient>,
        sts: sts as unknown as AwsClientStub<STSClient>,
        organizations: organizations as unknown as AwsClientStub<OrganizationsClient>,
        restore,
      };
    } catch (error) {
      restore();
      throw error;
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  if (result === undefined) throw new Error('handlers did not load');
  loaded = result;
  return result;
}

afterEach(() => {
  loaded?.restore();
  loaded = undefined;
  process.env = { ...SAVED_ENV };
});

describe('the accounts an organization-wide sweep enters', () => {
  test('with MEMBER_ORGANIZATIONAL_UNITS it lists the accounts under those OUs, not the whole organization', async () => {
    // GIVEN the StackSet targets one OU holding member A only
    let listAccountsForParent: unknown;
    let listAccounts: unknown;
    const { lister, sts } = coldStart({ MEMBER_ORGANIZATIONAL_UNITS: 'ou-ab12-cdefgh12' }, (module, stub) => {
      listAccountsForParent = module.ListAccountsForParentCommand;
      listAccounts = module.ListAccountsCommand;
      stub
        .on(module.DescribeOrganizationCommand)
        .resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '999988887777' } })
        .on(module.ListOrganizationalUnitsForParentCommand)
        .resolves({ OrganizationalUnits: [] })
        .on(module.ListAccountsForParentCommand)
        .resolves({ Accounts: [{ Id: MEMBER_A, State: 'ACTIVE' }] });
    });
    const { organizations } = loaded as Loaded;

    // WHEN a sweep starts
    await lister({ trigger: 'manual' }, context());

    // THEN the OU was listed, the whole organization was not, and no role outside the OU was assumed
    const calls = organizations.calls().map((call) => call.args[0] as { constructor: unknown; input: { ParentId?: string } });
    expect(calls.filter((command) => command.constructor === listAccountsForParent).map((command) => command.input.ParentId)).toEqual(['ou-ab12-cdefgh12']);
    expect(calls.filter((command) => command.constructor === listAccounts)).toHaveLength(0);
    const roles = sts.calls().map((call) => (call.args[0] as { input: { RoleArn?: string } }).input.RoleArn);
    expect(roles).not.toContain(`arn:aws:iam::${MEMBER_B}:role/${MEMBER_ROLE}`);
  });

  test('an invalid MEMBER_ORGANIZATIONAL_UNITS fails the cold start naming the variable and the value', () => {
    // GIVEN / WHEN the lister loads with a value that is not an OU or root ID / THEN loading fails with the reason
    expect(() => coldStart({ MEMBER_ORGANIZATIONAL_UNITS: 'ou-bad' })).toThrow('MEMBER_ORGANIZATIONAL_UNITS: "ou-bad" is not an OU ID');
  });
});

describe('organization-wide sweep through the handlers', () => {
  test('lists every ACTIVE account, sweeps each through its member role, and reports the account whose role is refused', async () => {
    // GIVEN the home account, member A (role assumable) with a public bucket, member B (role refused)
    const { lister, worker, fakes, progress, sqs, sts, organizations } = coldStart();
    fakes.s3.addBucket('home-private', { account: HOME, region: 'eu-west-1' });
    fakes.s3.addBucket('a-open', { account: MEMBER_A, region: 'us-east-1', publicAccessBlock: null, policy: publicReadPolicy('a-open') });
    fakes.s3.addBucket('b-unseen', { account: MEMBER_B, region: 'eu-west-1' });

    // WHEN an operator starts a sweep
    const started = await lister({ trigger: 'manual' }, context());
    // THEN the organization's accounts were listed page by page, and one listing message went out per ACTIVE account
    expect(started).toEqual(expect.objectContaining({ status: 'started', accounts: 3 }));
    expect(inputsOf(organizations, 'ListAccountsCommand')).toEqual([{ MaxResults: 20 }, { MaxResults: 20, NextToken: 'page-2' }]);
    const listings = inputsOf(sqs, 'SendMessageCommand').map((input) => String(input.MessageBody));
    expect(listings.map((body) => (JSON.parse(body) as { account: string }).account).sort()).toEqual([HOME, MEMBER_A, MEMBER_B]);

    // WHEN the listing queue delivers the three listings
    const listed = await lister(sqsEvent(listings), context());
    // THEN none is retried: the home account is listed with its own credentials, A through its role, B is reported
    expect(listed).toEqual({ batchItemFailures: [] });
    expect(inputsOf(sts, 'AssumeRoleCommand').map((input) => input.RoleArn).sort()).toEqual([
      `arn:aws:iam::${MEMBER_A}:role/${MEMBER_ROLE}`,
      `arn:aws:iam::${MEMBER_B}:role/${MEMBER_ROLE}`,
    ]);
    const work = inputsOf(sqs, 'SendMessageBatchCommand').flatMap((input) => (input.Entries as { MessageBody: string }[]).map((entry) => entry.MessageBody));
    const messages = work.map((body) => JSON.parse(body) as { account: string; buckets: { name: string }[] });
    expect(messages.map((message) => [message.account, message.buckets.map((bucket) => bucket.name)]).sort()).toEqual([
      [HOME, ['home-private']],
      [MEMBER_A, ['a-open']],
    ]);
    const sweepItem = [...progress.items.values()].find((item) => typeof item.sweepId === 'string' && item.pk === `sweep#${String(item.sweepId)}`);
    expect(sweepItem).toEqual(expect.objectContaining({ listed: 2, accountsPending: 0, listingComplete: true }));

    // WHEN the workers check the listed buckets
    const checked = await worker(sqsEvent(work), context());
    // THEN A's public bucket is contained through A's member role, and one summary names B
    expect(checked).toEqual({ batchItemFailures: [] });
    expect(fakes.s3.isPublic('a-open')).toBe(false);
    const records = [...fakes.table.items.values()];
    expect(records.map((record) => [record.bucket, record.account, record.trigger, record.outcome])).toEqual([['a-open', MEMBER_A, 'sweep', 'remediated']]);
    const summaries = fakes.sns.published.filter((alert) => alert.MessageAttributes?.outcome?.StringValue === 'sweep-summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Subject).toMatch(/^\[high\] Sweep done: 2 buckets, 1 public, 1 remediated, 1 account not swept$/);
    const summary = SnsFake.parts(summaries[0] as never).email;
    expect(summary).toContain('Accounts swept: 2 of 3');
    expect(summary).toContain(`${MEMBER_B}: AssumeRole into arn:aws:iam::${MEMBER_B}:role/${MEMBER_ROLE} was refused`);
  });
});
