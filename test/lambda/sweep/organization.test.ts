/**
 * The organization-wide sweep: the accounts come from Organizations ListAccounts (paginated, ACTIVE only), each
 * account is listed through its member role with the same fan-out as one account, work messages carry the
 * account, and an account whose role cannot be assumed is reported in the summary without stopping the others.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountScopedClients } from '../../../lambda/remediate/adapters/account-clients';
import { AccountCredentialsProvider, AssumeRoleError, CROSS_ACCOUNT_ENV } from '../../../lambda/shared/aws/assume-role';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { AccountUnavailableError, accountsToSweep } from '../../../lambda/sweep/accounts';
import { accountBucketLister, accountUnavailableReason } from '../../../lambda/sweep/adapters/account-bucket-listing';
import { AccountListingLoopError, isActiveAccount, organizationAccountLister } from '../../../lambda/sweep/adapters/organization-accounts';
import { dynamoProgressStore, type ProgressStore } from '../../../lambda/sweep/adapters/progress-store';
import { remediationChecker } from '../../../lambda/sweep/adapters/remediation';
import type { SweepQueue } from '../../../lambda/sweep/adapters/sweep-queue';
import { summaryAlert, type SweepAlert } from '../../../lambda/sweep/alerts';
import { parseListerEnvironment, toListerEnvironment, type ListerConfig } from '../../../lambda/sweep/environment';
import { continueListing, startSweep, type ListAccountPage, type ListerDeps, type ListerSettings } from '../../../lambda/sweep/lister';
import { parseCheckMessage, parseListMessage, parseStartEvent, type CheckMessage, type ListMessage } from '../../../lambda/sweep/messages';
import { continuation, planPage } from '../../../lambda/sweep/plan';
import { zeroCounts, type SweepProgress } from '../../../lambda/sweep/progress';
import { processBatch, type CheckBucket, type WorkRecord } from '../../../lambda/sweep/worker';
import type { PipelineDeps } from '../../../lambda/remediate/pipeline';
import { ProgressTableFake } from './support/progress-table-fake';

const HOME = '111122223333';
const MEMBER_A = '222233334444';
const MEMBER_B = '333344445555';
const MEMBER_C = '444455556666';
const START = { sweepId: 'schedule-20261123t040000z-ab12', trigger: 'schedule' as const, startedAt: '2026-11-23T04:00:00.000Z' };
const SETTINGS: ListerSettings = { regions: ['eu-west-1'], bucketsPerMessage: 2, handoverMs: 60_000 };
const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function accessDenied(message = 'not authorized to perform: sts:AssumeRole'): Error {
  return Object.assign(new Error(message), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
}

describe('organizationAccountLister', () => {
  const organizations = mockClient(OrganizationsClient);
  afterEach(() => organizations.reset());
  afterAll(() => organizations.restore());

  test('follows NextToken across pages of 20 and keeps only ACTIVE accounts', async () => {
    // GIVEN three pages with active, suspended, closing and still-joining accounts
    organizations
      .on(ListAccountsCommand, { MaxResults: 20 })
      .resolves({ Accounts: [{ Id: HOME, State: 'ACTIVE' }, { Id: MEMBER_A, State: 'SUSPENDED' }], NextToken: 't1' })
      .on(ListAccountsCommand, { MaxResults: 20, NextToken: 't1' })
      .resolves({ Accounts: [{ Id: MEMBER_B, State: 'ACTIVE' }, { Id: '555566667777', State: 'PENDING_CLOSURE' }, { Id: '666677778888', State: 'PENDING_ACTIVATION' }], NextToken: 't2' })
      .on(ListAccountsCommand, { MaxResults: 20, NextToken: 't2' })
      .resolves({ Accounts: [{ Id: MEMBER_C, Status: 'ACTIVE' }] });
    // WHEN listed
    const accounts = await organizationAccountLister(new OrganizationsClient({ region: 'us-east-1' }))();
    // THEN every page was read, in order, and only the active accounts are swept
    expect(organizations.commandCalls(ListAccountsCommand).map((call) => call.args[0].input)).toEqual([
      { MaxResults: 20 },
      { MaxResults: 20, NextToken: 't1' },
      { MaxResults: 20, NextToken: 't2' },
    ]);
    expect(accounts).toEqual([HOME, MEMBER_B, MEMBER_C]);
  });

  test.each<[string, Parameters<typeof isActiveAccount>[0], boolean]>([
    ['State ACTIVE', { State: 'ACTIVE' }, true],
    ['State SUSPENDED, even with the old Status ACTIVE', { State: 'SUSPENDED', Status: 'ACTIVE' }, false],
    ['State CLOSED', { State: 'CLOSED' }, false],
    ['only the old Status ACTIVE', { Status: 'ACTIVE' }, true],
    ['only the old Status SUSPENDED', { Status: 'SUSPENDED' }, false],
    ['neither', {}, false],
  ])('decides an account with %s is swept: %s', (_title, account, expected) => {
    expect(isActiveAccount(account)).toBe(expected);
  });

  test('stops with AccountListingLoopError when ListAccounts repeats its token', async () => {
    organizations.on(ListAccountsCommand).resolves({ Accounts: [], NextToken: 'same' });
    await expect(organizationAccountLister(new OrganizationsClient({ region: 'us-east-1' }))()).rejects.toBeInstanceOf(AccountListingLoopError);
  });

  test('lets an AccessDenied from an account that is not the management or a delegated administrator reject the start', async () => {
    organizations.on(ListAccountsCommand).rejects(accessDenied('You don’t have permissions to access this resource.'));
    await expect(organizationAccountLister(new OrganizationsClient({ region: 'us-east-1' }))()).rejects.toThrow(/permissions/);
  });

  test('sweeps only the account named by an account-level event, else every listed account once', async () => {
    const listed = async (): Promise<string[]> => [MEMBER_B, MEMBER_A, MEMBER_B];
    await expect(accountsToSweep({ account: MEMBER_C }, listed)).resolves.toEqual([MEMBER_C]);
    await expect(accountsToSweep({}, listed)).resolves.toEqual([MEMBER_A, MEMBER_B]);
  });
});

describe('accountBucketLister through member roles', () => {
  const sts = mockClient(STSClient);
  const s3 = mockClient(S3Client);
  afterEach(() => {
    sts.reset();
    s3.reset();
  });
  afterAll(() => {
    sts.restore();
    s3.restore();
  });

  function lister(now: () => number = () => Date.parse('2026-11-23T04:00:00Z')): ListAccountPage {
    const clients = createAwsClients({ AWS_REGION: 'eu-west-1' });
    const accounts = new AccountCredentialsProvider({ sts: clients.sts(), partition: 'aws', homeAccountId: HOME, memberRoleName: 'BucketGuardrailRemediation', now });
    const scoped = new AccountScopedClients(clients, { accounts });
    return accountBucketLister({ pageSize: 1000, s3For: (account) => (account === undefined ? clients.s3() : scoped.s3('eu-west-1', account)) });
  }

  test('assumes each member role once, reuses it for later pages, and lists the home account with its own credentials', async () => {
    // GIVEN a member account whose role can be assumed and that has two pages of buckets
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-11-23T05:00:00Z') },
    });
    s3.on(ListBucketsCommand, { MaxBuckets: 1000 })
      .resolves({ Buckets: [{ Name: 'a-1', BucketRegion: 'eu-west-1' }], ContinuationToken: 'next' })
      .on(ListBucketsCommand, { MaxBuckets: 1000, ContinuationToken: 'next' })
      .resolves({ Buckets: [{ Name: 'a-2', BucketRegion: 'us-east-1' }] });
    const listPage = lister();
    // WHEN both pages of the member account and the home account are listed
    const first = await listPage(undefined, MEMBER_A);
    const second = await listPage('next', MEMBER_A);
    await listPage(undefined, HOME);
    // THEN one AssumeRole into the member role, none for the home account, and the buckets keep their regions
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation`]);
    expect([first, second]).toEqual([
      { buckets: [{ name: 'a-1', region: 'eu-west-1' }], continuationToken: 'next' },
      { buckets: [{ name: 'a-2', region: 'us-east-1' }] },
    ]);
    expect(s3.commandCalls(ListBucketsCommand)).toHaveLength(3);
  });

  test('turns a refused AssumeRole into AccountUnavailableError for that account only', async () => {
    // GIVEN the member role of account B is refused, A's is not
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/BucketGuardrailRemediation` }).rejects(accessDenied());
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation` }).resolves({
      Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-11-23T05:00:00Z') },
    });
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a-1', BucketRegion: 'eu-west-1' }] });
    const listPage = lister();
    // WHEN both are listed THEN B is unavailable with the reason and no S3 call, A lists
    const failure = await listPage(undefined, MEMBER_B).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AccountUnavailableError);
    expect(failure).toEqual(expect.objectContaining({ account: MEMBER_B, reason: expect.stringMatching(/AssumeRole into arn:aws:iam::333344445555:role\/BucketGuardrailRemediation was refused/) }));
    await expect(listPage(undefined, MEMBER_A)).resolves.toEqual({ buckets: [{ name: 'a-1', region: 'eu-west-1' }] });
    expect(s3.commandCalls(ListBucketsCommand)).toHaveLength(1);
  });

  test('passes throttling through so the listing message is retried', async () => {
    sts.on(AssumeRoleCommand).rejects(throttled());
    const failure = await lister()(undefined, MEMBER_A).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AssumeRoleError);
    expect(failure).not.toBeInstanceOf(AccountUnavailableError);
  });

  test.each<[string, unknown, string | undefined]>([
    ['a refused AssumeRole', new AssumeRoleError(MEMBER_A, 'arn:aws:iam::222233334444:role/R', 'refused', { cause: accessDenied() }), 'AssumeRole into arn:aws:iam::222233334444:role/R was refused (AccessDenied); the member stack may not have reached this account'],
    ['a throttled AssumeRole', new AssumeRoleError(MEMBER_A, 'arn:aws:iam::222233334444:role/R', 'throttled', { cause: throttled() }), undefined],
    ['a denied ListBuckets', accessDenied('Access Denied'), 'ListBuckets was denied (AccessDenied: Access Denied); the member role may lack s3:ListAllMyBuckets'],
    ['a server error', Object.assign(new Error('We encountered an internal error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), undefined],
  ])('classifies %s', (_title, error, reason) => {
    expect(accountUnavailableReason(error)).toBe(reason);
  });
});

/** A queue that records what the lister sends, and hands work messages to the worker as SQS records. */
class RecordingQueue implements SweepQueue {
  readonly listings: ListMessage[] = [];
  readonly checks: CheckMessage[] = [];
  readonly retried: string[] = [];
  async sendChecks(messages: readonly CheckMessage[]): Promise<void> {
    this.checks.push(...messages);
  }
  async sendListing(message: ListMessage): Promise<void> {
    this.listings.push(message);
  }
  async retryLater(receiptHandle: string): Promise<void> {
    this.retried.push(receiptHandle);
  }
  workRecords(): WorkRecord[] {
    return this.checks.map((message, index) => ({ messageId: `w-${index}`, receiptHandle: `r-${index}`, body: JSON.stringify(message), attributes: { ApproximateReceiveCount: '1' } }));
  }
}

