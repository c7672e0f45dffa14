/**
 * S3 and S3 Control behind the S3StatePort: the parallel reads of step 3 and the writes of step 5.
 * Every bucket call carries ExpectedBucketOwner, so a bucket that changed hands is never touched, and goes
 * through a client acting as that owner account (see account-clients.ts for organization-wide deployments).
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { awsErrorCode, hasErrorCode, isAccessDenied } from '../../shared/aws/errors';
import type { BucketAcl, PublicAccessBlock } from '../../shared/exposure/types';
import type { BucketState, BucketTarget, LoggerPort, S3StatePort, WriteAction } from '../ports';
import type { AccessPointSnapshot, MultiRegionAccessPointSnapshot } from '../../shared/exposure/access-point-types';
import type { MultiRegionAccessPointState } from '../ports';
import { AccountBlockCache } from './account-block-cache';
import { isAccessPointPolicyWrite, readAccessPointPolicyStatus, writeAccessPointPolicy } from './access-point-policy';
import {
  absentAsNull,
  blockOf,
  MULTI_REGION_CONTROL_REGION,
  readAccessPoint,
  readBucketAccessPoints,
  readMultiRegionAccessPoint,
  readObjectAcl,
  readObjectLambdaSupportingAccessPoint,
} from './door-state';

/** Error codes meaning "nothing configured" for each read. */
export const ABSENT_CODES = {
  policy: ['NoSuchBucketPolicy'],
  publicAccessBlock: ['NoSuchPublicAccessBlockConfiguration'],
  ownership: ['OwnershipControlsNotFoundError'],
  tagging: ['NoSuchTagSet', 'NoSuchTagSetError'],
} as const;

/** Codes an emulator or a restricted principal may answer for the optional reads (policy status, tags). */
const OPTIONAL_READ_UNAVAILABLE = ['NotImplemented', 'MethodNotAllowed', 'XNotImplemented'];

export interface S3StateClients {
  /** S3 in `region`, acting as `account` (the bucket's owner). May resolve credentials first (another account). */
  s3(region: string, account: string): S3Client | Promise<S3Client>;
  /**
   * S3 Control acting as `account`, in the guardrail's home region: the account setting is global, any regional
   * endpoint serves it.
   */
  s3Control(account: string): S3ControlClient | Promise<S3ControlClient>;
  /**
   * S3 Control in `region`, acting as `account`: access points are regional, Multi-Region Access Points are
   * served from us-west-2. @default - `s3Control(account)` (the home region)
   */
  s3ControlIn?(region: string, account: string): S3ControlClient | Promise<S3ControlClient>;
  /** The member role used in `account`, when not the function's own credentials. @default - always its own */
  actingRoleArn?(account: string): string | undefined;
}

type Doors = Pick<BucketState, 'accessPoints' | 'multiRegionAccessPoints' | 'objectAcl'>;

export class S3StateAdapter implements S3StatePort {
  constructor(
    private readonly clients: S3StateClients,
    private readonly accountBlocks: AccountBlockCache = new AccountBlockCache(),
    private readonly logger?: LoggerPort,
  ) {}

  actingRoleArn(account: string): string | undefined {
    return this.clients.actingRoleArn?.(account);
  }

