/**
 * The remediation pipeline: one implementation, two entry points (a CloudTrail event through `processEvent`, or
 * one bucket from a sweep through `remediateBucket`). It talks to the world only through the ports in ports.ts.
 * Each stage is a module in ./stages, in the order of the bucket's walk:
 *
 *   1. read-state      claim the audit record ∥ read the bucket's live state ∥ read the exemptions table
 *      (unreadable     a bucket that could not be read: recorded, or contained anyway when an event changed it)
 *   2. plan            verdict; exempt, private or report-only end here; otherwise the writes to send
 *   3. contain         PutBucketPublicAccessBlock with all four settings on (∥ save the exact removal, strip only)
 *                      (∥ for a sweep: look up in CloudTrail who exposed the bucket)
 *   4. recheck         strip only: read the documents again; planned once more if the owner changed one meanwhile
 *      remove-grants   strip only: remove the public ACL grants and policy statements (bucket and access points)
 *   5. verify          read and evaluate again (re-read a little later while S3 catches up, if still public)
 *   6. conclude        complete the audit record ∥ archive copy ∥ SNS alert
 *
 * The account path (account-change) claims, reads the account's Block Public Access, restores and verifies it.
 * claim.ts holds duplicates and retries of a run whose record could not be written; errors.ts what is terminal,
 * what is rethrown, and the alert on an unexpected error; run.ts the state of one run.
 *
 * In an organization, every S3 call on a bucket in another account goes through that account's member role
 * (the S3StatePort resolves the credentials; the first call for an account adds one AssumeRole). The audit
 * record, the archive copy and the alert stay in the guardrail's own account.
 *
 * Expected, terminal conditions are outcomes. Anything unknown before containment is alerted, the claim
 * released, and the error rethrown (as RemediationError with the cause) so Lambda's retry and failure destination
 * keep it. Once the bucket is contained, an unknown error is an outcome too (`failed`, critical, with what was
 * saved and done): a retry would find the bucket private and could only record less than this run knows.
 */
import { auditIdForCloudTrailEvent } from '../shared/audit/record';
import { admitEvent, type ChangeEvent } from './event';
import { configuredGuardedAccounts } from './guarded-accounts';
import { METRICS } from './ports';
import { handleAccountLevelChange } from './stages/account-change';
import { conclude } from './stages/conclude';
import { contain } from './stages/contain';
import { remediateThroughAccessPoint, remediateThroughMultiRegionAccessPoint } from './stages/doors';
import { plan } from './stages/plan';
import { readState } from './stages/read-state';
import { recheck } from './stages/recheck';
import { removeGrants } from './stages/remove-grants';
import { Run } from './stages/run';
import { DEFAULT_LEASE_MS, type BucketRemediationRequest, type PipelineDeps, type RemediationResult, type TriggerFields } from './stages/types';
import { concludeUnreadable } from './stages/unreadable';
import { outcomeAfterVerify, verify } from './stages/verify';

export { handleAccountLevelChange } from './stages/account-change';
export { classifyError, refusalReason, RemediationError } from './stages/errors';
export {
  DEFAULT_COMPLETE_RETRY_DELAYS_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_VERIFY_RETRY_DELAYS_MS,
  type AccountChangeRequest,
  type BucketRemediationRequest,
  type PipelineDeps,
  type RemediationResult,
} from './stages/types';

/** Checks one bucket and remediates it per the configuration. Usable without an event (the sweep). */
export async function remediateBucket(request: BucketRemediationRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { target } = request;
  const run = new Run(deps, request, 'bucket', target.account, target.region, target.bucket);

  const reading = await readState(run, request);
  if (reading.finished) return reading.finished;
  if (reading.read.status === 'rejected') return concludeUnreadable(run, request, reading, reading.read.reason);

  const planned = await plan(run, request, reading, reading.read.value);
  if (planned.finished) return planned.finished;

  const contained = await contain(run, planned);
  if (contained.finished) return contained.finished;

  const checked = await recheck(run, planned, contained.stripFailure);
  const stripFailure = await removeGrants(run, checked.plan, checked.stripFailure);

  const verified = await verify(run, checked.plan, stripFailure);
  if (verified.finished) return verified.finished;

  return conclude(run, outcomeAfterVerify(checked.plan, verified, stripFailure));
}

/**
 * The event entry point: validate, skip what must be skipped, and run the bucket or account path.
 * `leaseUntil` is the invocation's deadline (epoch ms).
 */
export async function processEvent(raw: unknown, deps: PipelineDeps, invocation: { readonly leaseUntil?: number } = {}): Promise<RemediationResult> {
  const receivedAt = deps.clock.now();
  const guardedAccounts = deps.guardedAccounts ?? configuredGuardedAccounts(deps.config);
  const interpreted = await admitEvent(raw, {
    selfRoleArn: deps.config.selfRoleArn,
    guardedAccounts,
    objectAclEvents: deps.config.objectAclEvents === true,
  });
  if (interpreted.kind === 'ignored') {
    const fields = { reason: interpreted.reason, eventId: interpreted.eventId, eventName: interpreted.eventName };
    if (interpreted.warning !== undefined) {
      deps.logger.warn('event ignored: it names no bucket to check', { ...fields, warning: interpreted.warning });
      deps.metrics.addMetric(METRICS.routedCallWithoutBucket, 'Count', 1);
    } else {
      deps.logger.info('event ignored', fields);
    }
    deps.metrics.addMetric(METRICS.ignored, 'Count', 1);
    return { outcome: 'ignored', reason: interpreted.reason };
  }
  const event = interpreted.event;
  const fields = triggerFromEvent(event, receivedAt, invocation.leaseUntil ?? receivedAt + DEFAULT_LEASE_MS);
  switch (event.kind) {
    case 'bucket':
      return remediateBucket({ ...fields, target: { bucket: event.bucket, account: event.account, region: event.region } }, deps);
    case 'accessPoint':
      return remediateThroughAccessPoint(event, fields, deps, remediateBucket);
    case 'multiRegionAccessPoint':
      return remediateThroughMultiRegionAccessPoint(event, fields, deps, remediateBucket);
    case 'objectAcl':
      return remediateBucket(
        {
          ...fields,
          through: { kind: 'objectAcl', key: event.key, account: event.account, region: event.region },
          target: { bucket: event.bucket, account: event.account, region: event.region, doors: { objectKey: event.key } },
        },
        deps,
      );
    case 'account':
      return handleAccountLevelChange({ ...fields, account: event.account, region: event.region }, deps);
  }
}

function triggerFromEvent(event: ChangeEvent, receivedAt: number, leaseUntil: number): TriggerFields {
  return {
    auditId: auditIdForCloudTrailEvent(event.eventId),
    trigger: 'event',
    eventTime: event.eventTime,
    receivedAt,
    leaseUntil,
    eventId: event.eventId,
    eventName: event.eventName,
    actor: event.actor,
    ...(event.requestedPublicAccessBlock !== undefined ? { requestedPublicAccessBlock: event.requestedPublicAccessBlock } : {}),
  };
}