interface Organization {
  readonly progress: ProgressStore;
  readonly queue: RecordingQueue;
  readonly published: SweepAlert[];
  readonly deps: ListerDeps;
}

/** The lister's dependencies for an organization of accounts → bucket pages; `unavailable` accounts cannot be listed. */
function organization(pages: Record<string, string[][]>, unavailable: Record<string, string> = {}): Organization {
  const table = new ProgressTableFake({ tableName: 'progress' });
  const progress = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress', () => new Date('2026-11-23T04:10:00Z'));
  const queue = new RecordingQueue();
  const published: SweepAlert[] = [];
  const deps: ListerDeps = {
    listAccounts: async () => Object.keys(pages),
    listPage: async (token, account) => {
      if (account === undefined) throw new Error('an organization-wide listing always names its account');
      const reason = unavailable[account];
      if (reason !== undefined) throw new AccountUnavailableError(account, reason);
      const index = token === undefined ? 0 : Number(token);
      const names = pages[account]?.[index] ?? [];
      const more = index + 1 < (pages[account]?.length ?? 0);
      return { buckets: names.map((name) => ({ name, region: 'eu-west-1' })), ...(more ? { continuationToken: String(index + 1) } : {}) };
    },
    queue,
    progress,
    readCoverage: async (region) => ({ region, status: 'covered', why: 'fed by org-trail', feedingTrails: ['arn:aws:cloudtrail:us-east-1:999988887777:trail/org'], trails: [] }),
    publish: async (alert) => {
      published.push(alert);
    },
    metrics: { coverage: () => undefined, bucketsListed: () => undefined, summarySent: () => undefined },
    log: silentLog,
    now: () => '2026-11-23T04:10:00.000Z',
    account: HOME,
  };
  return { progress, queue, published, deps };
}

