/**
 * A stateful in-memory model of the S3 and S3 Control calls the guardrail makes, installed on
 * aws-sdk-client-mock mocks: writes change what later reads return, so a verify step is exercised for real.
 *
 * It follows S3's documented behaviour where it matters to the guardrail:
 * - "not configured" errors (NoSuchBucketPolicy, NoSuchPublicAccessBlockConfiguration,
 *   OwnershipControlsNotFoundError, NoSuchTagSet), NoSuchBucket, ExpectedBucketOwner → AccessDenied;
 * - PutBucketAcl with a public ACL under BlockPublicAcls → AccessDenied, any PutBucketAcl on a
 *   BucketOwnerEnforced bucket → AccessControlListNotSupported; PutBucketPolicy with a public policy under
 *   BlockPublicPolicy → AccessDenied;
 * - GetBucketPolicyStatus answers from the policy alone (the exposure engine's `policyIsPublic`), unless a
 *   test overrides it to model a disagreement;
 * - calls reach a bucket only through a client of the bucket's region (PermanentRedirect otherwise);
 * - PutAccessPointPolicy with a public policy under BlockPublicPolicy (access point, bucket or account) →
 *   AccessDenied; GetAccessPointPolicyStatus answers from the access point policy alone.
 * Every call can be delayed (the benchmark's D) and any call can be made to fail (error injection).
 */
import {
  NoSuchBucket,
  S3Client,
  S3ServiceException,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  NoSuchPublicAccessBlockConfiguration,
  S3ControlClient,
  S3ControlServiceException,
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  GetAccessPointCommand,
  GetAccessPointConfigurationForObjectLambdaCommand,
  DeleteAccessPointPolicyCommand,
  GetAccessPointPolicyCommand,
  GetAccessPointPolicyStatusCommand,
  GetMultiRegionAccessPointCommand,
  PutAccessPointPolicyCommand,
  GetMultiRegionAccessPointPolicyCommand,
  ListAccessPointsCommand,
  ListMultiRegionAccessPointsCommand,
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import type { ArchiveWriteRule } from '../../lambda/shared/audit/archive-lock';
import { evaluateExposure } from '../../lambda/shared/exposure';
import type { AclGrant, BucketAcl, PublicAccessBlock } from '../../lambda/shared/exposure/types';
import { CallLog, type FakeService, type FakeStub } from './call-log';

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

/** An access point (regional), as S3 Control keeps it. */
export interface FakeAccessPoint {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly bucket: string;
  networkOrigin: 'Internet' | 'VPC';
  publicAccessBlock: PublicAccessBlock;
  policy: string | null;
}

/** A Multi-Region Access Point (control calls served from us-west-2). */
export interface FakeMultiRegionAccessPoint {
  readonly name: string;
  readonly alias: string;
  readonly account: string;
  readonly regions: { readonly bucket: string; readonly region: string }[];
  publicAccessBlock: PublicAccessBlock;
  policy: string | null;
}

export interface FakeBucket {
  readonly name: string;
  account: string;
  region: string;
  acl: { Owner: NonNullable<BucketAcl['Owner']>; Grants: AclGrant[] };
  policy: string | null;
  publicAccessBlock: PublicAccessBlock | null;
  ownership: string | null;
  /** null: no tag set. */
  tags: Record<string, string> | null;
  /** Forces GetBucketPolicyStatus' answer (models S3 disagreeing with the engine). */
  policyStatusOverride?: boolean;
  /**
   * Deny statements of the bucket policy on s3:PutObject, by their conditions (as lib/audit-trail.ts writes them
   * for the archive, from archiveWriteRules): a PutObject they match is refused with AccessDenied.
   */
  putDenyRules?: readonly ArchiveWriteRule[];
  /** The clock S3 counts remaining retention days with. @default Date.now */
  clock?: () => number;
  readonly objects: Map<string, FakeObject>;
  readonly createdAt: Date;
}

/** An object's current version: its body and, when written with Object Lock headers, its retention. */
export interface FakeObject {
  body: string;
  contentType?: string;
  checksumAlgorithm?: string;
  lock?: { readonly mode: string; readonly retainUntil: Date };
}

export type BucketInit = Partial<Omit<FakeBucket, 'name' | 'objects' | 'createdAt'>>;

const DAY_MS = 86_400_000;

/**
 * The condition keys S3 gives a bucket policy for one PutObject (only those the guardrail's policies use):
 * s3:if-none-match, s3:object-lock-mode and s3:object-lock-remaining-retention-days (whole days left until the
 * retain-until date when the request arrives). An absent header is an absent key.
 */
export function putObjectConditionKeys(input: { IfNoneMatch?: unknown; ObjectLockMode?: unknown; ObjectLockRetainUntilDate?: unknown }, nowMs: number): Record<string, string | undefined> {
  const until = input.ObjectLockRetainUntilDate instanceof Date ? input.ObjectLockRetainUntilDate.getTime() : undefined;
  return {
    's3:if-none-match': typeof input.IfNoneMatch === 'string' ? input.IfNoneMatch : undefined,
    's3:object-lock-mode': typeof input.ObjectLockMode === 'string' ? input.ObjectLockMode : undefined,
    's3:object-lock-remaining-retention-days': until !== undefined ? String(Math.floor((until - nowMs) / DAY_MS)) : undefined,
  };
}

/** Whether a Deny statement's conditions all hold for these keys (IAM semantics for the operators used here). */
export function denyRuleMatches(rule: ArchiveWriteRule, keys: Record<string, string | undefined>): boolean {
  return Object.entries(rule.conditions).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => {
      const actual = keys[key];
      switch (operator) {
        case 'Null':
          return (actual === undefined) === (expected === 'true');
        case 'StringNotEquals':
          return actual === undefined || actual !== expected;
        case 'StringEquals':
          return actual !== undefined && actual === expected;
        case 'NumericLessThan':
          return actual !== undefined && Number(actual) < Number(expected);
        default:
          throw new Error(`test setup: the S3 fake does not evaluate the ${operator} condition operator`);
      }
    }),
  );
}

