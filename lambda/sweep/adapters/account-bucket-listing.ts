/**
 * ListBuckets in any account of an organization-wide sweep: the lister's own account with its own
 * credentials, every other account through its member role (the remediate side's AccountScopedClients: one
 * AssumeRole per account, reused until shortly before expiry). An account whose role cannot be assumed, or
 * whose ListBuckets is denied, becomes an AccountUnavailableError: the sweep reports it and carries on.
 * Throttling and other errors pass through, so the listing message is retried.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleError, InvalidAccountIdError } from '../../shared/aws/assume-role';
import { awsErrorCode, isAccessDenied } from '../../shared/aws/errors';
import { AccountUnavailableError } from '../accounts';
import type { ListAccountPage } from '../lister';
import { s3BucketLister, type ListBucketPage } from './bucket-listing';

export interface AccountBucketListingOptions {
  /** `MaxBuckets`, 1–10,000. */
  readonly pageSize: number;
  /** The S3 client acting in `account` (undefined: the lister's own); rejects when the member role cannot be assumed. */
  readonly s3For: (account: string | undefined) => S3Client | Promise<S3Client>;
}

/** Why an error means "this account cannot be swept", or undefined when it should be retried. */
export function accountUnavailableReason(error: unknown): string | undefined {
  if (error instanceof AssumeRoleError) {
    return error.accessDenied ? `AssumeRole into ${error.roleArn} was refused (${error.code ?? 'AccessDenied'}); the member stack may not have reached this account` : undefined;
  }
  if (error instanceof InvalidAccountIdError) {
    return error.message;
  }
  if (isAccessDenied(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return `ListBuckets was denied (${awsErrorCode(error) ?? 'AccessDenied'}: ${message}); the member role may lack s3:ListAllMyBuckets`;
  }
  return undefined;
}

export function accountBucketLister(options: AccountBucketListingOptions): ListAccountPage {
  const listers = new Map<string, ListBucketPage>();
  return async (continuationToken, account) => {
    try {
      let lister = listers.get(account ?? '');
      if (lister === undefined) {
        lister = s3BucketLister(await options.s3For(account), { pageSize: options.pageSize });
        listers.set(account ?? '', lister);
      }
      return await lister(continuationToken);
    } catch (error) {
      const reason = account !== undefined ? accountUnavailableReason(error) : undefined;
      if (account !== undefined && reason !== undefined) {
        throw new AccountUnavailableError(account, reason, { cause: error });
      }
      throw error;
    }
  };
}
