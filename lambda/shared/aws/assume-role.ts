/**
 * Credentials for acting in the account an event came from, in an organization-wide deployment.
 *
 * The central remediator (and sweep) assume `arn:<partition>:iam::<account>:role/<memberRoleName>` in each
 * member account, a role the member StackSet creates with exactly the remediator's S3 permissions and a trust
 * policy naming the central role. This module keeps one set of temporary credentials per account:
 *
 * - one AssumeRole call per account, reused until shortly before the credentials expire (by default five
 *   minutes before, the same margin the AWS SDK uses before it asks a credential provider again);
 * - concurrent requests for the same account share one AssumeRole call;
 * - a failure is not cached, and never touches another account's entry;
 * - the home account (where the function runs) is served with the function's own credentials: no AssumeRole.
 *
 * The STS client and the clock are injected; nothing here reads `process.env` except through
 * `parseCrossAccountEnvironment(env)`, which the caller passes the environment to.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { awsErrorCode, isAccessDenied } from './errors';

/** RoleSessionName of every member-account session: CloudTrail shows `assumed-role/<memberRoleName>/bucket-guardrail`. */
export const MEMBER_ROLE_SESSION_NAME = 'bucket-guardrail';

/** The variables the construct sets (with `crossAccount`) and the handlers read. */
export const CROSS_ACCOUNT_ENV = {
  memberRoleName: 'MEMBER_ROLE_NAME',
  organizationId: 'ORGANIZATION_ID',
} as const;

export const DEFAULT_SESSION_DURATION_SECONDS = 3_600;
export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1_000;

const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** Temporary credentials; structurally an SDK `AwsCredentialIdentity`, so SDK clients accept them. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What to act with in one account: the function's own credentials (home account) or an assumed role's. */
export type AccountCredentials =
  | { readonly source: 'own'; readonly accountId: string }
  | { readonly source: 'assumed'; readonly accountId: string; readonly roleArn: string; readonly credentials: TemporaryCredentials };

/** An SDK credential provider (`credentials` option of any v3 client). */
export type CredentialsProvider = () => Promise<TemporaryCredentials>;

/** The account ID is not 12 digits; nothing was sent. */
export class InvalidAccountIdError extends Error {
  constructor(
    readonly accountId: string,
    options?: { cause?: unknown },
  ) {
    super(`"${accountId}" is not an AWS account ID (12 digits); no role was assumed`, options);
    this.name = 'InvalidAccountIdError';
  }
}

/**
 * AssumeRole into a member account failed. `accessDenied` is true when STS refused (role missing, trust policy,
 * SCP): usually the member StackSet has not reached the account yet. Other codes (throttling, 5xx) are transient.
 */
export class AssumeRoleError extends Error {
  readonly code: string | undefined;
  readonly accessDenied: boolean;