/** Lists every queued listing message once, as the listing queue's event source would. */
async function listAll(org: Organization): Promise<void> {
  for (let index = 0; index < org.queue.listings.length; index += 1) {
    const message = org.queue.listings[index] as ListMessage;
    await continueListing(org.deps, SETTINGS, message, () => 240_000);
  }
}

describe('organization-wide listing (lister core)', () => {
  test('starts one listing per ACTIVE account and keeps the accounts with the sweep', async () => {
    // GIVEN three accounts WHEN a scheduled sweep starts
    const org = organization({ [HOME]: [['h-1']], [MEMBER_A]: [['a-1']], [MEMBER_B]: [['b-1']] });
    const result = await startSweep(org.deps, SETTINGS, START);
    // THEN one listing message per account, each from the first page, and the sweep expects three listings
    expect(result).toEqual(expect.objectContaining({ status: 'started', accounts: 3 }));
    expect(org.queue.listings).toEqual([HOME, MEMBER_A, MEMBER_B].map((account) => continuation(START, 0, undefined, account)));
    expect(await org.progress.get(START.sweepId)).toEqual(expect.objectContaining({ accounts: [HOME, MEMBER_A, MEMBER_B], accountsPending: 3, listingComplete: false }));
  });

  test('a retried start sends the accounts of the first attempt again, not a newly listed set', async () => {
    // GIVEN a start that created the sweep with two accounts
    const org = organization({ [MEMBER_A]: [['a-1']], [MEMBER_B]: [['b-1']] });
    await startSweep(org.deps, SETTINGS, START);
    // WHEN the start is retried after a third account joined
    const retried = { ...org.deps, listAccounts: async () => [MEMBER_A, MEMBER_B, MEMBER_C] };
    await startSweep(retried, SETTINGS, START);
    // THEN the same two accounts are listed again (duplicates are counted once downstream)
    expect(org.queue.listings.map((message) => message.account)).toEqual([MEMBER_A, MEMBER_B, MEMBER_A, MEMBER_B]);
  });

  test('lists each account through the same fan-out: work messages carry the account, pages count once per account', async () => {
    // GIVEN account A with two pages of three buckets and B with one page (2 buckets per message)
    const org = organization({ [MEMBER_A]: [['a-1', 'a-2', 'a-3'], ['a-4']], [MEMBER_B]: [['b-1']] });
    await startSweep(org.deps, SETTINGS, START);
    // WHEN every listing runs
    await listAll(org);
    // THEN the work messages name their account and have ids unique across accounts
    expect(org.queue.checks.map((message) => [message.account, message.chunkId, message.buckets.map((bucket) => bucket.name)])).toEqual([
      [MEMBER_A, `a${MEMBER_A}p0c0`, ['a-1', 'a-2']],
      [MEMBER_A, `a${MEMBER_A}p0c1`, ['a-3']],
      [MEMBER_A, `a${MEMBER_A}p1c0`, ['a-4']],
      [MEMBER_B, `a${MEMBER_B}p0c0`, ['b-1']],
    ]);
    // AND the listing is complete only once both accounts are listed
    expect(await org.progress.get(START.sweepId)).toEqual(expect.objectContaining({ listed: 5, accountsPending: 0, listingComplete: true }));
  });

  test('the listing is not complete while another account is still being listed', async () => {
    const org = organization({ [MEMBER_A]: [['a-1']], [MEMBER_B]: [['b-1']] });
    await startSweep(org.deps, SETTINGS, START);
    const first = await continueListing(org.deps, SETTINGS, org.queue.listings[0] as ListMessage, () => 240_000);
    expect(first).toEqual(expect.objectContaining({ account: MEMBER_A, listingComplete: false, summarySent: false }));
    // AND a re-delivered listing of the same account does not count it down twice
    await continueListing(org.deps, SETTINGS, org.queue.listings[0] as ListMessage, () => 240_000);
    expect(await org.progress.get(START.sweepId)).toEqual(expect.objectContaining({ listed: 1, accountsPending: 1, listingComplete: false }));
  });

  test('one account whose member role is refused is reported, and the sweep of the others completes with one summary', async () => {
    // GIVEN three accounts, B refusing AssumeRole
    const org = organization({ [MEMBER_A]: [['a-1', 'a-2']], [MEMBER_B]: [['b-1']], [MEMBER_C]: [['c-1']] }, { [MEMBER_B]: 'AssumeRole into arn:aws:iam::333344445555:role/BucketGuardrailRemediation was refused (AccessDenied)' });
    await startSweep(org.deps, SETTINGS, START);
    // WHEN every listing runs
    await listAll(org);
    // THEN B is counted as done with its reason, and A's and C's buckets are queued
    expect(await org.progress.get(START.sweepId)).toEqual(
      expect.objectContaining({
        listed: 3,
        accountsPending: 0,
        listingComplete: true,
        accountFailures: [{ account: MEMBER_B, reason: 'AssumeRole into arn:aws:iam::333344445555:role/BucketGuardrailRemediation was refused (AccessDenied)' }],
      }),
    );
    expect(org.queue.checks.map((message) => message.account)).toEqual([MEMBER_A, MEMBER_C]);
    // WHEN the workers check every bucket of A and C
    const checked: string[] = [];
    const checkBucket: CheckBucket = async (bucket, sweep) => {
      checked.push(`${sweep.account ?? 'home'}/${bucket.name}`);
      return { bucket: bucket.name, outcome: 'already-private', public: false };
    };
    await processBatch(
      { checkBucket, progress: org.progress, queue: org.queue, publish: org.deps.publish, metrics: { bucketCounted: () => undefined, bucketRetried: () => undefined, summarySent: () => undefined }, log: silentLog, now: org.deps.now, account: HOME },
      { maxAttempts: 5, stopBeforeTimeoutMs: 0 },
      org.queue.workRecords(),
    );
    // THEN each bucket was checked in its own account, and one summary names the account that could not be swept
    expect(checked).toEqual([`${MEMBER_A}/a-1`, `${MEMBER_A}/a-2`, `${MEMBER_C}/c-1`]);
    expect(org.published).toHaveLength(1);
    const [summary] = org.published;
    expect(summary?.subject).toBe('[high] Sweep done: 3 buckets, nothing public, 1 account not swept');
    expect(summary?.emailMessage).toContain(`Sweep ${START.sweepId} of 3 accounts of the organization (run from account ${HOME}): complete.`);
    expect(summary?.emailMessage).toContain('Accounts swept: 2 of 3');
    expect(summary?.emailMessage).toContain(`  ${MEMBER_B}: AssumeRole into arn:aws:iam::333344445555:role/BucketGuardrailRemediation was refused (AccessDenied)`);
    expect(JSON.parse(summary?.defaultMessage ?? '{}')).toEqual(expect.objectContaining({ accounts: 3, accountFailures: [{ account: MEMBER_B, reason: expect.any(String) }] }));
  });

  test('checks trail coverage in each member account through its role and reports blind account and region pairs in the summary and the metric', async () => {
    // GIVEN two regions; member A blind in us-east-1 and unreadable in eu-west-1, member C covered, the home account covered
    const org = organization({ [MEMBER_A]: [['a-1']], [MEMBER_C]: [['c-1']] });
    const settings: ListerSettings = { ...SETTINGS, regions: ['eu-west-1', 'us-east-1'] };
    const reads: string[] = [];
    const points: string[] = [];
    const deps: ListerDeps = {
      ...org.deps,
      readCoverage: async (region, account) => {
        reads.push(`${account ?? 'home'}/${region}`);
        if (account === MEMBER_A && region === 'us-east-1') return { region, status: 'blind', why: 'no trail logs write management events', feedingTrails: [], trails: [] };
        if (account === MEMBER_A) throw new AssumeRoleError(MEMBER_A, 'arn:aws:iam::222233334444:role/BucketGuardrailRemediation', 'AccessDenied', { cause: new Error('AccessDenied') });
        return { region, status: 'covered', why: 'fed by org-trail', feedingTrails: ['arn:aws:cloudtrail:us-east-1:999988887777:trail/org'], trails: [] };
      },
      metrics: { ...org.deps.metrics, coverage: (region, status, account) => points.push(`${account}/${region}=${status}`) },
    };
    await startSweep(deps, settings, START);
    // WHEN every account is listed, A's first listing message delivered twice
    const [first] = org.queue.listings;
    if (first === undefined) throw new Error('no listing message');
    await continueListing(deps, settings, first as ListMessage, () => 240_000);
    for (const message of [...org.queue.listings]) await continueListing(deps, settings, message as ListMessage, () => 240_000);
    // THEN every member account region was read through that account (again on the re-delivery), the home account's at the start
    expect([...new Set(reads)].sort()).toEqual(['home/eu-west-1', 'home/us-east-1', `${MEMBER_A}/eu-west-1`, `${MEMBER_A}/us-east-1`, `${MEMBER_C}/eu-west-1`, `${MEMBER_C}/us-east-1`].sort());
    // AND each check published one data point per account and region
    expect(points).toEqual(expect.arrayContaining([`${HOME}/eu-west-1=covered`, `${MEMBER_A}/us-east-1=blind`, `${MEMBER_A}/eu-west-1=unknown`, `${MEMBER_C}/us-east-1=covered`]));
    // AND the sweep keeps A's two regions once each, despite the re-delivery
    const progress = await org.progress.get(START.sweepId);
    expect(progress?.accountCoverage).toEqual([
      { account: MEMBER_A, region: 'eu-west-1', status: 'unknown', why: expect.stringMatching(/^could not read CloudTrail in account 222233334444: AssumeRoleError/) },
      { account: MEMBER_A, region: 'us-east-1', status: 'blind', why: 'no trail logs write management events' },
    ]);
    // AND the summary is critical and names the blind pair
    if (progress === undefined) throw new Error('no progress');
    const summary = summaryAlert(progress, { account: HOME, finishedAt: '2026-11-23T04:20:00.000Z', complete: true });
    expect(summary.subject).toMatch(/^\[critical\]/);
    expect(summary.emailMessage).toContain('Member account regions without confirmed CloudTrail coverage (2, 1 BLIND)');
    expect(summary.emailMessage).toContain(`  ${MEMBER_A} us-east-1: blind (no trail logs write management events)`);
    expect(JSON.parse(summary.defaultMessage)).toEqual(expect.objectContaining({ accountCoverage: [expect.objectContaining({ region: 'eu-west-1' }), expect.objectContaining({ account: MEMBER_A, region: 'us-east-1', status: 'blind' })] }));
  });

  test('a covered organization adds no coverage notes and a hand-over page does not check coverage again', async () => {
    // GIVEN member A with two pages, listed with a hand-over between them
    const org = organization({ [MEMBER_A]: [['a-1'], ['a-2']] });
    const reads: string[] = [];
    const deps: ListerDeps = {
      ...org.deps,
      readCoverage: async (region, account) => {
        reads.push(`${account ?? 'home'}/${region}`);
        return { region, status: 'covered', why: 'fed by org-trail', feedingTrails: [], trails: [] };
      },
    };
    await startSweep(deps, SETTINGS, START);
    // WHEN the first invocation has time for one page only
    const [first] = org.queue.listings;
    if (first === undefined) throw new Error('no listing message');
    await continueListing(deps, SETTINGS, first as ListMessage, () => 0);
    const handedOver = org.queue.listings.at(-1) as ListMessage;
    expect(handedOver.pageIndex).toBe(1);
    await continueListing(deps, SETTINGS, handedOver, () => 240_000);
    // THEN A's coverage was read once, and the sweep records no note
    expect(reads).toEqual(['home/eu-west-1', `${MEMBER_A}/eu-west-1`]);
    expect((await org.progress.get(START.sweepId))?.accountCoverage).toBeUndefined();
  });

  test('an account that fails after some pages keeps the pages already listed and says where it stopped', async () => {
    // GIVEN account A whose second page fails
    const org = organization({ [MEMBER_A]: [['a-1'], ['a-2']] });
    await startSweep(org.deps, SETTINGS, START);
    const listPage = org.deps.listPage;
    const failing: ListerDeps = {
      ...org.deps,
      listPage: async (token, account) => {
        if (token !== undefined) throw new AccountUnavailableError(MEMBER_A, 'ListBuckets was denied');
        return listPage(token, account);
      },
    };
    // WHEN listed
    const result = await continueListing(failing, SETTINGS, org.queue.listings[0] as ListMessage, () => 240_000);
    // THEN the first page stays listed and the failure names the page
    expect(result).toEqual(expect.objectContaining({ accountFailure: 'ListBuckets was denied (listing stopped after page 1)', pagesListed: 1, listingComplete: true }));
    expect(await org.progress.get(START.sweepId)).toEqual(expect.objectContaining({ listed: 1 }));
  });

  test('retries (rethrows) an account whose listing fails for any other reason', async () => {
    const org = organization({ [MEMBER_A]: [['a-1']] });
    await startSweep(org.deps, SETTINGS, START);
    const flaky: ListerDeps = { ...org.deps, listPage: async () => Promise.reject(throttled()) };
    await expect(continueListing(flaky, SETTINGS, org.queue.listings[0] as ListMessage, () => 240_000)).rejects.toThrow('Rate exceeded');
    expect(await org.progress.get(START.sweepId)).toEqual(expect.objectContaining({ accountsPending: 1, listingComplete: false }));
  });

  test('an organization with no active account completes at once with an empty summary', async () => {
    const org = organization({});
    const result = await startSweep(org.deps, SETTINGS, START);
    expect(result).toEqual(expect.objectContaining({ status: 'started', accounts: 0 }));
    expect(org.queue.listings).toEqual([]);
    expect(org.published.map((alert) => alert.subject)).toEqual(['[low] Sweep done: 0 buckets, nothing public']);
  });

  test('an account-level event forwarded from one member account sweeps that account only', async () => {
    const org = organization({ [MEMBER_A]: [['a-1']], [MEMBER_B]: [['b-1']] });
    await startSweep(org.deps, SETTINGS, { sweepId: 'account-3c0ad8a56a0e4a8e', trigger: 'account-block-public-access', startedAt: START.startedAt, account: MEMBER_B });
    expect(org.queue.listings.map((message) => message.account)).toEqual([MEMBER_B]);
  });

  test('in one account, a start and its listing carry no account at all', async () => {
    // GIVEN no listAccounts (single account) and a start that names an account (an account-level event)
    const org = organization({});
    const { listAccounts: _none, ...single } = org.deps;
    const deps: ListerDeps = { ...single, listPage: async () => ({ buckets: [{ name: 'h-1', region: 'eu-west-1' }] }) };
    await startSweep(deps, SETTINGS, { ...START, account: HOME });
    await continueListing(deps, SETTINGS, org.queue.listings[0] as ListMessage, () => 240_000);
    // THEN the messages are the single-account ones
    expect(org.queue.listings).toEqual([continuation(START, 0, undefined)]);
    expect(org.queue.checks.map((message) => [message.chunkId, message.account])).toEqual([['p0c0', undefined]]);
  });
});

