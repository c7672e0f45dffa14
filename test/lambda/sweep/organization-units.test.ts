/**
 * Organization-wide sweeps cover only the accounts under the member OUs (where the StackSet put the member role):
 * OUs walked recursively through ListOrganizationalUnitsForParent, accounts read with ListAccountsForParent, both
 * paginated; a root target means every account; the management account is never swept.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { accountsInScope, MEMBER_ORGANIZATIONAL_UNITS_ENV, parseMemberOrganizationalUnits } from '../../../lambda/sweep/accounts';
import { AccountListingLoopError } from '../../../lambda/sweep/adapters/organization-accounts';
import { organizationalUnitAccountLister } from '../../../lambda/sweep/adapters/organization-units';

const MANAGEMENT = '111111111111';
const SECURITY = '222222222222';
const WORKLOAD_A = '333333333333';
const WORKLOAD_B = '444444444444';
const NESTED = '555555555555';
const OUTSIDE = '666666666666';
const OU_WORKLOADS = 'ou-ab12-workload';
const OU_NESTED = 'ou-ab12-nested01';
const OU_DEEPER = 'ou-ab12-deeper01';
const OU_SANDBOX = 'ou-ab12-sandbox1';

describe('organizationalUnitAccountLister', () => {
  const organizations = mockClient(OrganizationsClient);
  const client = (): OrganizationsClient => new OrganizationsClient({ region: 'us-east-1' });
  beforeEach(() => {
    organizations.reset();
    organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: MANAGEMENT } });
    organizations.on(ListAccountsForParentCommand).resolves({ Accounts: [] });
    organizations.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
  });
  afterAll(() => organizations.restore());

  test('walks nested OUs page by page and keeps only their ACTIVE accounts, without the management account', async () => {
    // GIVEN workloads (two pages of accounts, two pages of child OUs) with a nested OU holding a deeper OU,
    // the management account moved into workloads, and a sandbox OU that is not a target
    organizations
      .on(ListAccountsForParentCommand, { ParentId: OU_WORKLOADS, MaxResults: 20 })
      .resolves({ Accounts: [{ Id: WORKLOAD_A, State: 'ACTIVE' }, { Id: MANAGEMENT, State: 'ACTIVE' }], NextToken: 'a1' })
      .on(ListAccountsForParentCommand, { ParentId: OU_WORKLOADS, MaxResults: 20, NextToken: 'a1' })
      .resolves({ Accounts: [{ Id: WORKLOAD_B, State: 'SUSPENDED' }, { Id: SECURITY, Status: 'ACTIVE' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_WORKLOADS, MaxResults: 20 })
      .resolves({ OrganizationalUnits: [{ Id: OU_NESTED }], NextToken: 'o1' })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_WORKLOADS, MaxResults: 20, NextToken: 'o1' })
      .resolves({ OrganizationalUnits: [] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_NESTED, MaxResults: 20 })
      .resolves({ OrganizationalUnits: [{ Id: OU_DEEPER }] })
      .on(ListAccountsForParentCommand, { ParentId: OU_DEEPER, MaxResults: 20 })
      .resolves({ Accounts: [{ Id: NESTED, State: 'ACTIVE' }] })
      .on(ListAccountsForParentCommand, { ParentId: OU_SANDBOX, MaxResults: 20 })
      .resolves({ Accounts: [{ Id: OUTSIDE, State: 'ACTIVE' }] });
    // WHEN the accounts of the workloads OU are listed
    const accounts = await organizationalUnitAccountLister(client(), [OU_WORKLOADS])();
    // THEN every page of every OU under the target was read, and nothing else
    expect(organizations.commandCalls(ListAccountsForParentCommand).map((call) => call.args[0].input)).toEqual([
      { ParentId: OU_WORKLOADS, MaxResults: 20 },
      { ParentId: OU_WORKLOADS, MaxResults: 20, NextToken: 'a1' },
      { ParentId: OU_NESTED, MaxResults: 20 },
      { ParentId: OU_DEEPER, MaxResults: 20 },
    ]);
    expect(organizations.commandCalls(ListOrganizationalUnitsForParentCommand).map((call) => call.args[0].input)).toEqual([
      { ParentId: OU_WORKLOADS, MaxResults: 20 },
      { ParentId: OU_WORKLOADS, MaxResults: 20, NextToken: 'o1' },
      { ParentId: OU_NESTED, MaxResults: 20 },
      { ParentId: OU_DEEPER, MaxResults: 20 },
    ]);
    // AND the sweep covers the active accounts under it, sorted, without the management, suspended and sandbox accounts
    expect(accounts).toEqual([SECURITY, WORKLOAD_A, NESTED]);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(0);
  });

  test('lists every account (ListAccounts) for a root target, still without the management account', async () => {
    // GIVEN the root as the target and an organization of three active accounts
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [{ Id: MANAGEMENT, State: 'ACTIVE' }, { Id: OUTSIDE, State: 'ACTIVE' }, { Id: WORKLOAD_A, State: 'ACTIVE' }],
    });
    // WHEN listed, with an OU named as well
    const accounts = await organizationalUnitAccountLister(client(), ['r-ab12', OU_WORKLOADS])();
    // THEN no OU is walked and every member account is swept
    expect(accounts).toEqual([WORKLOAD_A, OUTSIDE]);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
    expect(organizations.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(0);
  });

  test('lists an account once when two target OUs overlap (a target inside another)', async () => {
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_WORKLOADS, MaxResults: 20 })
      .resolves({ OrganizationalUnits: [{ Id: OU_NESTED }] })
      .on(ListAccountsForParentCommand, { ParentId: OU_NESTED, MaxResults: 20 })
      .resolves({ Accounts: [{ Id: NESTED, State: 'ACTIVE' }] });
    const accounts = await organizationalUnitAccountLister(client(), [OU_WORKLOADS, OU_NESTED])();
    expect(accounts).toEqual([NESTED]);
    expect(organizations.commandCalls(ListAccountsForParentCommand).filter((call) => call.args[0].input.ParentId === OU_NESTED)).toHaveLength(1);
  });

  test('stops with AccountListingLoopError when a page repeats its token', async () => {
    organizations.on(ListAccountsForParentCommand).resolves({ Accounts: [], NextToken: 'same' });
    await expect(organizationalUnitAccountLister(client(), [OU_WORKLOADS])()).rejects.toBeInstanceOf(AccountListingLoopError);
  });

  test('lets an AccessDenied reject the start, to be retried and dead-lettered', async () => {
    organizations
      .on(ListOrganizationalUnitsForParentCommand)
      .rejects(Object.assign(new Error('You don’t have permissions to access this resource.'), { name: 'AccessDeniedException' }));
    await expect(organizationalUnitAccountLister(client(), [OU_WORKLOADS])()).rejects.toThrow(/permissions/);
  });
});

describe('parseMemberOrganizationalUnits', () => {
  test.each<[string, string | undefined, ReturnType<typeof parseMemberOrganizationalUnits>]>([
    ['absent: no filter', undefined, { ok: true, value: undefined }],
    ['blank: no filter', ' , ', { ok: true, value: undefined }],
    ['one OU', OU_WORKLOADS, { ok: true, value: [OU_WORKLOADS] }],
    ['OUs and the root, trimmed, each once', ` ${OU_WORKLOADS},r-ab12 ,${OU_WORKLOADS}`, { ok: true, value: [OU_WORKLOADS, 'r-ab12'] }],
    ['an account ID', `${OU_WORKLOADS},${OUTSIDE}`, { ok: false, reason: `${MEMBER_ORGANIZATIONAL_UNITS_ENV}: "${OUTSIDE}" is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)` }],
  ])('parses %s', (_title, value, expected) => {
    // GIVEN the variable WHEN parsed THEN the targets or the reason, never a throw
    expect(parseMemberOrganizationalUnits(value)).toEqual(expected);
  });
});

describe('accountsInScope', () => {
  test.each<[string, string[], string | undefined, string[]]>([
    ['drops the management account and duplicates, sorted', [WORKLOAD_B, MANAGEMENT, WORKLOAD_A, WORKLOAD_B], MANAGEMENT, [WORKLOAD_A, WORKLOAD_B]],
    ['keeps everything when the management account is unknown', [WORKLOAD_A, MANAGEMENT], undefined, [MANAGEMENT, WORKLOAD_A]],
    ['is empty for no accounts', [], MANAGEMENT, []],
  ])('%s', (_title, listed, management, expected) => {
    expect(accountsInScope(listed, management)).toEqual(expected);
  });
});
