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

/** The lister's variable naming the OUs (`ou-…`) or root (`r-…`) a sweep covers, comma-separated. */
export const MEMBER_ORGANIZATIONAL_UNITS_ENV = 'MEMBER_ORGANIZATIONAL_UNITS';

const ORGANIZATIONAL_UNIT_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;

/** Whether a target is the organization's root, which means every account. */
export function isRootId(target: string): boolean {
  return ROOT_ID.test(target);
}

/**
 * Parses MEMBER_ORGANIZATIONAL_UNITS. Pure, never throws: absent or empty means no filter (every account of
 * ListAccounts, as before); a value that is not OU or root IDs is a reason the handler fails its cold start with.
 */
export function parseMemberOrganizationalUnits(
  value: string | undefined,
): { readonly ok: true; readonly value: readonly string[] | undefined } | { readonly ok: false; readonly reason: string } {
  const targets = (value ?? '')
    .split(',')
    .map((target) => target.trim())
    .filter((target) => target !== '');
  if (targets.length === 0) return { ok: true, value: undefined };
  const bad = targets.find((target) => !ORGANIZATIONAL_UNIT_ID.test(target) && !isRootId(target));
  if (bad !== undefined) {
    return { ok: false, reason: `${MEMBER_ORGANIZATIONAL_UNITS_ENV}: "${bad}" is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)` };
  }
  return { ok: true, value: [...new Set(targets)] };
}

/**
 * The accounts a sweep may enter: those listed under the target OUs, minus the management account (StackSets
 * never deploy the member role there). Sorted, each once.
 */
export function accountsInScope(listed: readonly string[], managementAccount: string | undefined): string[] {
  return [...new Set(listed)].filter((account) => account !== managementAccount).sort();
}