  async readBucketState(target: BucketTarget): Promise<BucketState> {
    const s3 = await this.clients.s3(target.region, target.account);
    const bucket = { Bucket: target.bucket, ExpectedBucketOwner: target.account };
    const settled = await Promise.allSettled([
      s3.send(new GetBucketAclCommand(bucket)).then((output): BucketAcl => ({
        ...(output.Owner ? { Owner: output.Owner } : {}),
        Grants: output.Grants ?? [],
      })),
      absentAsNull(s3.send(new GetBucketPolicyCommand(bucket)).then((output) => output.Policy ?? null), ABSENT_CODES.policy),
      absentAsNull(
        s3.send(new GetPublicAccessBlockCommand(bucket)).then((output) => blockOf(output.PublicAccessBlockConfiguration)),
        ABSENT_CODES.publicAccessBlock,
      ),
      absentAsNull(
        s3.send(new GetBucketOwnershipControlsCommand(bucket)).then((output) => output.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null),
        ABSENT_CODES.ownership,
      ),
      this.policyStatus(s3, bucket),
      this.tags(s3, bucket),
      // Always read, never from the cache: a cached "on" taken before someone turned the account setting off
      // would make a public bucket look private, and nothing would look again until the next event or sweep.
      // The read runs in parallel with the others, so it costs one S3 Control call and no time.
      this.readAccountPublicAccessBlock(target.account, { fresh: true }),
      this.readDoors(s3, target),
    ]);
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (failures.length > 0) {
      // A deleted bucket answers NoSuchBucket everywhere; prefer it over whatever else failed.
      throw failures.find((error) => hasErrorCode(error, 'NoSuchBucket')) ?? failures[0];
    }
    const [acl, policy, bucketPublicAccessBlock, ownership, policyStatus, tags, accountPublicAccessBlock, doors] = settled.map(
      (result) => (result as PromiseFulfilledResult<unknown>).value,
    ) as [BucketAcl, string | null, PublicAccessBlock | null, string | null, BucketState['policyStatus'], BucketState['tags'], PublicAccessBlock | null, Doors];
    return { acl, policy, bucketPublicAccessBlock, ownership, policyStatus, tags, accountPublicAccessBlock, ...doors };
  }

  /** The doors the target asks for, read in the same round trip as the bucket. */
  private async readDoors(s3: S3Client, target: BucketTarget): Promise<Doors> {
    const scope = target.doors;
    if (scope === undefined) return {};
    const [accessPoints, multiRegionAccessPoints, objectAcl] = await Promise.all([
      scope.accessPoints === true ? this.controlIn(target.region, target.account).then((control) => readBucketAccessPoints(control, target.account, target.bucket)) : undefined,
      scope.multiRegionAccessPoints !== undefined && scope.multiRegionAccessPoints.length > 0
        ? Promise.all(scope.multiRegionAccessPoints.map((name) => this.readMultiRegionAccessPoint(target.account, name)))
        : undefined,
      scope.objectKey !== undefined ? readObjectAcl(s3, target.bucket, target.account, scope.objectKey) : undefined,
    ]);
    return {
      ...(accessPoints !== undefined ? { accessPoints } : {}),
      ...(multiRegionAccessPoints !== undefined
        ? { multiRegionAccessPoints: multiRegionAccessPoints.flatMap((state): MultiRegionAccessPointSnapshot[] => (state !== null ? [state.snapshot] : [])) }
        : {}),
      ...(objectAcl !== undefined ? { objectAcl } : {}),
    };
  }

  private controlIn(region: string, account: string): Promise<S3ControlClient> {
    return Promise.resolve(this.clients.s3ControlIn !== undefined ? this.clients.s3ControlIn(region, account) : this.clients.s3Control(account));
  }

  async readAccessPoint(account: string, region: string, name: string): Promise<AccessPointSnapshot | null> {
    return readAccessPoint(await this.controlIn(region, account), account, name);
  }

  async readObjectLambdaSupportingAccessPoint(account: string, region: string, name: string): Promise<string | null> {
    return readObjectLambdaSupportingAccessPoint(await this.controlIn(region, account), account, name);
  }

  async readAccessPointPolicyStatus(account: string, region: string, name: string): Promise<'public' | 'not-public' | 'no-policy'> {
    return readAccessPointPolicyStatus(await this.controlIn(region, account), account, name);
  }

  async readMultiRegionAccessPoint(account: string, name: string): Promise<MultiRegionAccessPointState | null> {
    return readMultiRegionAccessPoint(await this.controlIn(MULTI_REGION_CONTROL_REGION, account), account, name);
  }

