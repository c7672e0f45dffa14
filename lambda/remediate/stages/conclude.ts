/**
 * The end of every path that holds the claim: the final record, its archive copy, the alert (and, for an
 * account-level change, the sweep's seam) in one parallel round trip.
 *
 * One event, one record, at most one alert: when the final record cannot be written although the alert may have
 * gone out, the write is tried again within this invocation; if it still fails, the finished record is saved on
 * the claim for the retry, which writes it (and sends only what did not go out) instead of doing the work again.
 */
import { isRemediationOutcome, type AuditRecord } from '../../shared/audit/record';
import { renderAlert, shouldAlert } from '../alert';
import { ClaimLostError, METRICS, type AccountLevelChange, type Delivery, type PendingRecord } from '../ports';
import { RemediationError } from './errors';
import { settled, sleeper, type Run } from './run';
import { DEFAULT_COMPLETE_RETRY_DELAYS_MS, type PipelineRecord, type RecordFields, type RemediationResult } from './types';

/** Waits for the CloudTrail lookup (sweep), builds the record, and finishes. */
export async function conclude(run: Run, fields: RecordFields): Promise<RemediationResult> {
  // The claim update must land before the final write replaces the claim.
  if (run.containmentSaved !== undefined) await run.containmentSaved;
  if (run.exposedByLookup !== undefined) {
    run.exposedBy = await run.exposedByLookup;
  }
  return finish(run, run.buildRecord(fields));
}