export type InjectableError =
  | 'Throttling'
  | 'AccessDenied'
  | 'NoSuchBucket'
  | 'AccessControlListNotSupported'
  | 'InternalError'
  | Error;

interface Injection {
  readonly service?: FakeService;
  readonly command: string;
  readonly bucket?: string;
  remaining: number;
  readonly error: InjectableError;
}

export interface S3FakeOptions {
  /** Delay of every call, in ms (a function may vary it per call). @default 0 */
  readonly delayMs?: number | ((service: FakeService, command: string) => number);
  /** Reject calls from a client whose region is not the bucket's. @default true */
  readonly strictRegions?: boolean;
  readonly log?: CallLog;
  /**
   * Checks who calls, as IAM would without a cross-account grant: each call's credentials are resolved from its
   * client and mapped to an account with this function; a call on another account's bucket (or account
   * setting) is AccessDenied, and ListBuckets lists the caller's buckets only. Clients then need credentials.
   * @default - callers are not checked
   */
  readonly accountOfAccessKey?: (accessKeyId: string) => string | undefined;
}

export function privateAcl(ownerId = OWNER_ID): FakeBucket['acl'] {
  return { Owner: { ID: ownerId }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: ownerId }, Permission: 'FULL_CONTROL' }] };
}

/** The canned public-read ACL: owner FULL_CONTROL plus AllUsers READ. */
export function publicReadAcl(ownerId = OWNER_ID): FakeBucket['acl'] {
  const acl = privateAcl(ownerId);
  return { ...acl, Grants: [...acl.Grants, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }] };
}

