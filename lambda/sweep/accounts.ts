/**
 * Organization-wide sweeps, pure: which accounts a sweep covers, and the error an adapter raises when one of
 * them cannot be listed at all (its member role refused AssumeRole, or ListBuckets was denied). The lister
 * reports such an account in the summary and carries on with the others; any other error is retried.
 */

/** The member account cannot be swept: say why in the summary, do not retry it in this sweep. */
export class AccountUnavailableError extends Error {
  constructor(
    readonly account: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`account ${account} cannot be swept: ${reason}`, options);
    this.name = 'AccountUnavailableError';
  }
}

/** Lists the accounts an organization-wide sweep covers (Organizations ListAccounts: ACTIVE accounts). */
export type ListAccounts = () => Promise<string[]>;

/**
 * The accounts a sweep covers: the one account whose setting changed when the start names one (an
 * account-level Block Public Access event forwarded from a member account), else every account listed.
 */
export async function accountsToSweep(start: { readonly account?: string }, listAccounts: ListAccounts): Promise<string[]> {
  if (start.account !== undefined) {
    return [start.account];
  }
  return [...new Set(await listAccounts())].sort();
}
