/**
 * The organization-wide sweep's lister: one listing per ACTIVE account with the same fan-out as one account,
 * work messages carrying the account, an account that cannot be listed reported in the summary without stopping
 * the others, trail coverage per member account; and the lister's environment (member role, organization ID).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AssumeRoleError, CROSS_ACCOUNT_ENV } from '../../../lambda/shared/aws/assume-role';
import { AccountUnavailableError } from '../../../lambda/sweep/accounts';
import { dynamoProgressStore, type ProgressStore } from '../../../lambda/sweep/adapters/progress-store';
import { summaryAlert, type SweepAlert } from '../../../lambda/sweep/alerts';
import type { ForeignDoorVerdict } from '../../../lambda/sweep/doors';
import { parseListerEnvironment, toListerEnvironment, type ListerConfig } from '../../../lambda/sweep/environment';
import { continueListing, startSweep, type ListerDeps, type ListerSettings } from '../../../lambda/sweep/lister';
import type { ListMessage } from '../../../lambda/sweep/messages';
import { continuation } from '../../../lambda/sweep/plan';
import { processBatch, type CheckBucket } from '../../../lambda/sweep/worker';
import { HOME, MEMBER_A, MEMBER_B, MEMBER_C, RecordingQueue, START, silentLog, throttled } from './support/organization-fixtures';
import { ProgressTableFake } from './support/progress-table-fake';

const SETTINGS: ListerSettings = { regions: ['eu-west-1'], bucketsPerMessage: 2, handoverMs: 60_000 };

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

  test("alerts once per sweep about a member account's public doors to other accounts' buckets, however often its first listing is delivered", async () => {
    // GIVEN member A with an access point opening a bucket of another account to the public
    const org = organization({ [MEMBER_A]: [['a-1']] });
    const door: ForeignDoorVerdict = {
      kind: 'accessPoint',
      name: 'partner-share',
      public: true,
      access: ['read'],
      why: 'its policy grants s3:GetObject to *',
      region: 'eu-west-1',
      bucket: 'partner-data',
      bucketAccount: '444455556666',
    };
    let publishFailures = 1;
    const deps: ListerDeps = {
      ...org.deps,
      readForeignDoors: async (account) => (account === MEMBER_A ? [door] : []),
      publish: async (alert) => {
        if (alert.attributes.outcome === 'foreign-access-points' && publishFailures > 0) {
          publishFailures -= 1;
          throw Object.assign(new Error('SNS is unavailable'), { name: 'InternalErrorException' });
        }
        await org.deps.publish(alert);
      },
    };
    await startSweep(deps, SETTINGS, START);
    const [first] = org.queue.listings;
    if (first === undefined) throw new Error('no listing message');
    const foreignAlerts = (): SweepAlert[] => org.published.filter((alert) => alert.attributes.outcome === 'foreign-access-points');
    // WHEN A's first listing message is delivered and its alert cannot be published THEN nothing is sent and the claim is given back
    await continueListing(deps, SETTINGS, first as ListMessage, () => 240_000);
    expect(foreignAlerts()).toHaveLength(0);
    // WHEN the same message is delivered twice more THEN the alert is sent on the first of them only
    await continueListing(deps, SETTINGS, first as ListMessage, () => 240_000);
    await continueListing(deps, SETTINGS, first as ListMessage, () => 240_000);
    expect(foreignAlerts()).toHaveLength(1);
    expect(foreignAlerts()[0]?.emailMessage).toContain(`PUBLIC  access point partner-share (eu-west-1) -> bucket partner-data of account 444455556666`);
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
