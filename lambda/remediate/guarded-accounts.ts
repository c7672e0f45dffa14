/**
 * Which accounts the remediator may act in. Single-account mode: only the account it is deployed in.
 * Organization mode: the member accounts of its own organization (an Organizations-backed adapter, in
 * `adapters/organization-accounts.ts`, answers for accounts it has not seen yet). An event about any other
 * account is ignored with the reason: no AWS write, no alert.
 */

/** "Is this account one of ours?" */
export interface GuardedAccountsPort {
  /** True when the guardrail guards `account`. Throws only for an unexpected lookup error (retried by Lambda). */
  isGuarded(account: string): Promise<boolean>;
  /** What the guardrail guards, in words, for the reason an event is ignored. */
  readonly description: string;
}

/** A fixed set of accounts: single-account mode (the stack's own account). */
export class FixedGuardedAccounts implements GuardedAccountsPort {
  private readonly accounts: ReadonlySet<string>;

  constructor(accounts: Iterable<string>, readonly description: string) {
    this.accounts = new Set(accounts);
  }

  isGuarded(account: string): Promise<boolean> {
    return Promise.resolve(this.accounts.has(account));
  }
}

/** Single-account mode: the account of SELF_ROLE_ARN (the account the stack is deployed in). */
export function singleAccount(accountId: string): FixedGuardedAccounts {
  return new FixedGuardedAccounts([accountId], `single-account mode guards only its own account ${accountId}`);
}

/** The account of an IAM role ARN (`arn:<partition>:iam::<account>:role/<name>`), or '' when it has none. */
function accountOfRoleArn(roleArn: string): string {
  return /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '';
}

/**
 * The accounts the configuration names, without any lookup: single-account mode, SELF_ROLE_ARN's account;
 * organization mode, that account and GUARDED_ACCOUNT_IDS (the fallback when no Organizations adapter is wired).
 */
export function configuredGuardedAccounts(config: {
  readonly selfRoleArn: string;
  readonly guardedAccountIds?: readonly string[];
  readonly crossAccount?: { readonly organizationId: string };
}): FixedGuardedAccounts {
  const home = accountOfRoleArn(config.selfRoleArn);
  if (config.crossAccount === undefined) return singleAccount(home);
  const accounts = [home, ...(config.guardedAccountIds ?? [])];
  return new FixedGuardedAccounts(accounts, `organization mode guards only the listed accounts of ${config.crossAccount.organizationId} (${accounts.join(', ')})`);
}