export function publicReadPolicy(bucket: string, extraStatements: unknown[] = []): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ...extraStatements,
    ],
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function s3Error(code: string, status: number, message: string): Error {
  if (code === 'NoSuchBucket') {
    return new NoSuchBucket({ message, $metadata: { httpStatusCode: status } });
  }
  return new S3ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

function controlError(code: string, status: number, message: string): Error {
  if (code === 'NoSuchPublicAccessBlockConfiguration') {
    return new NoSuchPublicAccessBlockConfiguration({ message, $metadata: { httpStatusCode: status } });
  }
  return new S3ControlServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

function injected(service: FakeService, error: InjectableError): Error {
  if (error instanceof Error) return error;
  const make = service === 's3control' ? controlError : s3Error;
  switch (error) {
    case 'Throttling':
      return make('SlowDown', 503, 'Please reduce your request rate.');
    case 'AccessDenied':
      return make('AccessDenied', 403, 'Access Denied (explicit deny in a service control policy)');
    case 'NoSuchBucket':
      return make('NoSuchBucket', 404, 'The specified bucket does not exist');
    case 'AccessControlListNotSupported':
      return make('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
    case 'InternalError':
      return make('InternalError', 500, 'We encountered an internal error. Please try again.');
  }
}

function effectiveBlock(bucket: PublicAccessBlock | null, account: PublicAccessBlock | null): Required<PublicAccessBlock> {
  const on = (key: keyof PublicAccessBlock) => bucket?.[key] === true || account?.[key] === true;
  return {
    BlockPublicAcls: on('BlockPublicAcls'),
    IgnorePublicAcls: on('IgnorePublicAcls'),
    BlockPublicPolicy: on('BlockPublicPolicy'),
    RestrictPublicBuckets: on('RestrictPublicBuckets'),
  };
}

function blockFrom(input: PublicAccessBlock | undefined): PublicAccessBlock | null {
  if (input === undefined) return null;
  const block: PublicAccessBlock = {};
  for (const key of ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const) {
    if (typeof input[key] === 'boolean') (block as Record<string, boolean>)[key] = input[key] as boolean;
  }
  return block;
}

/** `caller`: the account whose credentials signed the call, when the fake checks callers (`accountOfAccessKey`). */
type Handler = (input: Record<string, unknown>, region: string | undefined, caller: string | undefined) => unknown;

/** The parts of an SDK client the fake reads: its region and, when callers are checked, its credentials. */
export interface FakeCaller {
  readonly config: { readonly region?: unknown; readonly credentials?: unknown };
}

export class S3Fake {
  readonly buckets = new Map<string, FakeBucket>();
  readonly accountBlocks = new Map<string, PublicAccessBlock | null>();
  /** Access points by `account/region/name`. */
  readonly accessPoints = new Map<string, FakeAccessPoint>();
  /** Multi-Region Access Points by `account/name`. */
  readonly multiRegionAccessPoints = new Map<string, FakeMultiRegionAccessPoint>();
  /** Object Lambda access points by `account/region/name`: the supporting access point's ARN. */
  readonly objectLambdaAccessPoints = new Map<string, string>();
  /** Object ACLs by `bucket/key`. */
  readonly objectAcls = new Map<string, { Owner: NonNullable<BucketAcl['Owner']>; Grants: AclGrant[] }>();
  readonly log: CallLog;
  private readonly injections: Injection[] = [];
  private readonly afterHooks: { command: string; service?: FakeService; run: (input: Record<string, unknown>) => void }[] = [];
  private readonly delay: (service: FakeService, command: string) => number;
  private readonly strictRegions: boolean;
  private readonly accountOfAccessKey: ((accessKeyId: string) => string | undefined) | undefined;
  private readonly policyAnswers = new Map<string, boolean>();

  constructor(options: S3FakeOptions = {}) {
    this.log = options.log ?? new CallLog();
    const delay = options.delayMs ?? 0;
    this.delay = typeof delay === 'function' ? delay : () => delay;
    this.strictRegions = options.strictRegions ?? true;
    this.accountOfAccessKey = options.accountOfAccessKey;
  }

  addBucket(name: string, init: BucketInit = {}): FakeBucket {
    const bucket: FakeBucket = {
      name,
      account: init.account ?? '111122223333',
      region: init.region ?? 'us-east-1',
      acl: init.acl ?? privateAcl(),
      policy: init.policy ?? null,
      // New buckets have Block Public Access on and ACLs disabled unless the test says otherwise.
      publicAccessBlock: init.publicAccessBlock === undefined ? { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } : init.publicAccessBlock,
      ownership: init.ownership === undefined ? 'BucketOwnerEnforced' : init.ownership,
      tags: init.tags === undefined ? null : init.tags,
      ...(init.policyStatusOverride !== undefined ? { policyStatusOverride: init.policyStatusOverride } : {}),
      ...(init.putDenyRules !== undefined ? { putDenyRules: init.putDenyRules } : {}),
      ...(init.clock !== undefined ? { clock: init.clock } : {}),
      objects: new Map(),
      createdAt: new Date(Date.UTC(2024, 0, 1) + this.buckets.size * 1000),
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): FakeBucket {
    const bucket = this.buckets.get(name);
    if (bucket === undefined) throw new Error(`test setup: no fake bucket ${name}`);
    return bucket;
  }

  /** An access point with its own Block Public Access off by default (the fake's: S3 turns it on by default). */
  addAccessPoint(init: { name: string; bucket: string; region?: string; account?: string; policy?: string | null; networkOrigin?: 'Internet' | 'VPC'; publicAccessBlock?: PublicAccessBlock }): FakeAccessPoint {
    const bucket = this.bucket(init.bucket);
    const point: FakeAccessPoint = {
      name: init.name,
      bucket: init.bucket,
      account: init.account ?? bucket.account,
      region: init.region ?? bucket.region,
      networkOrigin: init.networkOrigin ?? 'Internet',
      publicAccessBlock: init.publicAccessBlock ?? { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      policy: init.policy ?? null,
    };
    this.accessPoints.set(`${point.account}/${point.region}/${point.name}`, point);
    return point;
  }

  addMultiRegionAccessPoint(init: { name: string; alias: string; account: string; buckets: string[]; policy?: string | null; publicAccessBlock?: PublicAccessBlock }): FakeMultiRegionAccessPoint {
    const point: FakeMultiRegionAccessPoint = {
      name: init.name,
      alias: init.alias,
      account: init.account,
      regions: init.buckets.map((name) => ({ bucket: name, region: this.bucket(name).region })),
      publicAccessBlock: init.publicAccessBlock ?? { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      policy: init.policy ?? null,
    };
    this.multiRegionAccessPoints.set(`${point.account}/${point.name}`, point);
    return point;
  }

  setAccountPublicAccessBlock(account: string, block: PublicAccessBlock | null): void {
    this.accountBlocks.set(account, block);
  }

  /** Makes the next `times` matching calls fail with `error` (after their delay). */
  injectError(match: { command: string; service?: FakeService; bucket?: string; times?: number }, error: InjectableError): void {
    this.injections.push({ command: match.command, remaining: match.times ?? 1, error, ...(match.service ? { service: match.service } : {}), ...(match.bucket ? { bucket: match.bucket } : {}) });
  }

  /**
   * Runs `run` after every successful matching call, before it returns: models another actor (or S3's
   * eventual consistency) changing state right behind a write.
   */
  afterCall(command: string, run: (input: Record<string, unknown>) => void, service?: FakeService): void {
    this.afterHooks.push({ command, run, ...(service ? { service } : {}) });
  }

  /** Is the bucket public right now, per the engine, with the account's setting? */
  isPublic(name: string): boolean {
    const bucket = this.bucket(name);
    return evaluateExposure({
      bucket: name,
      acl: bucket.acl,
      policy: bucket.policy,
      bucketPublicAccessBlock: bucket.publicAccessBlock,
      accountPublicAccessBlock: this.accountBlocks.get(bucket.account) ?? null,
      ownership: bucket.ownership,
    }).public;
  }

  install(s3: FakeStub, control: FakeStub): void {
    const on = (stub: FakeStub, service: FakeService, command: { name: string } & (new (input: never) => object), handler: Handler) => {
      const name = command.name.replace(/Command$/, '');
      (stub.on.bind(stub) as (command: unknown) => { callsFake(fn: (input: Record<string, unknown>, getClient: () => FakeCaller) => unknown): unknown })(command).callsFake(
        async (input, getClient) => {
          // The calling client, read before any await: aws-sdk-client-mock's getClient() answers with the most
          // recent caller, which under concurrency is soon another call's client (another region, another account).
          const client = getClient();
          const entry = this.log.start(service, name, input);
          try {
            await sleep(this.delay(service, name));
            const region = await this.regionOf(client);
            const caller = this.accountOfAccessKey !== undefined ? await this.callerAccountOf(client, this.accountOfAccessKey) : undefined;
            if (caller !== undefined) entry.callerAccount = caller;
            this.throwInjected(service, name, input);
            const output = handler(input, region, caller);
            for (const hook of this.afterHooks) {
              if (hook.command === name && (hook.service === undefined || hook.service === service)) hook.run(input);
            }
            this.log.end(entry);
            return { $metadata: { httpStatusCode: 200 }, ...(output as object) };
          } catch (error) {
            this.log.end(entry, error);
            throw error;
          }
        },
      );
    };

    on(s3, 's3', GetBucketAclCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      return { Owner: { ...bucket.acl.Owner }, Grants: bucket.acl.Grants.map((grant) => structuredClone(grant)) };
    });
    on(s3, 's3', GetBucketPolicyCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.policy === null) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
      return { Policy: bucket.policy };
    });
    on(s3, 's3', GetPublicAccessBlockCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.publicAccessBlock === null) throw s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
      return { PublicAccessBlockConfiguration: { ...bucket.publicAccessBlock } };
    });
    on(s3, 's3', GetBucketOwnershipControlsCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.ownership === null) throw s3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found');
      return { OwnershipControls: { Rules: [{ ObjectOwnership: bucket.ownership }] } };
    });
    on(s3, 's3', GetBucketPolicyStatusCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.policy === null) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
      const isPublic = bucket.policyStatusOverride ?? this.policyIsPublic(bucket.name, bucket.policy);
      return { PolicyStatus: { IsPublic: isPublic } };
    });
    on(s3, 's3', GetBucketTaggingCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.tags === null) throw s3Error('NoSuchTagSet', 404, 'The TagSet does not exist');
      return { TagSet: Object.entries(bucket.tags).map(([Key, Value]) => ({ Key, Value })) };
    });
    on(s3, 's3', GetBucketLocationCommand, (input, _region, caller) => {
      const bucket = this.target(input, undefined, caller);
      return bucket.region === 'us-east-1' ? {} : { LocationConstraint: bucket.region };
    });
    on(s3, 's3', PutPublicAccessBlockCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      bucket.publicAccessBlock = blockFrom(input.PublicAccessBlockConfiguration as PublicAccessBlock | undefined);
      return {};
    });
    on(s3, 's3', DeletePublicAccessBlockCommand, (input, region, caller) => {
      this.target(input, region, caller).publicAccessBlock = null;
      return {};
    });
    on(s3, 's3', PutBucketAclCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      if (bucket.ownership === 'BucketOwnerEnforced') {
        throw s3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
      }
      const policy = input.AccessControlPolicy as { Owner?: FakeBucket['acl']['Owner']; Grants?: AclGrant[] } | undefined;
      const acl = { Owner: policy?.Owner ?? bucket.acl.Owner, Grants: policy?.Grants ?? [] };
      const block = effectiveBlock(bucket.publicAccessBlock, this.accountBlocks.get(bucket.account) ?? null);
      if (block.BlockPublicAcls && evaluateExposure({ bucket: bucket.name, acl }).aclIsPublic) {
        throw s3Error('AccessDenied', 403, 'Access Denied (BlockPublicAcls)');
      }
      bucket.acl = structuredClone(acl);
      return {};
    });
    on(s3, 's3', PutBucketPolicyCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      const policy = String(input.Policy);
      try {
        JSON.parse(policy);
      } catch {
        throw s3Error('MalformedPolicy', 400, 'Policies must be valid JSON');
      }
      const block = effectiveBlock(bucket.publicAccessBlock, this.accountBlocks.get(bucket.account) ?? null);
      if (block.BlockPublicPolicy && evaluateExposure({ bucket: bucket.name, policy }).policyIsPublic) {
        throw s3Error('AccessDenied', 403, 'Access Denied (BlockPublicPolicy)');
      }
      bucket.policy = policy;
      return {};
    });
    on(s3, 's3', DeleteBucketPolicyCommand, (input, region, caller) => {
      this.target(input, region, caller).policy = null;
      return {};
    });
    on(s3, 's3', PutBucketOwnershipControlsCommand, (input, region, caller) => {
      const controls = input.OwnershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined;
      this.target(input, region, caller).ownership = controls?.Rules?.[0]?.ObjectOwnership ?? null;
      return {};
    });
    on(s3, 's3', DeleteBucketOwnershipControlsCommand, (input, region, caller) => {
      this.target(input, region, caller).ownership = null;
      return {};
    });
    on(s3, 's3', PutObjectCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      // S3 takes the mode and the retain-until date together or not at all.
      if ((input.ObjectLockMode === undefined) !== (input.ObjectLockRetainUntilDate === undefined)) {
        throw s3Error('InvalidArgument', 400, 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
      }
      const keys = putObjectConditionKeys(input, (bucket.clock ?? Date.now)());
      const denied = (bucket.putDenyRules ?? []).find((rule) => denyRuleMatches(rule, keys));
      if (denied !== undefined) {
        throw s3Error('AccessDenied', 403, `Access Denied (explicit deny in the bucket policy, statement ${denied.sid})`);
      }
      if (input.IfNoneMatch === '*' && bucket.objects.has(String(input.Key))) {
        throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
      }
      bucket.objects.set(String(input.Key), {
        body: String(input.Body),
        ...(typeof input.ContentType === 'string' ? { contentType: input.ContentType } : {}),
        ...(typeof input.ChecksumAlgorithm === 'string' ? { checksumAlgorithm: input.ChecksumAlgorithm } : {}),
        ...(typeof input.ObjectLockMode === 'string' && input.ObjectLockRetainUntilDate instanceof Date
          ? { lock: { mode: input.ObjectLockMode, retainUntil: input.ObjectLockRetainUntilDate } }
          : {}),
      });
      return { ETag: `"${bucket.objects.size}"` };
    });
    on(s3, 's3', ListBucketsCommand, (input, _region, caller) => {
      const max = typeof input.MaxBuckets === 'number' ? input.MaxBuckets : 10_000;
      const prefix = typeof input.Prefix === 'string' ? input.Prefix : '';
      const after = typeof input.ContinuationToken === 'string' ? input.ContinuationToken : '';
      const names = [...this.buckets.values()]
        .filter((bucket) => caller === undefined || bucket.account === caller)
        .filter((bucket) => (typeof input.BucketRegion !== 'string' || bucket.region === input.BucketRegion) && bucket.name.startsWith(prefix) && bucket.name > after)
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = names.slice(0, max);
      const last = page[page.length - 1];
      return {
        Buckets: page.map((bucket) => ({ Name: bucket.name, CreationDate: bucket.createdAt, BucketRegion: bucket.region })),
        Owner: { ID: OWNER_ID },
        ...(names.length > max && last !== undefined ? { ContinuationToken: last.name } : {}),
        ...(prefix ? { Prefix: prefix } : {}),
      };
    });

    on(s3, 's3', GetObjectAclCommand, (input, region, caller) => {
      const bucket = this.target(input, region, caller);
      const acl = this.objectAcls.get(`${bucket.name}/${String(input.Key)}`);
      if (acl === undefined) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
      return { Owner: { ...acl.Owner }, Grants: acl.Grants.map((grant) => structuredClone(grant)) };
    });
    const accessPoint = (input: Record<string, unknown>, region: string | undefined): FakeAccessPoint => {
      const point = this.accessPoints.get(`${String(input.AccountId)}/${region ?? ''}/${String(input.Name)}`);
      if (point === undefined) throw controlError('NoSuchAccessPoint', 404, 'The specified accesspoint does not exist');
      return point;
    };
    on(control, 's3control', GetAccessPointCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = accessPoint(input, region);
      return {
        Name: point.name,
        Bucket: point.bucket,
        NetworkOrigin: point.networkOrigin,
        ...(point.networkOrigin === 'VPC' ? { VpcConfiguration: { VpcId: 'vpc-1a2b3c4d' } } : {}),
        PublicAccessBlockConfiguration: { ...point.publicAccessBlock },
        AccessPointArn: `arn:aws:s3:${point.region}:${point.account}:accesspoint/${point.name}`,
        BucketAccountId: this.bucket(point.bucket).account,
      };
    });
    on(control, 's3control', GetAccessPointPolicyCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = accessPoint(input, region);
      if (point.policy === null) throw controlError('NoSuchAccessPointPolicy', 404, 'The specified accesspoint policy does not exist');
      return { Policy: point.policy };
    });
    on(control, 's3control', GetAccessPointPolicyStatusCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = accessPoint(input, region);
      if (point.policy === null) throw controlError('NoSuchAccessPointPolicy', 404, 'The specified accesspoint policy does not exist');
      return { PolicyStatus: { IsPublic: this.accessPointPolicyIsPublic(point, point.policy) } };
    });
    on(control, 's3control', PutAccessPointPolicyCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = accessPoint(input, region);
      const policy = String(input.Policy);
      try {
        JSON.parse(policy);
      } catch {
        throw controlError('MalformedPolicy', 400, 'Policies must be valid JSON');
      }
      // BlockPublicPolicy on the access point, its bucket (same account) or the account rejects a public policy.
      const bucket = this.bucket(point.bucket);
      const blocked = point.publicAccessBlock.BlockPublicPolicy === true || effectiveBlock(bucket.publicAccessBlock, this.accountBlocks.get(point.account) ?? null).BlockPublicPolicy;
      if (blocked && this.accessPointPolicyIsPublic(point, policy)) throw controlError('AccessDenied', 403, 'Access Denied (BlockPublicPolicy)');
      point.policy = policy;
      return {};
    });
    on(control, 's3control', DeleteAccessPointPolicyCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      accessPoint(input, region).policy = null;
      return {};
    });
    on(control, 's3control', ListAccessPointsCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      // Pages of one, so pagination is exercised.
      const all = [...this.accessPoints.values()].filter(
        (point) => point.account === String(input.AccountId) && point.region === region && (input.Bucket === undefined || point.bucket === input.Bucket),
      );
      const start = input.NextToken !== undefined ? Number(input.NextToken) : 0;
      const page = all.slice(start, start + 1);
      return {
        AccessPointList: page.map((point) => ({
          Name: point.name,
          Bucket: point.bucket,
          NetworkOrigin: point.networkOrigin,
          AccessPointArn: `arn:aws:s3:${point.region}:${point.account}:accesspoint/${point.name}`,
          BucketAccountId: this.bucket(point.bucket).account,
        })),
        ...(start + 1 < all.length ? { NextToken: String(start + 1) } : {}),
      };
    });
    on(control, 's3control', GetAccessPointConfigurationForObjectLambdaCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const supporting = this.objectLambdaAccessPoints.get(`${String(input.AccountId)}/${region ?? ''}/${String(input.Name)}`);
      if (supporting === undefined) throw controlError('NoSuchAccessPoint', 404, 'The specified accesspoint does not exist');
      return { Configuration: { SupportingAccessPoint: supporting, TransformationConfigurations: [] } };
    });
    const multiRegion = (input: Record<string, unknown>, region: string | undefined): FakeMultiRegionAccessPoint => {
      if (region !== undefined && region !== 'us-west-2') throw controlError('PermanentRedirect', 301, 'Multi-Region Access Point requests are served in us-west-2');
      const point = this.multiRegionAccessPoints.get(`${String(input.AccountId)}/${String(input.Name)}`);
      if (point === undefined) throw controlError('NoSuchMultiRegionAccessPoint', 404, 'The specified Multi-Region Access Point does not exist');
      return point;
    };
    on(control, 's3control', GetMultiRegionAccessPointCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = multiRegion(input, region);
      return {
        AccessPoint: {
          Name: point.name,
          Alias: point.alias,
          Status: 'READY',
          PublicAccessBlock: { ...point.publicAccessBlock },
          Regions: point.regions.map((entry) => ({ Bucket: entry.bucket, Region: entry.region, BucketAccountId: this.bucket(entry.bucket).account })),
        },
      };
    });
    on(control, 's3control', ListMultiRegionAccessPointsCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      if (region !== undefined && region !== 'us-west-2') throw controlError('PermanentRedirect', 301, 'Multi-Region Access Point requests are served in us-west-2');
      // Pages of one, so pagination is exercised (S3 itself answers all of an account's, at most 100, at once).
      const all = [...this.multiRegionAccessPoints.values()].filter((point) => point.account === String(input.AccountId));
      const start = input.NextToken !== undefined ? Number(input.NextToken) : 0;
      return {
        AccessPoints: all.slice(start, start + 1).map((point) => ({
          Name: point.name,
          Alias: point.alias,
          Status: 'READY',
          PublicAccessBlock: { ...point.publicAccessBlock },
          Regions: point.regions.map((entry) => ({ Bucket: entry.bucket, Region: entry.region, BucketAccountId: this.bucket(entry.bucket).account })),
        })),
        ...(start + 1 < all.length ? { NextToken: String(start + 1) } : {}),
      };
    });
    on(control, 's3control', GetMultiRegionAccessPointPolicyCommand, (input, region, caller) => {
      this.checkAccountCaller(input, caller);
      const point = multiRegion(input, region);
      if (point.policy === null) throw controlError('NoSuchMultiRegionAccessPointPolicy', 404, 'The specified Multi-Region Access Point policy does not exist');
      return { Policy: { Established: { Policy: point.policy } } };
    });
    on(control, 's3control', GetAccountPublicAccessBlockCommand, (input, _region, caller) => {
      this.checkAccountCaller(input, caller);
      const block = this.accountBlocks.get(String(input.AccountId)) ?? null;
      if (block === null) throw controlError('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
      return { PublicAccessBlockConfiguration: { ...block } };
    });
    on(control, 's3control', PutAccountPublicAccessBlockCommand, (input, _region, caller) => {
      this.checkAccountCaller(input, caller);
      this.accountBlocks.set(String(input.AccountId), blockFrom(input.PublicAccessBlockConfiguration as PublicAccessBlock | undefined));
      return {};
    });
    on(control, 's3control', DeleteAccountPublicAccessBlockCommand, (input, _region, caller) => {
      this.checkAccountCaller(input, caller);
      this.accountBlocks.set(String(input.AccountId), null);
      return {};
    });
  }

  private async regionOf(client: FakeCaller): Promise<string | undefined> {
    const region = client.config.region;
    if (typeof region === 'function') return (await (region as () => Promise<string>)()) ?? undefined;
    return typeof region === 'string' ? region : undefined;
  }

  /** The account whose credentials signed the call, when callers are checked. */
  private async callerAccountOf(client: FakeCaller, accountOfAccessKey: (accessKeyId: string) => string | undefined): Promise<string> {
    const provider = client.config.credentials;
    const credentials = (typeof provider === 'function' ? await (provider as () => Promise<unknown>)() : provider) as { accessKeyId?: unknown } | undefined;
    const accessKeyId = typeof credentials?.accessKeyId === 'string' ? credentials.accessKeyId : '';
    const account = accountOfAccessKey(accessKeyId);
    if (account === undefined) throw s3Error('InvalidAccessKeyId', 403, `The AWS access key ID "${accessKeyId}" does not exist in our records`);
    return account;
  }

  private throwInjected(service: FakeService, command: string, input: Record<string, unknown>): void {
    const index = this.injections.findIndex(
      (injection) =>
        injection.remaining > 0 &&
        injection.command === command &&
        (injection.service === undefined || injection.service === service) &&
        (injection.bucket === undefined || injection.bucket === input.Bucket),
    );
    const injection = this.injections[index];
    if (injection === undefined) return;
    injection.remaining -= 1;
    throw injected(service, injection.error);
  }

  /** S3's own reading of a policy, remembered per (bucket, policy text): the engine is pure, the answer fixed. */
  private policyIsPublic(bucket: string, policy: string): boolean {
    const key = `${bucket}\n${policy}`;
    let answer = this.policyAnswers.get(key);
    if (answer === undefined) {
      if (this.policyAnswers.size >= 1_000) this.policyAnswers.clear();
      answer = evaluateExposure({ bucket, policy }).policyIsPublic;
      this.policyAnswers.set(key, answer);
    }
    return answer;
  }

  /** GetAccessPointPolicyStatus' meaning: the access point policy alone, judged with its ARN. */
  private accessPointPolicyIsPublic(point: FakeAccessPoint, policy: string): boolean {
    const report = evaluateExposure({
      bucket: point.bucket,
      accountId: point.account,
      accessPoints: [{ Name: point.name, AccessPointArn: `arn:aws:s3:${point.region}:${point.account}:accesspoint/${point.name}`, Policy: policy }],
    });
    return report.accessPoints?.[0]?.policyIsPublic === true;
  }

  /** S3 Control acts on the caller's own account only (without a cross-account grant). */
  private checkAccountCaller(input: Record<string, unknown>, caller: string | undefined): void {
    if (caller !== undefined && caller !== String(input.AccountId)) {
      throw controlError('AccessDenied', 403, `Access Denied (account ${caller} cannot act on account ${String(input.AccountId)})`);
    }
  }

  private target(input: Record<string, unknown>, region: string | undefined, caller: string | undefined): FakeBucket {
    const bucket = this.buckets.get(String(input.Bucket));
    if (bucket === undefined) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
    if (caller !== undefined && caller !== bucket.account) {
      throw s3Error('AccessDenied', 403, `Access Denied (account ${caller} has no grant on a bucket of account ${bucket.account})`);
    }
    if (typeof input.ExpectedBucketOwner === 'string' && input.ExpectedBucketOwner !== bucket.account) {
      throw s3Error('AccessDenied', 403, 'Access Denied (ExpectedBucketOwner)');
    }
    if (this.strictRegions && region !== undefined && region !== bucket.region) {
      throw s3Error('PermanentRedirect', 301, `The bucket is in ${bucket.region}; send requests there`);
    }
    return bucket;
  }
}

export { S3Client, S3ControlClient };
