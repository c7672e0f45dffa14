/**
 * The seam between the sweep and the remediation pipeline: one bucket of one sweep goes through
 * `remediateBucket`, the same code as the CloudTrail event path, with a record id derived from (sweep id,
 * bucket) so a repeated check of the same bucket in the same sweep is a no-op that sends no second alert.
 */
import { remediateBucket, type PipelineDeps, type RemediationResult } from '../../remediate/pipeline';
import type { DoorScope } from '../../remediate/ports';
import { auditIdForSweep, type AuditActor, type AuditExposedBy } from '../../shared/audit/record';
import type { BucketTally } from '../progress';
import type { CheckBucket } from '../worker';
import { lookupExposingCall, type ExposingCallLookup } from './cloudtrail';

/** Another invocation is checking the same bucket of the same sweep right now: retry the message later. */
export class BucketBusyError extends Error {
  constructor(
    readonly bucket: string,
    readonly sweepId: string,
  ) {
    super(`bucket ${bucket} is being checked by another invocation of sweep ${sweepId}; retrying later`);
    this.name = 'BucketBusyError';
  }
}

/** What the sweep found in CloudTrail about who exposed a bucket, as the audit record's `exposedBy`. */
export function toExposedBy(lookup: ExposingCallLookup): AuditExposedBy {
  if (lookup.status === 'unavailable') {
    return { status: 'unavailable', detail: lookup.reason };
  }
  if (lookup.status === 'not-found') {
    return { status: 'not-found' };
  }
  const { call } = lookup;
  const actor: AuditActor = {
    ...(call.principalArn !== undefined ? { arn: call.principalArn } : {}),
    ...(call.sourceIpAddress !== undefined ? { sourceIp: call.sourceIpAddress } : {}),
    ...(call.userAgent !== undefined ? { userAgent: call.userAgent } : {}),
  };
  return { status: 'found', eventId: call.eventId, eventName: call.eventName, eventTime: call.eventTime, actor };
}

/** The counting view of a pipeline result. Throws BucketBusyError when another invocation holds the bucket. */
export function tallyOf(bucket: string, sweepId: string, result: RemediationResult): BucketTally {
  if (result.duplicate === true && result.record === undefined) {
    throw new BucketBusyError(bucket, sweepId);
  }
  const isPublic = (result.verdict ?? result.record?.verdict)?.public;
  return { bucket, outcome: result.outcome, ...(isPublic !== undefined ? { public: isPublic } : {}) };
}

/** Finds who exposed a public bucket (in the bucket's account's event history); never rejects (errors become `unavailable`). */
export type LookupExposedBy = (bucket: string, region: string, account: string) => Promise<AuditExposedBy>;

export interface RemediationCheckerOptions {
  /**
   * The account that must own a bucket (ExpectedBucketOwner) when its work message names none: the account the
   * sweep runs in. Organization-wide, each message names its member account, which the pipeline acts in
   * through the member role.
   */
  readonly account: string;
  /** Where to act when the listing gave no region (some emulators); S3 redirects a wrong guess once. */
  readonly fallbackRegion: string;
  /** Epoch ms: the invocation's deadline, used as the audit claim's lease. */
  readonly leaseUntil: () => number;
  readonly now: () => number;
  /**
   * CloudTrail LookupEvents for the call that exposed a bucket found public. Handed to the pipeline as
   * `lookupExposedBy` on the request, to run only once the verdict is public (see /tmp/issues/sweep-needs.md §1).
   */
  readonly lookupExposedBy?: LookupExposedBy;
  /**
   * The bucket's access points and Multi-Region Access Points to read and judge with it (from the account's listings,
   * see sweep-doors.ts); must never reject. A public door makes the bucket public, and the pipeline contains it the
   * same way: the bucket's Block Public Access. @default - the bucket alone
   */
  readonly doorsFor?: (bucket: { readonly name: string; readonly region: string }, account: string, sweepId: string) => Promise<DoorScope | undefined>;
}

type RemediateBucket = typeof remediateBucket;

export function remediationChecker(deps: PipelineDeps, options: RemediationCheckerOptions, run: RemediateBucket = remediateBucket): CheckBucket {
  return async (bucket, sweep) => {
    const region = bucket.region ?? options.fallbackRegion;
    const account = sweep.account ?? options.account;
    const lookup = options.lookupExposedBy;
    const doors = options.doorsFor !== undefined ? await options.doorsFor({ name: bucket.name, region }, account, sweep.sweepId) : undefined;
    const request = {
      auditId: auditIdForSweep(sweep.sweepId, bucket.name),
      trigger: 'sweep' as const,
      eventTime: sweep.startedAt,
      receivedAt: options.now(),
      leaseUntil: options.leaseUntil(),
      sweepId: sweep.sweepId,
      target: { bucket: bucket.name, account, region, ...(doors !== undefined ? { doors } : {}) },
      ...(lookup !== undefined ? { lookupExposedBy: () => lookup(bucket.name, region, account) } : {}),
    };
    return tallyOf(bucket.name, sweep.sweepId, await run(request, deps));
  };
}

/**
 * LookupEvents in the bucket's region and account (CloudTrail event history is per account), through one
 * CloudTrail client per (account, region).
 */
export function cloudTrailExposedBy(cloudTrailIn: (region: string, account: string) => Parameters<typeof lookupExposingCall>[0]): LookupExposedBy {
  return async (bucket, region, account) => toExposedBy(await lookupExposingCall(cloudTrailIn(region, account), bucket));
}