  constructor(
    readonly accountId: string,
    readonly roleArn: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot act in account ${accountId} through ${roleArn}: ${message}`, options);
    this.name = 'AssumeRoleError';
    this.code = awsErrorCode(options?.cause);
    this.accessDenied = isAccessDenied(options?.cause);
  }
}

/** A cross-account setting is invalid; names the variable and the fix. */
export class CrossAccountConfigurationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
    this.name = 'CrossAccountConfigurationError';
  }
}

/** The parts of an IAM role ARN, or undefined when `arn` is not one. Pure; never throws. */
export function parseRoleArn(arn: string): { readonly partition: string; readonly accountId: string; readonly roleName: string } | undefined {
  const match = ROLE_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, roleName] = match;
  return { partition, accountId, roleName };
}

export interface CrossAccountSettings {
  /** Name of the role the member StackSet creates in every member account. */
  readonly memberRoleName: string;
  /** The organization the member accounts belong to (for records and alerts). */
  readonly organizationId: string;
}

/**
 * The cross-account settings from the environment, or undefined when MEMBER_ROLE_NAME is not set (a
 * single-account deployment). Throws CrossAccountConfigurationError when a value is malformed.
 */
export function parseCrossAccountEnvironment(env: Readonly<Record<string, string | undefined>>): CrossAccountSettings | undefined {
  const memberRoleName = env[CROSS_ACCOUNT_ENV.memberRoleName]?.trim();
  if (!memberRoleName) return undefined;
  if (!ROLE_NAME_PATTERN.test(memberRoleName)) {
    throw new CrossAccountConfigurationError(
      CROSS_ACCOUNT_ENV.memberRoleName,
      `"${memberRoleName}" is not an IAM role name (1-64 of letters, digits and + = , . @ _ -)`,
    );
  }
  const organizationId = env[CROSS_ACCOUNT_ENV.organizationId]?.trim() ?? '';
  if (!ORGANIZATION_ID_PATTERN.test(organizationId)) {
    throw new CrossAccountConfigurationError(
      CROSS_ACCOUNT_ENV.organizationId,
      `"${organizationId}" is not an organization ID (o- and 10-32 lower-case letters or digits); it is required with ${CROSS_ACCOUNT_ENV.memberRoleName}`,
    );
  }
  return { memberRoleName, organizationId };
}

export interface AccountCredentialsProviderOptions {
  /** The STS client used for AssumeRole (build it once, in the function's region). */
  readonly sts: Pick<STSClient, 'send'>;
  /** Partition of every role ARN (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
  /** The account the function runs in: served with its own credentials. */
  readonly homeAccountId: string;
  /** The member role's name; the same in every account. */
  readonly memberRoleName: string;
  /**
   * ExternalId sent with AssumeRole, for trust policies that require `sts:ExternalId`.
   * @default - none
   */
  readonly externalId?: string;
  /**
   * Requested session length, 900 to 43,200 seconds (at most the role's MaxSessionDuration).
   * @default 3600
   */
  readonly sessionDurationSeconds?: number;
  /**
   * Credentials are replaced this long before they expire.
   * @default 300000 (five minutes)
   */
  readonly refreshBeforeExpiryMs?: number;
  /**
   * The clock, in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly credentials: TemporaryCredentials;
  /** When the entry stops being served: expiration minus the refresh margin. */
  readonly refreshAtMs: number;
}

/** Per-account temporary credentials, cached until shortly before expiry. */
export class AccountCredentialsProvider {
  readonly partition: string;
  readonly homeAccountId: string;
  readonly memberRoleName: string;
  private readonly sts: Pick<STSClient, 'send'>;
  private readonly externalId: string | undefined;
  private readonly sessionDurationSeconds: number;
  private readonly refreshBeforeExpiryMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<TemporaryCredentials>>();

  constructor(options: AccountCredentialsProviderOptions) {
    if (!/^aws[a-z-]*$/.test(options.partition)) {
      throw new CrossAccountConfigurationError('partition', `"${options.partition}" is not an AWS partition such as aws, aws-cn or aws-us-gov`);
    }
    if (!ACCOUNT_ID_PATTERN.test(options.homeAccountId)) {
      throw new CrossAccountConfigurationError('homeAccountId', `"${options.homeAccountId}" is not an AWS account ID (12 digits)`);
    }
    if (!ROLE_NAME_PATTERN.test(options.memberRoleName)) {
      throw new CrossAccountConfigurationError('memberRoleName', `"${options.memberRoleName}" is not an IAM role name (1-64 of letters, digits and + = , . @ _ -)`);
    }
    if (options.externalId !== undefined && !EXTERNAL_ID_PATTERN.test(options.externalId)) {
      throw new CrossAccountConfigurationError('externalId', 'is not an STS external ID (2-1224 of letters, digits and + = , . @ : / _ -)');
    }
    const duration = options.sessionDurationSeconds ?? DEFAULT_SESSION_DURATION_SECONDS;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new CrossAccountConfigurationError('sessionDurationSeconds', `${duration} is not a whole number of seconds from 900 to 43200`);
    }
    const refresh = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
    if (!Number.isFinite(refresh) || refresh < 0 || refresh >= duration * 1_000) {
      throw new CrossAccountConfigurationError('refreshBeforeExpiryMs', `${refresh} must be at least 0 and shorter than the session (${duration * 1_000} ms)`);
    }
    this.sts = options.sts;
    this.partition = options.partition;
    this.homeAccountId = options.homeAccountId;
    this.memberRoleName = options.memberRoleName;
    this.externalId = options.externalId;
    this.sessionDurationSeconds = duration;
    this.refreshBeforeExpiryMs = refresh;
    this.now = options.now ?? Date.now;
  }

  /** The member role in `accountId`. */
  roleArnFor(accountId: string): string {
    return `arn:${this.partition}:iam::${accountId}:role/${this.memberRoleName}`;
  }

  isHomeAccount(accountId: string): boolean {
    return accountId === this.homeAccountId;
  }

  /**
   * What to act with in `accountId`. Rejects with InvalidAccountIdError for a malformed ID and with
   * AssumeRoleError when STS refuses or fails; neither is cached.
   */
  async credentialsFor(accountId: string): Promise<AccountCredentials> {
    if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new InvalidAccountIdError(accountId);
    if (this.isHomeAccount(accountId)) return { source: 'own', accountId };
    const credentials = await this.assumedCredentials(accountId);
    return { source: 'assumed', accountId, roleArn: this.roleArnFor(accountId), credentials };
  }

  /**
   * An SDK credential provider for `accountId`, or undefined for the home account (keep the client's default
   * credentials). Each call of the provider goes through the cache, so one client per account stays valid for
   * the life of the container.
   */
  credentialsProviderFor(accountId: string): CredentialsProvider | undefined {
    if (!ACCOUNT_ID_PATTERN.test(accountId)) {
      return () => Promise.reject(new InvalidAccountIdError(accountId));
    }
    if (this.isHomeAccount(accountId)) return undefined;
    return () => this.assumedCredentials(accountId);
  }

  /** Drops the cached credentials of one account (for example after its role was replaced). */
  forget(accountId: string): void {
    this.cache.delete(accountId);
  }

  private assumedCredentials(accountId: string): Promise<TemporaryCredentials> {
    const cached = this.cache.get(accountId);
    if (cached && this.now() < cached.refreshAtMs) return Promise.resolve(cached.credentials);
    const pending = this.inFlight.get(accountId);
    if (pending) return pending;
    const request = this.assume(accountId).finally(() => this.inFlight.delete(accountId));
    this.inFlight.set(accountId, request);
    return request;
  }

  private async assume(accountId: string): Promise<TemporaryCredentials> {
    const roleArn = this.roleArnFor(accountId);
    let output;
    try {
      output = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: MEMBER_ROLE_SESSION_NAME,
          DurationSeconds: this.sessionDurationSeconds,
          ...(this.externalId !== undefined ? { ExternalId: this.externalId } : {}),
        }),
      );
    } catch (error) {
      this.cache.delete(accountId);
      const reason = error instanceof Error ? error.message : String(error);
      throw new AssumeRoleError(accountId, roleArn, `AssumeRole failed: ${reason}`, { cause: error });
    }
    const raw = output?.Credentials;
    const expiration = raw?.Expiration instanceof Date ? raw.Expiration : undefined;
    if (!raw?.AccessKeyId || !raw.SecretAccessKey || !raw.SessionToken || expiration === undefined || Number.isNaN(expiration.getTime())) {
      this.cache.delete(accountId);
      throw new AssumeRoleError(accountId, roleArn, 'AssumeRole returned no complete credentials');
    }
    const credentials: TemporaryCredentials = {
      accessKeyId: raw.AccessKeyId,
      secretAccessKey: raw.SecretAccessKey,
      sessionToken: raw.SessionToken,
      expiration,
    };
    this.pruneExpired();
    this.cache.set(accountId, { credentials, refreshAtMs: expiration.getTime() - this.refreshBeforeExpiryMs });
    return credentials;
  }

  /** Keeps the cache bounded by the accounts seen within one session length. */
  private pruneExpired(): void {
    const now = this.now();
    for (const [accountId, entry] of this.cache) {
      if (entry.credentials.expiration.getTime() <= now) this.cache.delete(accountId);
    }
  }
}
