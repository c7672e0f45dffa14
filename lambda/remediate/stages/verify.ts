/**
 * Verify: read the contained bucket again and evaluate it, re-reading a little later while S3 catches up if it
 * still looks public. Then the outcome: `remediated` only when it is private and every planned removal went out.
 */
import type { AuditVerdict } from '../../shared/audit/record';
import { describeError } from '../../shared/aws/errors';
import type { BucketState } from '../ports';
import { conclude } from './conclude';
import { classifyError, unexpectedAfterContainment, unexpectedReason } from './errors';
import type { Plan } from './plan';
import { snapshotOf, verdictOf } from './read-state';
import type { Run } from './run';
import type { RecordFields, Stage, StripFailure } from './types';

/** The last reading after containment (undefined only when no read was attempted). */
export interface Verified {
  readonly after?: BucketState;
  readonly afterVerdict?: AuditVerdict;
  /** Access points whose policy is still public after the strip removed its public statements. */
  readonly accessPointsStillPublic?: readonly string[];
}

/** The access points whose policy this run wrote (PutAccessPointPolicy or DeleteAccessPointPolicy succeeded). */
function strippedAccessPoints(run: Run, plan: Pick<Plan, 'strips'>): { name: string; account: string; region: string }[] {
  return plan.strips.flatMap((write) => {
    if (write.api !== 'PutAccessPointPolicy' && write.api !== 'DeleteAccessPointPolicy') return [];
    const sent = run.actions.some((action) => action.api === write.api && action.result === 'succeeded' && action.request.Name === write.request.Name && action.request.AccountId === write.request.AccountId);
    return sent ? [{ name: write.request.Name, account: write.request.AccountId, region: write.region }] : [];
  });
}

/**
 * Verifies each access point policy strip with S3's own answer (GetAccessPointPolicyStatus), reading again a little
 * later while it still says public. Without that answer (not wired, or refused), the engine's reading of the policy
 * read again after containment decides, and the record says so.
 */
async function verifyAccessPoints(run: Run, plan: Pick<Plan, 'strips'>, after: BucketState | undefined, afterVerdict: AuditVerdict | undefined): Promise<string[]> {
  const { s3 } = run.deps;
  const { delays, sleep } = run.verifyRetries();
  const stillPublic: string[] = [];
  for (const point of strippedAccessPoints(run, plan)) {
    // Fail closed: without a reading of the access points after the strip, it cannot be shown not public.
    const engineSays = (): boolean => {
      const reports = afterVerdict?.engine.accessPoints;
      return reports === undefined || after === undefined ? true : (reports.find((report) => report.name === point.name)?.policyIsPublic ?? false);
    };
    let isPublic: boolean | undefined;
    for (let attempt = 0; attempt <= delays.length && s3.readAccessPointPolicyStatus !== undefined; attempt += 1) {
      try {
        isPublic = (await s3.readAccessPointPolicyStatus(point.account, point.region, point.name)) === 'public';
      } catch (error) {
        const code = describeError(error);
        run.notes.push(`GetAccessPointPolicyStatus for access point ${point.name} failed (${code.code ?? code.name}), so its strip was verified with the engine's reading of the policy read again`);
        isPublic = undefined;
        break;
      }
      const delay = delays[attempt];
      if (!isPublic || delay === undefined) break;
      await sleep(delay);
    }
    if (isPublic ?? engineSays()) stillPublic.push(point.name);
  }
  return stillPublic;
}

/** Reads until private or out of retries. Finished when the re-read fails (gone, refused, unknown). */
export async function verify(run: Run, plan: Plan, stripFailure: StripFailure | undefined): Promise<Stage<Verified>> {
  const { config, s3, logger } = run.deps;
  const { target, common, removed } = plan;
  const { delays, sleep } = run.verifyRetries();
  let after: BucketState | undefined;
  let afterVerdict: AuditVerdict | undefined;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    try {
      after = await s3.readBucketState(target);
    } catch (error) {
      const kind = classifyError(error);
      if (kind === 'bucket-gone') {
        return { finished: await conclude(run, { ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted right after containment', ...(removed ? { removed } : {}) }) };
      }
      if (kind === 'refused') {
        return {
          finished: await conclude(run, {
            ...common,
            severity: 'critical',
            outcome: 'failed',
            reason: `contained, but ${run.refused('verifying the bucket', error)}`,
            error: describeError(error),
            ...(removed ? { removed } : {}),
          }),
        };
      }
      unexpectedAfterContainment(run, 'verifying the bucket', error);
      return {
        finished: await conclude(run, {
          ...common,
          severity: 'critical',
          outcome: 'failed',
          reason: `contained, but ${unexpectedReason('verifying the bucket', error)}${stripFailure !== undefined ? `; ${stripFailure.reason}` : ''}`,
          error: describeError(error),
          ...(removed ? { removed } : {}),
        }),
      };
    }
    afterVerdict = verdictOf(target, after, config.sensitiveTagKeys);
    if (!afterVerdict.public) break;
    const delay = delays[attempt];
    if (delay !== undefined) {
      logger.info('still public right after containment; reading again shortly', { auditId: run.fields.auditId, attempt: attempt + 1 });
      await sleep(delay);
    }
  }
  const accessPointsStillPublic = await verifyAccessPoints(run, plan, after, afterVerdict);
  return {
    ...(after !== undefined ? { after } : {}),
    ...(afterVerdict !== undefined ? { afterVerdict } : {}),
    ...(accessPointsStillPublic.length > 0 ? { accessPointsStillPublic } : {}),
  };
}

/** The record of a contained and verified bucket: still public, a failed removal, or remediated. Pure. */
export function outcomeAfterVerify(plan: Pick<Plan, 'common' | 'removed' | 'strips'>, verified: Verified, stripFailure: StripFailure | undefined): RecordFields {
  const { common, removed, strips } = plan;
  const afterSnapshot = verified.after !== undefined ? snapshotOf(verified.after) : undefined;
  const withAfter = { ...common, ...(afterSnapshot ? { after: afterSnapshot } : {}), ...(removed ? { removed } : {}) };
  if (verified.afterVerdict?.public !== false) {
    return {
      ...withAfter,
      severity: 'critical',
      outcome: 'failed',
      reason: 'still public after containment: something re-opened the bucket or the setting did not take effect',
    };
  }
  if (stripFailure !== undefined) {
    return { ...withAfter, severity: 'critical', outcome: 'failed', reason: stripFailure.reason, error: describeError(stripFailure.error) };
  }
  if (verified.accessPointsStillPublic !== undefined && verified.accessPointsStillPublic.length > 0) {
    const names = verified.accessPointsStillPublic.join(', ');
    return {
      ...withAfter,
      severity: 'critical',
      outcome: 'failed',
      reason: `contained with Block Public Access, but the policy of access point ${names} is still public after its public statements were removed`,
    };
  }
  return {
    ...withAfter,
    outcome: 'remediated',
    reason: strips.length > 0 ? 'contained with Block Public Access and public grants removed; verified' : 'contained with Block Public Access; verified',
  };
}
