import {
  AccessDeniedException,
  AccountNotFoundException,
  DescribeAccountCommand,
  OrganizationsClient,
  type DescribeAccountCommandInput,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { GuardedAccountLookupError, OrganizationGuardedAccounts } from '../../../../lambda/remediate/adapters/organization-accounts';
import { configuredGuardedAccounts, singleAccount } from '../../../../lambda/remediate/guarded-accounts';

const ORG = 'o-a1b2c3d4e5';
const HOME = '111122223333';
const MEMBER = '444455556666';
const NEWCOMER = '777788889999';
const OUTSIDER = '999988887777';

const organizations = mockClient(OrganizationsClient);
let members: Set<string>;
let clock: number;

function guard(): OrganizationGuardedAccounts {
  return new OrganizationGuardedAccounts({ organizations: new OrganizationsClient({ region: 'us-east-1' }), organizationId: ORG, knownAccounts: [HOME, MEMBER], negativeTtlMs: 60_000, now: () => clock });
}

function lookups(): string[] {
  return organizations.commandCalls(DescribeAccountCommand).map((call) => call.args[0].input.AccountId ?? '');
}

beforeEach(() => {
  clock = 0;
  members = new Set([HOME, MEMBER]);
  organizations.reset();
  organizations.on(DescribeAccountCommand).callsFake((input: DescribeAccountCommandInput) => {
    const id = input.AccountId ?? '';
    if (!members.has(id)) throw new AccountNotFoundException({ message: `You specified an account that doesn't exist.`, $metadata: { httpStatusCode: 400 } });
    return { Account: { Id: id, Arn: `arn:aws:organizations::${HOME}:account/${ORG}/${id}`, State: 'ACTIVE' } };
  });
});

describe('OrganizationGuardedAccounts', () => {
  it('answers for known accounts without a lookup', async () => {
    const accounts = guard();
    expect(await accounts.isGuarded(HOME)).toBe(true);
    expect(await accounts.isGuarded(MEMBER)).toBe(true);
    expect(lookups()).toEqual([]);
  });

  it('re-reads Organizations on a miss, so an account that joined after deployment is guarded, and remembers it', async () => {
    // GIVEN an account that joined the organization after the known list was made
    members.add(NEWCOMER);
    const accounts = guard();
    // WHEN it is asked about twice THEN it is guarded, after one DescribeAccount
    expect(await accounts.isGuarded(NEWCOMER)).toBe(true);
    expect(await accounts.isGuarded(NEWCOMER)).toBe(true);
    expect(lookups()).toEqual([NEWCOMER]);
  });

  it('an account outside the organization is not guarded, and is looked up again only after the negative TTL', async () => {
    const accounts = guard();
    expect(await accounts.isGuarded(OUTSIDER)).toBe(false);
    expect(await accounts.isGuarded(OUTSIDER)).toBe(false);
    expect(lookups()).toEqual([OUTSIDER]);
    // WHEN it joins and the TTL passes THEN it is guarded
    members.add(OUTSIDER);
    clock += 60_001;
    expect(await accounts.isGuarded(OUTSIDER)).toBe(true);
    expect(lookups()).toEqual([OUTSIDER, OUTSIDER]);
  });

  it('an answer whose ARN names another organization is not ours', async () => {
    organizations.on(DescribeAccountCommand).resolves({ Account: { Id: OUTSIDER, Arn: `arn:aws:organizations::${HOME}:account/o-zzzzzzzzzz/${OUTSIDER}` } });
    expect(await guard().isGuarded(OUTSIDER)).toBe(false);
  });

  it('any other error is rethrown as GuardedAccountLookupError with the cause (the event is retried, never acted on unchecked)', async () => {
    const denied = new AccessDeniedException({ message: 'not a delegated administrator', $metadata: { httpStatusCode: 403 } });
    organizations.on(DescribeAccountCommand).rejects(denied);
    const error = await guard().isGuarded(OUTSIDER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardedAccountLookupError);
    expect((error as GuardedAccountLookupError).cause).toBe(denied);
    expect((error as GuardedAccountLookupError).account).toBe(OUTSIDER);
  });
});

describe('configured guarded accounts (no lookup)', () => {
  it('single-account mode guards only the account of SELF_ROLE_ARN', async () => {
    const accounts = configuredGuardedAccounts({ selfRoleArn: `arn:aws:iam::${HOME}:role/Remediator` });
    expect(await accounts.isGuarded(HOME)).toBe(true);
    expect(await accounts.isGuarded(MEMBER)).toBe(false);
    expect(accounts.description).toBe(singleAccount(HOME).description);
  });

  it('organization mode without an adapter guards the home account and GUARDED_ACCOUNT_IDS only', async () => {
    const accounts = configuredGuardedAccounts({
      selfRoleArn: `arn:aws-eusc:iam::${HOME}:role/Remediator`,
      guardedAccountIds: [MEMBER],
      crossAccount: { organizationId: ORG },
    });
    expect(await accounts.isGuarded(HOME)).toBe(true);
    expect(await accounts.isGuarded(MEMBER)).toBe(true);
    expect(await accounts.isGuarded(OUTSIDER)).toBe(false);
  });
});
