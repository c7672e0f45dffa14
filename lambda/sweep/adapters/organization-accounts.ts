/**
 * The organization's accounts for an organization-wide sweep: Organizations ListAccounts, page by page
 * (NextToken), keeping ACTIVE accounts only (suspended, closing and still-joining accounts have nothing to
 * sweep, and their member role cannot be assumed).
 *
 * ListAccounts answers only in the organization's management account or in an account registered as a
 * delegated administrator for an AWS Organizations service (the StackSets delegated administrator is one);
 * anywhere else it fails with AccessDeniedException / AWSOrganizationsNotInUseException, which the lister
 * lets fail the start so the invocation is retried and, finally, dead-lettered and alarmed.
 */
import { ListAccountsCommand, type Account, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ListAccounts } from '../accounts';

/** ListAccounts returns at most 20 accounts per page. */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

/** ListAccounts returned the token it was given: following it would never end. */
export class AccountListingLoopError extends Error {
  constructor(readonly nextToken: string) {
    super('Organizations ListAccounts returned the same NextToken it was given; stopping instead of listing forever');
    this.name = 'AccountListingLoopError';
  }
}

/**
 * Whether an account can be swept. `State` replaces the deprecated `Status` (retired in September 2026); an
 * answer without `State` falls back to `Status`.
 */
export function isActiveAccount(account: Pick<Account, 'State' | 'Status'>): boolean {
  return account.State !== undefined ? account.State === 'ACTIVE' : account.Status === 'ACTIVE';
}

export function organizationAccountLister(organizations: Pick<OrganizationsClient, 'send'>): ListAccounts {
  return async () => {
    const accounts: string[] = [];
    let token: string | undefined;
    do {
      const page = await organizations.send(
        new ListAccountsCommand({ MaxResults: LIST_ACCOUNTS_PAGE_SIZE, ...(token !== undefined ? { NextToken: token } : {}) }),
      );
      for (const account of page.Accounts ?? []) {
        if (account.Id !== undefined && /^\d{12}$/.test(account.Id) && isActiveAccount(account)) {
          accounts.push(account.Id);
        }
      }
      const next = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
      if (next !== undefined && next === token) {
        throw new AccountListingLoopError(next);
      }
      token = next;
    } while (token !== undefined);
    return accounts;
  };
}
