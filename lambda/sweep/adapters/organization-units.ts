/**
 * The accounts of the target OUs for an organization-wide sweep: only accounts the member StackSet reaches have
 * the member role. For each OU, Organizations ListAccountsForParent (the accounts directly in it) and
 * ListOrganizationalUnitsForParent (its child OUs, walked recursively), page by page; a root target (`r-…`) means
 * every account (ListAccounts). ACTIVE accounts only. The management account is left out (DescribeOrganization):
 * service-managed StackSets never deploy to it, so it has no member role.
 *
 * Like ListAccounts, these calls answer only in the management account or a delegated administrator account;
 * any error rejects the start so the invocation is retried and, finally, dead-lettered and alarmed.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { accountsInScope, isRootId, type ListAccounts } from '../accounts';
import { AccountListingLoopError, isActiveAccount, organizationAccountLister } from './organization-accounts';

/** ListAccountsForParent and ListOrganizationalUnitsForParent return at most 20 items per page. */
export const LIST_FOR_PARENT_PAGE_SIZE = 20;

type Send = Pick<OrganizationsClient, 'send'>;

/** Reads every page of a paginated call, stopping if a token repeats. */
async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: readonly T[]; nextToken?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    const next = page.nextToken !== undefined && page.nextToken !== '' ? page.nextToken : undefined;
    if (next !== undefined && next === token) throw new AccountListingLoopError(next);
    token = next;
  } while (token !== undefined);
  return items;
}

function page(token: string | undefined): { MaxResults: number; NextToken?: string } {
  return { MaxResults: LIST_FOR_PARENT_PAGE_SIZE, ...(token !== undefined ? { NextToken: token } : {}) };
}

async function activeAccountsDirectlyIn(organizations: Send, parentId: string): Promise<string[]> {
  const accounts = await allPages(async (token) => {
    const answer = await organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, ...page(token) }));
    return { items: answer.Accounts ?? [], ...(answer.NextToken !== undefined ? { nextToken: answer.NextToken } : {}) };
  });
  return accounts.filter((account) => isActiveAccount(account)).flatMap((account) => (account.Id !== undefined && /^\d{12}$/.test(account.Id) ? [account.Id] : []));
}

async function childOrganizationalUnits(organizations: Send, parentId: string): Promise<string[]> {
  const units = await allPages(async (token) => {
    const answer = await organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...page(token) }));
    return { items: answer.OrganizationalUnits ?? [], ...(answer.NextToken !== undefined ? { nextToken: answer.NextToken } : {}) };
  });
  return units.flatMap((unit) => (unit.Id !== undefined ? [unit.Id] : []));
}

/** Every ACTIVE account in the OUs and their descendants (each OU visited once). */
async function activeAccountsUnder(organizations: Send, organizationalUnits: readonly string[]): Promise<string[]> {
  const accounts: string[] = [];
  const visited = new Set<string>();
  const pending = [...organizationalUnits];
  for (let unit = pending.shift(); unit !== undefined; unit = pending.shift()) {
    if (visited.has(unit)) continue;
    visited.add(unit);
    accounts.push(...(await activeAccountsDirectlyIn(organizations, unit)));
    pending.push(...(await childOrganizationalUnits(organizations, unit)));
  }
  return accounts;
}

/** Lists the ACTIVE accounts under `targets` (OU or root IDs), without the management account. */
export function organizationalUnitAccountLister(organizations: Send, targets: readonly string[]): ListAccounts {
  return async () => {
    const listed = targets.some(isRootId)
      ? await organizationAccountLister(organizations)()
      : await activeAccountsUnder(organizations, targets);
    const organization = await organizations.send(new DescribeOrganizationCommand({}));
    return accountsInScope(listed, organization.Organization?.MasterAccountId);
  };
}