  private async policyStatus(s3: S3Client, bucket: { Bucket: string; ExpectedBucketOwner: string }): Promise<BucketState['policyStatus']> {
    try {
      const output = await s3.send(new GetBucketPolicyStatusCommand(bucket));
      const isPublic = output.PolicyStatus?.IsPublic;
      return typeof isPublic === 'boolean' ? { answer: isPublic ? 'public' : 'not-public' } : { answer: 'unavailable', detail: 'no IsPublic in the answer' };
    } catch (error) {
      if (hasErrorCode(error, ...ABSENT_CODES.policy)) return { answer: 'no-policy' };
      if (isAccessDenied(error) || hasErrorCode(error, ...OPTIONAL_READ_UNAVAILABLE)) {
        return { answer: 'unavailable', detail: awsErrorCode(error) ?? 'error' };
      }
      throw error;
    }
  }

  private async tags(s3: S3Client, bucket: { Bucket: string; ExpectedBucketOwner: string }): Promise<BucketState['tags']> {
    try {
      const output = await s3.send(new GetBucketTaggingCommand(bucket));
      const tags: Record<string, string> = {};
      for (const tag of output.TagSet ?? []) {
        if (typeof tag.Key === 'string') tags[tag.Key] = tag.Value ?? '';
      }
      return tags;
    } catch (error) {
      if (hasErrorCode(error, ...ABSENT_CODES.tagging)) return {};
      if (isAccessDenied(error) || hasErrorCode(error, ...OPTIONAL_READ_UNAVAILABLE)) {
        this.logger?.warn('bucket tags unreadable; severity ignores sensitive tags', { bucket: bucket.Bucket, errorCode: awsErrorCode(error) });
        return null;
      }
      throw error;
    }
  }

  readAccountPublicAccessBlock(account: string, options: { readonly fresh?: boolean } = {}): Promise<PublicAccessBlock | null> {
    return this.accountBlocks.get(
      account,
      async () => {
        try {
          const control = await this.clients.s3Control(account);
          const output = await control.send(new GetAccountPublicAccessBlockCommand({ AccountId: account }));
          return blockOf(output.PublicAccessBlockConfiguration);
        } catch (error) {
          if (hasErrorCode(error, ...ABSENT_CODES.publicAccessBlock)) return null;
          if (isAccessDenied(error)) {
            // Fail closed: decide as if the account blocked nothing.
            this.logger?.warn('account Block Public Access unreadable; deciding as if it were off', { account, errorCode: awsErrorCode(error) });
            return null;
          }
          throw error;
        }
      },
      options,
    );
  }

  async write(action: WriteAction): Promise<void> {
    if (action.api === 'PutAccountPublicAccessBlock') {
      const control = await this.clients.s3Control(action.request.AccountId);
      await control.send(new PutAccountPublicAccessBlockCommand({ ...action.request }));
      this.accountBlocks.set(action.request.AccountId, action.request.PublicAccessBlockConfiguration);
      return;
    }
    if (isAccessPointPolicyWrite(action)) {
      await writeAccessPointPolicy(await this.controlIn(action.region, action.request.AccountId), action);
      return;
    }
    const s3 = await this.clients.s3(action.region, action.request.ExpectedBucketOwner);
    switch (action.api) {
      case 'PutBucketPublicAccessBlock':
        await s3.send(new PutPublicAccessBlockCommand({ ...action.request }));
        return;
      case 'PutBucketAcl':
        await s3.send(
          new PutBucketAclCommand({
            Bucket: action.request.Bucket,
            ExpectedBucketOwner: action.request.ExpectedBucketOwner,
            AccessControlPolicy: {
              Owner: action.request.AccessControlPolicy.Owner,
              Grants: action.request.AccessControlPolicy.Grants.map((grant) => ({
                ...(grant.Grantee ? { Grantee: { ...grant.Grantee, Type: grant.Grantee.Type as 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail' } } : {}),
                ...(grant.Permission ? { Permission: grant.Permission as 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' } : {}),
              })),
            },
          }),
        );
        return;
      case 'PutBucketPolicy':
        await s3.send(new PutBucketPolicyCommand({ ...action.request }));
        return;
      case 'DeleteBucketPolicy':
        await s3.send(new DeleteBucketPolicyCommand({ ...action.request }));
        return;
    }
  }
}
