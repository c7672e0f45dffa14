/**
 * Plan: decide what to do with a bucket whose state was read. Exempt, private, or report-only end here with
 * their record; a public bucket gets its plan — the containment write (all four Block Public Access settings)
 * and, with the strip strategy, the writes that remove exactly the public grants and statements.
 */
import type { AuditExemption, AuditRemoval, AuditVerdict, Severity, StateSnapshot } from '../../shared/audit/record';
import type { RemediationStrategy } from '../environment';
import { ALL_BLOCKED } from '../decide';
import { METRICS, type BucketState, type BucketTarget, type SavedContainment, type WriteAction } from '../ports';
import { bucketSeverity } from '../severity';
import { planStrip, type StripPlan } from '../strip';
import { doorKey, planAccessPointStrips, type AccessPointStrip, type DoorSelection } from '../strip-access-points';
import { claimNow, duplicate } from './claim';
import { conclude } from './conclude';
import { snapshotOf, verdictOf, type Reading } from './read-state';
import type { Run } from './run';
import type { BucketRemediationRequest, Stage } from './types';

/** A public bucket's plan: what every later record carries, and the writes to send. */
export interface Plan {
  readonly target: BucketTarget;
  readonly verdict: AuditVerdict;
  readonly before: StateSnapshot;
  /** The bucket carries a sensitive tag (raises the severity of a failure). */
  readonly sensitive: boolean;
  /** The fields every record of this run carries from here on. */
  readonly common: { readonly verdict: AuditVerdict; readonly before: StateSnapshot; readonly severity: Severity; readonly exemption?: AuditExemption };
  readonly contain: WriteAction;
  /** Strip strategy only: the ACL and policy writes. */
  readonly strips: readonly WriteAction[];
  /** Strip strategy only: exactly what the strips remove, saved before they are sent. */
  readonly removed?: AuditRemoval;
}

/** Decides on the bucket's state. Finished unless the bucket is public, not exempt, and the mode is enforce. */
export async function plan(run: Run, request: BucketRemediationRequest, reading: Reading, state: BucketState): Promise<Stage<Plan>> {
  const { config, logger, metrics } = run.deps;
  const { target } = request;
  const { exemptionMatch, exemption } = reading;
  const verdict = verdictOf(target, state, config.sensitiveTagKeys);
  if (verdict.disagreement !== undefined) {
    metrics.addMetric(METRICS.verdictDisagreement, 'Count', 1);
    logger.warn('S3 and the engine disagree about the bucket policy', { auditId: request.auditId, bucket: target.bucket, disagreement: verdict.disagreement });
  }
  if (verdict.public) run.lookUpExposure();
  const exempt = exemptionMatch?.status === 'applied';
  if (!reading.claimFirst) {
    if (!verdict.public && !exempt) {
      // Private now, but another delivery of the same check may just have contained it: its record says so.
      const { found } = reading;
      if (found?.status === 'fulfilled' && found.value !== undefined) {
        return { finished: await duplicate(run, { claimed: false, existing: found.value }) };
      }
      // A sweep's private bucket: counted by the sweep from this result, nothing written.
      return { finished: { outcome: 'already-private', reason: 'not public', auditId: request.auditId, account: target.account, verdict } };
    }
    const stop = await claimNow(run);
    if (stop !== undefined) return { finished: stop };
  }

  const before = snapshotOf(state);
  const sensitive = verdict.sensitiveTags.length > 0;
  const severity = bucketSeverity({ public: verdict.public, access: verdict.access, sensitive, failed: false });
  const common = { verdict, before, severity, ...(exemption ? { exemption } : {}) };

  if (exempt) {
    return { finished: await conclude(run, { ...common, outcome: 'exempt', reason: `exempt until ${exemptionMatch.exemption.expires}: ${exemptionMatch.exemption.reason}` }) };
  }
  if (!verdict.public) {
    if (run.earlierContainment !== undefined) {
      return { finished: await concludeEarlierContainment(run, run.earlierContainment, before) };
    }
    return { finished: await conclude(run, { ...common, outcome: 'already-private', reason: 'not public' }) };
  }

  const { contain, strips, removed } = containmentPlan(target, config.strategy, state, verdict);
  if (config.mode === 'report-only') {
    run.notSent(contain);
    strips.forEach((write) => run.notSent(write));
    return { finished: await conclude(run, { ...common, outcome: 'report-only', reason: 'REMEDIATION_MODE is report-only; nothing was changed', ...(removed ? { removed } : {}) }) };
  }
  return { target, verdict, before, sensitive, common, contain, strips, ...(removed ? { removed } : {}) };
}

