/**
 * S3 and S3 Control clients per (account, region): the function's own credentials in the account it runs in,
 * the member role's temporary credentials in every other account of the organization. The audit table, the
 * archive and the alert topic are not reached through here: they stay in the home account.
 *
 * Credentials are resolved before a client is handed out (`AccountCredentialsProvider.credentialsFor`: one
 * AssumeRole per account, reused until shortly before expiry, shared by concurrent callers), so a refused
 * AssumeRole surfaces as an AssumeRoleError from the read or write that needed it, before any S3 call is sent.
 * The client itself carries a provider that reads the same cache, so the SDK refreshes with it for the life of
 * the container.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AccountCredentialsProvider } from '../../shared/aws/assume-role';
import type { AwsClients } from '../../shared/aws/clients';
import type { S3StateClients } from './s3-state';

export interface AccountScopedClientsOptions {
  /**
   * Per-account credentials (organization-wide deployments).
   * @default - every account is acted on with the function's own credentials
   */
  readonly accounts?: AccountCredentialsProvider;
  /**
   * Region of the S3 Control client (the account setting is global; any regional endpoint serves it).
   * @default - the clients' home region
   */
  readonly controlRegion?: string;
}

export class AccountScopedClients implements S3StateClients {
  private readonly accounts: AccountCredentialsProvider | undefined;
  private readonly controlRegion: string | undefined;

  constructor(
    private readonly home: AwsClients,
    options: AccountScopedClientsOptions = {},
  ) {
    this.accounts = options.accounts;
    this.controlRegion = options.controlRegion;
  }

  s3(region: string, account: string): S3Client | Promise<S3Client> {
    const accounts = this.memberAccount(account);
    if (accounts === undefined) return this.home.s3(region);
    return this.memberClients(accounts, account).then((clients) => clients.s3(region));
  }

  s3Control(account: string): S3ControlClient | Promise<S3ControlClient> {
    const accounts = this.memberAccount(account);
    if (accounts === undefined) return this.home.s3Control(this.controlRegion);
    return this.memberClients(accounts, account).then((clients) => clients.s3Control(this.controlRegion));
  }

  /** S3 Control in `region` (access points are regional; Multi-Region Access Points are served from us-west-2). */
  s3ControlIn(region: string, account: string): S3ControlClient | Promise<S3ControlClient> {
    const accounts = this.memberAccount(account);
    if (accounts === undefined) return this.home.s3Control(region);
    return this.memberClients(accounts, account).then((clients) => clients.s3Control(region));
  }

  /** The member role used in `account`, or undefined when the function acts there with its own credentials. */
  actingRoleArn(account: string): string | undefined {
    return this.memberAccount(account)?.roleArnFor(account);
  }

  /** The credentials provider when `account` is a member account; undefined when acting with our own credentials. */
  private memberAccount(account: string): AccountCredentialsProvider | undefined {
    return this.accounts !== undefined && !this.accounts.isHomeAccount(account) ? this.accounts : undefined;
  }

  /** Rejects with AssumeRoleError (or InvalidAccountIdError) when the account's role cannot be assumed. */
  private async memberClients(accounts: AccountCredentialsProvider, account: string): Promise<AwsClients> {
    await accounts.credentialsFor(account);
    const provider = accounts.credentialsProviderFor(account);
    return provider === undefined ? this.home : this.home.withCredentials(`account:${account}`, provider);
  }
}
