/**
 * Recheck (strip strategy only, right before the strip writes). The strips were computed from the state read at the
 * start; an owner who changed a bucket policy, ACL or access point policy since then would see that change undone
 * by a write computed from the older document. S3 has no conditional PutBucketPolicy, PutBucketAcl or
 * PutAccessPointPolicy, so the documents the strips rewrite are read again and compared first:
 *
 *   - unchanged: the planned strips go out (remove-grants);
 *   - changed: planned once more from the state just read, saved before anything is sent (as the first plan was),
 *     read again, and sent only when nothing changed in between;
 *   - changed again: nothing is stripped, and the record says why. Block Public Access still contains the bucket
 *     and its access points; the owner is evidently working on these documents.
 *
 * What is left is the time between the last read and the write: one round trip, instead of the whole run.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AuditRemoval } from '../../shared/audit/record';
import type { BucketState, WriteAction } from '../ports';
import { classifyError, unexpectedAfterContainment, unexpectedReason } from './errors';
import { containmentPlan, doorsOf, type Plan } from './plan';
import { verdictOf } from './read-state';
import type { Run } from './run';
import type { StripFailure } from './types';

/** What the strips may send now: the plan (the first one, or the one made again), or why nothing is sent. */
export interface Checked {
  readonly plan: Plan;
  readonly stripFailure?: StripFailure;
}

/** The documents a set of strips was computed from. */
interface Documents {
  readonly acl: BucketState['acl'];
  readonly policy: string | null;
  /** Access point name → its policy text (null: none). */
  readonly accessPointPolicies: ReadonlyMap<string, string | null>;
}

function documentsOfPlan(plan: Plan): Documents {
  const basis = plan.removed?.basis;
  return {
    acl: basis !== undefined ? basis.acl : (plan.before.acl ?? null),
    policy: basis !== undefined ? basis.policy : (plan.before.policy ?? null),
    accessPointPolicies: new Map((plan.removed?.accessPoints ?? []).filter((door) => door.kind === 'accessPoint').map((door): [string, string] => [door.name, door.policy])),
  };
}