/**
 * An earlier attempt contained the bucket and stopped (crash, timeout) before its record: this retry finds the
 * bucket private because of that containment. The record is the earlier attempt's verdict and containment, with
 * the state read now as `after`, so the exposure is recorded and alerted, not passed off as `already-private`.
 */
async function concludeEarlierContainment(run: Run, earlier: SavedContainment, now: StateSnapshot) {
  run.actions.push(...earlier.actions);
  run.containedAt = Date.parse(earlier.containedAt);
  return conclude(run, {
    outcome: 'remediated',
    severity: earlier.severity,
    verdict: earlier.verdict,
    before: earlier.before,
    after: now,
    ...(earlier.exemption !== undefined ? { exemption: earlier.exemption } : {}),
    reason: `contained at ${earlier.containedAt} by an earlier attempt that stopped before recording it; this retry found the bucket private`,
  });
}

/**
 * The writes for a public bucket under the strategy, and what the strips remove: the bucket's public grants and
 * statements, and the public statements of its public access points' policies. `doors` names the access points to
 * strip when planning again after containment (see recheck.ts); by default, those the verdict judges public. Pure.
 */
export function containmentPlan(
  target: BucketTarget,
  strategy: RemediationStrategy,
  state: Pick<BucketState, 'acl' | 'policy' | 'ownership' | 'accessPoints' | 'multiRegionAccessPoints'>,
  verdict: Pick<AuditVerdict, 'engine'>,
  doors?: DoorSelection,
): { contain: WriteAction; strips: WriteAction[]; removed?: AuditRemoval } {
  if (strategy !== 'strip-public-grants') return { contain: containWrite(target), strips: [] };
  const strip = planStrip({ acl: state.acl, policy: state.policy, ownership: state.ownership }, verdict.engine);
  const doorStrips = planAccessPointStrips(
    {
      account: target.account,
      region: target.region,
      ...(state.accessPoints !== undefined ? { accessPoints: state.accessPoints } : {}),
      ...(state.multiRegionAccessPoints !== undefined ? { multiRegionAccessPoints: state.multiRegionAccessPoints } : {}),
    },
    verdict.engine,
    doors,
  );
  const removed: AuditRemoval = doorStrips.length > 0 ? { ...strip.removal, accessPoints: doorStrips.map((door) => door.removal) } : strip.removal;
  return { contain: containWrite(target), strips: [...stripWrites(target, strip), ...accessPointWrites(doorStrips)], removed };
}

/** The doors a plan strips, to plan them again from a later state. */
export function doorsOf(removed: AuditRemoval | undefined): DoorSelection {
  return { only: new Set((removed?.accessPoints ?? []).map((door) => doorKey(door.kind, door.name))) };
}

/** PutAccessPointPolicy or DeleteAccessPointPolicy per access point strip, as its owner in its Region. Pure. */
export function accessPointWrites(strips: readonly AccessPointStrip[]): WriteAction[] {
  return strips.flatMap((strip): WriteAction[] => {
    const { removal, policy } = strip;
    if (removal.kind !== 'accessPoint' || policy === undefined) return [];
    const owner = { AccountId: removal.account, Name: removal.name };
    return policy.action === 'put'
      ? [{ api: 'PutAccessPointPolicy', region: removal.region, request: { ...owner, Policy: policy.text } }]
      : [{ api: 'DeleteAccessPointPolicy', region: removal.region, request: owner }];
  });
}

/** PutBucketPublicAccessBlock with all four settings on, for the bucket's owner only. Pure. */
export function containWrite(target: BucketTarget): WriteAction {
  return {
    api: 'PutBucketPublicAccessBlock',
    region: target.region,
    request: { Bucket: target.bucket, ExpectedBucketOwner: target.account, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
  };
}

/** The ACL and policy writes that carry out a strip plan, for the bucket's owner only. Pure. */
export function stripWrites(target: BucketTarget, plan: StripPlan): WriteAction[] {
  const owner = { Bucket: target.bucket, ExpectedBucketOwner: target.account };
  const writes: WriteAction[] = [];
  if (plan.newAcl !== undefined) {
    writes.push({ api: 'PutBucketAcl', region: target.region, request: { ...owner, AccessControlPolicy: plan.newAcl } });
  }
  if (plan.policy?.action === 'put') {
    writes.push({ api: 'PutBucketPolicy', region: target.region, request: { ...owner, Policy: plan.policy.text } });
  } else if (plan.policy?.action === 'delete') {
    writes.push({ api: 'DeleteBucketPolicy', region: target.region, request: { ...owner } });
  }
  return writes;
}