describe('organization-wide messages', () => {
  test('plans work messages with the account and account-prefixed ids; single-account ids stay as they were', () => {
    const buckets = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    expect(planPage({ ...START, account: MEMBER_A }, 7, buckets, 2).map((message) => [message.chunkId, message.account])).toEqual([
      [`a${MEMBER_A}p7c0`, MEMBER_A],
      [`a${MEMBER_A}p7c1`, MEMBER_A],
    ]);
    expect(planPage(START, 7, buckets, 2).map((message) => [message.chunkId, 'account' in message])).toEqual([
      ['p7c0', false],
      ['p7c1', false],
    ]);
  });

  test.each<[string, unknown, boolean]>([
    ['a work message of a member account', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: `a${MEMBER_A}p0c0`, account: MEMBER_A, buckets: [{ name: 'bkt' }] }, true],
    ['an account that is not 12 digits', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: 'p0c0', account: '1234', buckets: [{ name: 'bkt' }] }, false],
    ['an account prefix that is not an account', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: 'a12p0c0', buckets: [{ name: 'bkt' }] }, false],
  ])('parses %s: %s', (_title, body, ok) => {
    expect(parseCheckMessage(JSON.stringify(body)).ok).toBe(ok);
  });

  test('a listing message keeps its account across a hand-over', () => {
    const message = continuation(START, 3, 'token', MEMBER_A);
    expect(parseListMessage(JSON.stringify(message))).toEqual({ ok: true, value: { v: 1, kind: 'list', sweepId: START.sweepId, startedAt: START.startedAt, pageIndex: 3, continuationToken: 'token', account: MEMBER_A } });
  });

  const accountEvent = (issuerArn: string): Record<string, unknown> => ({
    source: 'aws.s3',
    'detail-type': 'AWS API Call via CloudTrail',
    account: MEMBER_A,
    detail: {
      eventName: 'DeleteAccountPublicAccessBlock',
      eventID: '3c0ad8a5-6a0e-4a8e-8a1f-0123456789ab',
      userIdentity: { arn: 'arn:aws:sts::x', sessionContext: { sessionIssuer: { arn: issuerArn } } },
    },
  });
  const startContext = { now: START.startedAt, requestId: 'r', selfRoleArns: [`arn:aws:iam::${HOME}:role/worker`], memberRoleName: 'BucketGuardrailRemediation' };

  test("takes the member account from a forwarded account-level event's account", () => {
    const start = parseStartEvent(accountEvent(`arn:aws:iam::${MEMBER_A}:role/Admin`), startContext);
    expect(start).toEqual({ ok: true, value: expect.objectContaining({ trigger: 'account-block-public-access', account: MEMBER_A }) });
  });

  test("starts no sweep for the member role's own restore of the account setting, in any account", () => {
    const restore = (issuerArn: string): Record<string, unknown> => {
      const event = accountEvent(issuerArn) as { detail: Record<string, unknown> };
      const flags = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
      return { ...event, detail: { ...event.detail, eventName: 'PutAccountPublicAccessBlock', requestParameters: { PublicAccessBlockConfiguration: flags } } };
    };
    const start = parseStartEvent(restore(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation`), startContext);
    expect(start).toEqual({ ok: false, reason: expect.stringMatching(/made by the guardrail itself/) });
    // AND a role named like it plus a suffix is not ours
    expect(parseStartEvent(restore(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation2`), startContext).ok).toBe(true);
  });

  test('starts a sweep when the member role deletes the account setting (issue 11: no blind spot by role)', () => {
    const start = parseStartEvent(accountEvent(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation`), startContext);
    expect(start).toEqual({ ok: true, value: expect.objectContaining({ trigger: 'account-block-public-access', account: MEMBER_A }) });
  });
});

describe('organization-wide worker', () => {
  test('checks each bucket in the account its message names, and looks up who exposed it there', async () => {
    // GIVEN a checker over a recording pipeline
    const targets: unknown[] = [];
    const lookups: string[] = [];
    const check = remediationChecker(
      {} as PipelineDeps,
      {
        account: HOME,
        fallbackRegion: 'eu-west-1',
        leaseUntil: () => 1,
        now: () => 0,
        lookupExposedBy: async (bucket, region, account) => {
          lookups.push(`${account}/${region}/${bucket}`);
          return { status: 'not-found' };
        },
      },
      async (request) => {
        targets.push(request.target);
        await request.lookupExposedBy?.();
        return { outcome: 'remediated', record: { verdict: { public: true } } as never };
      },
    );
    // WHEN a member account's bucket and a home bucket are checked
    await check({ name: 'm', region: 'us-east-1' }, { sweepId: 's', startedAt: START.startedAt, account: MEMBER_A });
    await check({ name: 'h', region: 'eu-west-1' }, { sweepId: 's', startedAt: START.startedAt });
    // THEN the pipeline acts in the member account for its bucket, in the home account otherwise
    expect(targets).toEqual([
      { bucket: 'm', account: MEMBER_A, region: 'us-east-1' },
      { bucket: 'h', account: HOME, region: 'eu-west-1' },
    ]);
    expect(lookups).toEqual([`${MEMBER_A}/us-east-1/m`, `${HOME}/eu-west-1/h`]);
  });

  test("alerts a bucket it gave up on with its member account", async () => {
    const table = new ProgressTableFake({ tableName: 'progress' });
    const progress = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress');
    await progress.createSweep(START, [], [MEMBER_A]);
    const published: SweepAlert[] = [];
    const [message] = planPage({ ...START, account: MEMBER_A }, 0, [{ name: 'stuck', region: 'eu-west-1' }], 20);
    await processBatch(
      {
        checkBucket: async () => Promise.reject(throttled()),
        progress,
        queue: new RecordingQueue(),
        publish: async (alert) => {
          published.push(alert);
        },
        metrics: { bucketCounted: () => undefined, bucketRetried: () => undefined, summarySent: () => undefined },
        log: silentLog,
        now: () => START.startedAt,
        account: HOME,
      },
      { maxAttempts: 1, stopBeforeTimeoutMs: 0 },
      [{ messageId: 'm', receiptHandle: 'r', body: JSON.stringify(message), attributes: { ApproximateReceiveCount: '1' } }],
    );
    expect(published.map((alert) => alert.attributes.account)).toEqual([MEMBER_A]);
  });
});

describe('organization-wide progress and summary', () => {
  test('counts each account down once, records a failure once, and completes the listing at zero', async () => {
    const table = new ProgressTableFake({ tableName: 'progress' });
    const progress = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress');
    await progress.createSweep(START, [], [MEMBER_A, MEMBER_B]);
    // WHEN A fails twice (a re-delivery) and B finishes
    await progress.finishAccountListing(START.sweepId, MEMBER_A, 'refused');
    const again = await progress.finishAccountListing(START.sweepId, MEMBER_A, 'refused');
    expect(again).toEqual(expect.objectContaining({ accountsPending: 1, listingComplete: false }));
    const done = await progress.finishAccountListing(START.sweepId, MEMBER_B);
    // THEN both are done, one failure is kept, and the listing is complete
    expect(done).toEqual(expect.objectContaining({ accounts: [MEMBER_A, MEMBER_B], accountsPending: 0, listingComplete: true, accountFailures: [{ account: MEMBER_A, reason: 'refused' }] }));
  });

  test('a single-account summary is worded as before', () => {
    const progress: SweepProgress = { sweepId: 's', trigger: 'manual', startedAt: START.startedAt, listed: 0, listingComplete: true, counts: zeroCounts(), coverage: [] };
    const alert = summaryAlert(progress, { account: HOME, finishedAt: START.startedAt, complete: true });
    expect(alert.emailMessage).toContain(`Sweep s of account ${HOME}: complete.`);
    expect(alert.emailMessage).not.toContain('Accounts swept');
    expect(JSON.parse(alert.defaultMessage)).not.toHaveProperty('accounts');
  });
});

describe('lister environment', () => {
  const BASE: ListerConfig = {
    alertTopicArn: `arn:aws:sns:eu-west-1:${HOME}:alerts`,
    workQueueUrl: `https://sqs.eu-west-1.amazonaws.com/${HOME}/work`,
    listingQueueUrl: `https://sqs.eu-west-1.amazonaws.com/${HOME}/listing`,
    progressTableName: 'progress',
    regions: ['eu-west-1'],
    pageSize: 1000,
    bucketsPerMessage: 20,
    selfRoleArns: [],
  };

  test('carries the member role and organization from the construct to the handler', () => {
    // GIVEN the organization settings WHEN written and read back THEN they round-trip through the variables
    const env = toListerEnvironment({ ...BASE, crossAccount: { memberRoleName: 'BucketGuardrailRemediation', organizationId: 'o-abcdefghij' } });
    expect(env).toEqual(expect.objectContaining({ [CROSS_ACCOUNT_ENV.memberRoleName]: 'BucketGuardrailRemediation', [CROSS_ACCOUNT_ENV.organizationId]: 'o-abcdefghij' }));
    expect(parseListerEnvironment(env).crossAccount).toEqual({ memberRoleName: 'BucketGuardrailRemediation', organizationId: 'o-abcdefghij' });
    expect(parseListerEnvironment(toListerEnvironment(BASE))).not.toHaveProperty('crossAccount');
  });

  test('fails at cold start on a malformed organization ID, naming the variable', () => {
    const env = { ...toListerEnvironment(BASE), [CROSS_ACCOUNT_ENV.memberRoleName]: 'BucketGuardrailRemediation', [CROSS_ACCOUNT_ENV.organizationId]: '111122223333' };
    expect(() => parseListerEnvironment(env)).toThrow(/^ORGANIZATION_ID: "111122223333" is not an organization ID/);
  });
});
