/**
 * Organization mode's answer to "is this account one of ours?": the accounts the central stack knows
 * (GUARDED_ACCOUNT_IDS and its own account), and on a cache miss Organizations DescribeAccount, so an account
 * that joined after the deployment is not ignored. DescribeAccount answers only for accounts of the caller's
 * organization (AccountNotFoundException for any other), and the answer's ARN
 * (`arn:<partition>:organizations::<management>:account/<organization-id>/<account>`) must name ORGANIZATION_ID.
 *
 * A "not ours" answer is remembered for `negativeTtlMs` so a flood of foreign events costs one lookup per
 * account, not one per event. Access denied, throttling and other errors are rethrown as
 * GuardedAccountLookupError: the event is retried by Lambda and, finally, dead-lettered, never acted on unchecked.
 */
import { DescribeAccountCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { hasErrorCode } from '../../shared/aws/errors';
import type { GuardedAccountsPort } from '../guarded-accounts';

/** How long an account found outside the organization stays "not ours" before it is looked up again. */
export const DEFAULT_NEGATIVE_TTL_MS = 5 * 60_000;

/** DescribeAccount failed for a reason other than "no such account in this organization". */
export class GuardedAccountLookupError extends Error {
  constructor(
    readonly account: string,
    options: { cause: unknown },
  ) {
    super(`could not tell whether account ${account} is a member of the organization (Organizations DescribeAccount failed)`, options);
    this.name = 'GuardedAccountLookupError';
  }
}

export interface OrganizationGuardedAccountsOptions {
  readonly organizations: Pick<OrganizationsClient, 'send'>;
  /** ORGANIZATION_ID (`o-…`). */
  readonly organizationId: string;
  /** Accounts known to be members without a lookup: the central account and GUARDED_ACCOUNT_IDS. */
  readonly knownAccounts: Iterable<string>;
  /** @default DEFAULT_NEGATIVE_TTL_MS */
  readonly negativeTtlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class OrganizationGuardedAccounts implements GuardedAccountsPort {
  readonly description: string;
  private readonly members: Set<string>;
  private readonly notMembersUntil = new Map<string, number>();
  private readonly negativeTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OrganizationGuardedAccountsOptions) {
    this.members = new Set(options.knownAccounts);
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
    this.now = options.now ?? (() => Date.now());
    this.description = `organization mode guards only the member accounts of ${options.organizationId}`;
  }

  async isGuarded(account: string): Promise<boolean> {
    if (this.members.has(account)) return true;
    const until = this.notMembersUntil.get(account);
    if (until !== undefined && until > this.now()) return false;

    let arn: string | undefined;
    try {
      const answer = await this.options.organizations.send(new DescribeAccountCommand({ AccountId: account }));
      arn = answer.Account?.Arn;
    } catch (error) {
      if (hasErrorCode(error, 'AccountNotFoundException')) {
        this.notMembersUntil.set(account, this.now() + this.negativeTtlMs);
        return false;
      }
      throw new GuardedAccountLookupError(account, { cause: error });
    }
    const member = arn !== undefined && arn.endsWith(`:account/${this.options.organizationId}/${account}`);
    if (member) {
      this.members.add(account);
      this.notMembersUntil.delete(account);
    } else {
      this.notMembersUntil.set(account, this.now() + this.negativeTtlMs);
    }
    return member;
  }
}
