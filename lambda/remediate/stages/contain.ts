/**
 * Contain (round trip 2): PutBucketPublicAccessBlock with all four settings on. With the strip strategy, the exact
 * text about to be removed is saved on the record meanwhile (nothing is lost: it is recorded before it is removed).
 *
 * From the moment the bucket is contained, an unknown error is recorded as `failed` (critical), not rethrown, so
 * the record keeps what this run saved and did; a retry would find the bucket private and know less.
 */
import type { AuditAction } from '../../shared/audit/record';
import { describeError } from '../../shared/aws/errors';
import { bucketSeverity } from '../severity';
import { conclude } from './conclude';
import { classifyError, unexpected, unexpectedAfterContainment, unexpectedReason } from './errors';
import type { Plan } from './plan';
import type { Run } from './run';
import type { Stage, StripFailure } from './types';

/** Contains the bucket. Finished when it could not be; otherwise says whether the strips may go ahead. */
export async function contain(run: Run, plan: Plan): Promise<Stage<{ stripFailure?: StripFailure }>> {
  const { audit } = run.deps;
  const { strips, removed, common, verdict, before, sensitive } = plan;
  const plannedStrips: AuditAction[] = strips.map((write) => ({ api: write.api, request: write.request as unknown as Record<string, unknown>, result: 'not-sent' }));
  const [contained, saved] = await Promise.allSettled([
    run.write(plan.contain),
    strips.length > 0 && removed !== undefined ? audit.saveRemovalProgress(run.fields.auditId, run.claimToken, { removed, actions: plannedStrips }) : Promise.resolve(),
  ]);
  const containResult = contained.status === 'fulfilled' ? contained.value : { ok: false as const, error: contained.reason as unknown };
  if (!containResult.ok) {
    const kind = classifyError(containResult.error);
    const failedSeverity = bucketSeverity({ public: true, access: verdict.access, sensitive, failed: true });
    if (kind === 'bucket-gone') {
      return { finished: await conclude(run, { ...common, outcome: 'bucket-gone', reason: 'the bucket was deleted before it could be contained' }) };
    }
    if (kind === 'refused') {
      return {
        finished: await conclude(run, {
          ...common,
          severity: failedSeverity,
          outcome: 'failed',
          reason: run.refused('PutBucketPublicAccessBlock', containResult.error),
          error: describeError(containResult.error),
        }),
      };
    }
    return unexpected(run, 'containing the bucket', containResult.error, { before, verdict });
  }
  run.markContained();
  // In parallel with what follows (strips, verification): conclude waits for it before the final record.
  run.containmentSaved = saveContainment(run, plan);
  if (saved.status === 'rejected') {
    unexpectedAfterContainment(run, 'saving what the strip strategy will remove', saved.reason);
    strips.forEach((write) => run.notSent(write));
    return { stripFailure: { reason: `contained with Block Public Access, but ${unexpectedReason('saving what the strip strategy will remove', saved.reason)}, so nothing was removed`, error: saved.reason } };
  }
  return {};
}

/**
 * Saves the verdict and the containment on the claim at once, so a crash or timeout before the final record does
 * not lose the exposure: the retry finds the bucket private and records (and alerts) what this run contained.
 * A failure here is logged, not fatal: the run goes on and normally writes its record itself.
 */
async function saveContainment(run: Run, plan: Plan): Promise<void> {
  const { audit, logger } = run.deps;
  if (audit.saveContainment === undefined || run.containedAt === undefined) return;
  const { verdict, before, common } = plan;
  try {
    await audit.saveContainment(run.fields.auditId, run.claimToken, {
      containedAt: run.iso(run.containedAt),
      verdict,
      before,
      severity: common.severity,
      actions: [...run.actions],
      ...(common.exemption !== undefined ? { exemption: common.exemption } : {}),
    });
  } catch (error) {
    logger.warn('could not save the containment on the claim; a crash before the final record would lose it', { auditId: run.fields.auditId, error });
  }
}