function accessPointPolicyIn(state: BucketState, name: string): string | null {
  const point = state.accessPoints?.find((entry) => entry.Name === name);
  const policy = point?.Policy;
  if (policy === undefined || policy === null) return null;
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

/** The documents the strips rewrite that are not what they were computed from, in words (empty: none). */
export function changedDocuments(basis: Documents, now: BucketState, strips: readonly WriteAction[]): string[] {
  const changed = new Set<string>();
  for (const write of strips) {
    switch (write.api) {
      case 'PutBucketAcl':
        if (!isDeepStrictEqual(basis.acl, now.acl)) changed.add('the bucket ACL');
        break;
      case 'PutBucketPolicy':
      case 'DeleteBucketPolicy':
        if (basis.policy !== now.policy) changed.add('the bucket policy');
        break;
      case 'PutAccessPointPolicy':
      case 'DeleteAccessPointPolicy': {
        const name = write.request.Name;
        if ((basis.accessPointPolicies.get(name) ?? null) !== accessPointPolicyIn(now, name)) changed.add(`the policy of access point ${name}`);
        break;
      }
      default:
        break;
    }
  }
  return [...changed];
}

/** The removal when nothing is stripped after all: every planned change left alone, with the reason. */
function leftAlone(removed: AuditRemoval, why: string): AuditRemoval {
  return {
    aclGrants: [],
    policyStatements: [],
    policyDeleted: false,
    ...(removed.aclGrants.length > 0 ? { aclLeftAlone: why } : removed.aclLeftAlone !== undefined ? { aclLeftAlone: removed.aclLeftAlone } : {}),
    ...(removed.policyStatements.length > 0 ? { policyLeftAlone: why } : removed.policyLeftAlone !== undefined ? { policyLeftAlone: removed.policyLeftAlone } : {}),
    ...(removed.accessPoints !== undefined
      ? { accessPoints: removed.accessPoints.map((door) => (door.kind === 'accessPoint' && door.policyStatements.length > 0 ? { ...door, policyStatements: [], policyDeleted: false, policyLeftAlone: why } : door)) }
      : {}),
    ...(removed.basis !== undefined ? { basis: removed.basis } : {}),
  };
}

/** Reads the state again; a failure becomes the reason nothing is stripped (the bucket stays contained). */
async function readAgain(run: Run, plan: Plan): Promise<{ state: BucketState } | { failure: StripFailure }> {
  try {
    return { state: await run.deps.s3.readBucketState(plan.target) };
  } catch (error) {
    const kind = classifyError(error);
    if (kind === 'unknown') unexpectedAfterContainment(run, 'reading the bucket again before the strip', error);
    const why =
      kind === 'refused' ? run.refused('reading the bucket again before the strip', error) : kind === 'bucket-gone' ? 'the bucket was gone when read again before the strip' : unexpectedReason('reading the bucket again before the strip', error);
    return { failure: { reason: `contained with Block Public Access, but ${why}, so nothing was removed`, error } };
  }
}

/** Compares before the strips go out; plans once more when the owner changed a document in the meantime. */
export async function recheck(run: Run, plan: Plan, earlier: StripFailure | undefined): Promise<Checked> {
  if (plan.strips.length === 0 || earlier !== undefined) return { plan, ...(earlier !== undefined ? { stripFailure: earlier } : {}) };
  const { config, logger, audit } = run.deps;
  const auditId = run.fields.auditId;
  const first = await readAgain(run, plan);
  if ('failure' in first) {
    plan.strips.forEach((write) => run.notSent(write));
    return { plan, stripFailure: first.failure };
  }
  const changed = changedDocuments(documentsOfPlan(plan), first.state, plan.strips);
  if (changed.length === 0) return { plan };

  // Changed since the first read: plan again from what is there now, for the same doors.
  logger.warn('changed while being remediated; planning the strip again from the state read now', { auditId, bucket: plan.target.bucket, changed });
  plan.strips.forEach((write) => run.notSent(write));
  const fresh = first.state;
  const again = containmentPlan(plan.target, config.strategy, fresh, verdictOf(plan.target, fresh, config.sensitiveTagKeys), doorsOf(plan.removed));
  const basis = { acl: fresh.acl, policy: fresh.policy };
  const removed: AuditRemoval = { ...(again.removed ?? { aclGrants: [], policyStatements: [], policyDeleted: false }), basis };
  const replanned: Plan = { ...plan, strips: again.strips, removed };
  const what = changed.join(' and ');
  if (again.strips.length === 0) {
    run.notes.push(`${what} changed after it was read; planned again from the state read then, nothing public was left to remove`);
    return { plan: replanned };
  }
  try {
    const plannedStrips = again.strips.map((write) => ({ api: write.api, request: write.request as unknown as Record<string, unknown>, result: 'not-sent' as const }));
    await audit.saveRemovalProgress(auditId, run.claimToken, { removed, actions: plannedStrips });
  } catch (error) {
    unexpectedAfterContainment(run, 'saving what the strip strategy will remove', error);
    again.strips.forEach((write) => run.notSent(write));
    return { plan: replanned, stripFailure: { reason: `contained with Block Public Access, but ${unexpectedReason('saving what the strip strategy will remove', error)}, so nothing was removed`, error } };
  }
  const second = await readAgain(run, replanned);
  if ('failure' in second) {
    again.strips.forEach((write) => run.notSent(write));
    return { plan: replanned, stripFailure: second.failure };
  }
  const changedAgain = changedDocuments(documentsOfPlan(replanned), second.state, again.strips);
  if (changedAgain.length === 0) {
    run.notes.push(`${what} changed after it was read; the strip was planned again from the newer state, so the change was kept`);
    return { plan: replanned };
  }
  logger.warn('changed again while being remediated; nothing is stripped', { auditId, bucket: plan.target.bucket, changed: changedAgain });
  again.strips.forEach((write) => run.notSent(write));
  const why = `${changedAgain.join(' and ')} kept changing while the guardrail was removing public statements (read three times), so nothing was removed and the owner's version was left as it is; Block Public Access contains it`;
  run.notes.push(why);
  return { plan: { ...replanned, strips: [], removed: leftAlone(removed, why) } };
}