/** The final record, its archive copy, the alert (and the account-level seam) in parallel. */
export async function finish(run: Run, record: PipelineRecord): Promise<RemediationResult> {
  const { audit, alerts, metrics, logger, accountLevelChange } = run.deps;
  if (record.outcome === 'remediated') metrics.addMetric(METRICS.remediated, 'Count', 1);
  if (record.outcome === 'failed') metrics.addMetric(METRICS.failed, 'Count', 1);

  const deliveries: [Delivery, Promise<unknown>][] = [['archive', audit.archive(record)]];
  if (shouldAlert(record)) deliveries.push(['alert', alerts.publish(renderAlert(record))]);
  if (run.scope === 'account' && accountLevelChange !== undefined) {
    deliveries.push(['account-level-change', accountLevelChange.onAccountLevelChange(accountChangeOf(record))]);
  }
  const [completed, ...delivered] = await Promise.allSettled([audit.complete(record, run.claimToken), ...deliveries.map(([, promise]) => promise)]);
  const failed = deliveries.flatMap(([name], index) => (delivered[index]?.status === 'rejected' ? [name] : []));
  if (completed?.status === 'rejected') {
    // The alert and archive copy may be out already, so the claim is not released (a retry would redo the work
    // and record something else): the write is tried again, and saved on the claim for the retry if it fails.
    await completeAgain(run, record, completed.reason, failed);
  }
  if (failed.length > 0) {
    const cause = (delivered.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as unknown;
    logger.error('delivery failed after the audit record was written; a retry will send it', { auditId: record.id, undelivered: failed, error: cause });
    await audit.markUndelivered(record.id, failed).catch((error: unknown) => {
      logger.error('could not note the failed delivery on the audit record', { auditId: record.id, error });
    });
    throw new RemediationError(record.id, `delivering ${failed.join(' and ')}`, { cause });
  }
  logger.info('remediation finished', {
    auditId: record.id,
    outcome: record.outcome,
    bucket: record.bucket,
    account: record.account,
    severity: record.severity,
    timeToContainMs: record.timeToContainMs,
    durationMs: record.durationMs,
  });
  return {
    outcome: record.outcome,
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    auditId: record.id,
    account: record.account,
    ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
    record,
  };
}

/**
 * The final write failed in the parallel round: tries it again a few times. A lost claim whose record turns out
 * to be this one (an earlier try landed but its answer was lost) counts as written. Still failing: the record is
 * saved on the claim for the retry (best effort) and the error rethrown, without releasing the claim.
 */
async function completeAgain(run: Run, record: PipelineRecord, firstError: unknown, undelivered: readonly Delivery[]): Promise<void> {
  const { audit, logger } = run.deps;
  const sleep = run.deps.sleep ?? sleeper;
  let error = firstError;
  for (const delay of [undefined, ...(run.deps.completeRetryDelaysMs ?? DEFAULT_COMPLETE_RETRY_DELAYS_MS)]) {
    if (error instanceof ClaimLostError) {
      const stored = await settled(audit.find?.(record.id) ?? Promise.resolve(undefined));
      if (stored.status === 'fulfilled' && stored.value?.status === 'finished' && stored.value.record.finishedAt === record.finishedAt) return;
      throw new RemediationError(record.id, 'writing the audit record', { cause: error });
    }
    if (delay === undefined) continue;
    logger.warn('the audit record could not be written; trying again', { auditId: record.id, delayMs: delay, error });
    await sleep(delay);
    try {
      await audit.complete(record, run.claimToken);
      return;
    } catch (again) {
      error = again;
    }
  }
  if (error instanceof ClaimLostError) {
    throw new RemediationError(record.id, 'writing the audit record', { cause: error });
  }
  logger.error('the audit record could not be written; saving it on the claim for the retry', { auditId: record.id, undelivered, error });
  if (audit.savePending !== undefined) {
    await audit.savePending(record.id, run.claimToken, { record, undelivered }).catch((saveError: unknown) => {
      logger.error('could not save the finished record on the claim either; a retry after the lease will check the bucket again', { auditId: record.id, error: saveError });
    });
  }
  throw new RemediationError(record.id, 'writing the audit record', { cause: error });
}

/** The claim came with a finished record an earlier invocation could not write: write it, send what did not go out. */
export async function finishPending(run: Run, pending: PendingRecord): Promise<RemediationResult> {
  const { audit, logger } = run.deps;
  const record = pending.record as PipelineRecord;
  logger.info('retry of an event whose record could not be written; writing the saved record', { auditId: record.id, undelivered: pending.undelivered });
  const written = await settled(audit.complete(record, run.claimToken));
  if (written.status === 'rejected') {
    await completeAgain(run, record, written.reason, pending.undelivered);
  }
  if (pending.undelivered.length > 0) {
    const failure = await redeliver(run, record, pending.undelivered);
    if (failure !== undefined) {
      await audit.markUndelivered(record.id, pending.undelivered).catch((error: unknown) => {
        logger.error('could not note the failed delivery on the audit record', { auditId: record.id, error });
      });
      throw new RemediationError(record.id, `delivering ${pending.undelivered.join(' and ')}`, { cause: failure });
    }
  }
  return {
    outcome: isRemediationOutcome(record.outcome) ? record.outcome : 'ignored',
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    auditId: record.id,
    account: record.account,
    duplicate: true,
    ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
    record,
  };
}

/** Sends deliveries that did not go out the first time; resolves with the first failure's cause, if any. */
export async function redeliver(run: Run, record: AuditRecord, undelivered: readonly Delivery[]): Promise<unknown> {
  const { audit, alerts, accountLevelChange } = run.deps;
  const redo = await Promise.allSettled(
    undelivered.map((delivery) => {
      if (delivery === 'archive') return audit.archive(record);
      if (delivery === 'alert') return shouldAlert(record) ? alerts.publish(renderAlert(record)) : Promise.resolve();
      return accountLevelChange !== undefined ? accountLevelChange.onAccountLevelChange(accountChangeOf(record)) : Promise.resolve();
    }),
  );
  const failure = redo.find((result) => result.status === 'rejected');
  return failure !== undefined ? ((failure as PromiseRejectedResult).reason as unknown) : undefined;
}

/** What the sweep's seam hears about an account-level change, from its record. */
export function accountChangeOf(record: AuditRecord): AccountLevelChange {
  return {
    account: record.account,
    region: record.region,
    ...(record.eventId !== undefined ? { eventId: record.eventId } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventTime: record.eventTime,
    outcome: record.outcome,
    auditId: record.id,
  };
}
