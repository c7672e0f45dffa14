/**
 * The organization-wide sweep: the accounts come from Organizations ListAccounts (paginated, ACTIVE only), and
 * each account's buckets are listed through its member role; an account whose role cannot be assumed is
 * unavailable on its own, throttling is retried.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountScopedClients } from '../../../lambda/remediate/adapters/account-clients';
import { AccountCredentialsProvider, AssumeRoleError } from '../../../lambda/shared/aws/assume-role';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { AccountUnavailableError, accountsToSweep } from '../../../lambda/sweep/accounts';
import { accountBucketLister, accountUnavailableReason } from '../../../lambda/sweep/adapters/account-bucket-listing';
import { AccountListingLoopError, isActiveAccount, organizationAccountLister } from '../../../lambda/sweep/adapters/organization-accounts';
import type { ListAccountPage } from '../../../lambda/sweep/lister';
import { HOME, MEMBER_A, MEMBER_B, MEMBER_C, throttled } from './support/organization-fixtures';

function accessDenied(message = 'not authorized to perform: sts:AssumeRole'): Error {
  return Object.assign(new Error(message), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
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
