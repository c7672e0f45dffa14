/**
 * The end of every path that holds the claim: the final record, its archive copy, the alert, the outcome event on
 * EventBridge, the Security Hub finding (and, for an account-level change, the sweep's seam) in one parallel round
 * trip, always after verification (every caller has its verdict).
 *
 * One event, one record, at most one alert: when the final record cannot be written although the alert may have
 * gone out, the write is tried again within this invocation; if it still fails, the finished record is saved on
 * the claim for the retry, which writes it (and sends only what did not go out) instead of doing the work again.
 */
import { isRemediationOutcome, type AuditRecord } from '../../shared/audit/record';
import { headline, outcomeSentence, renderAlert, renderSecurityHubNotEnabledAlert, shouldAlert } from '../alert';
import { exemptCommand, restoreCommand } from '../alert-commands';
import { renderFinding, shouldImportFinding } from '../../shared/findings/asff';
import { renderOutcomeEvent, shouldPublishOutcome } from '../../shared/findings/outcome-event';
import { ClaimLostError, METRICS, type AccountLevelChange, type AlertMessage, type Delivery, type FindingImportResult, type PendingRecord } from '../ports';
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
  if (shouldAlert(record)) deliveries.push(['alert', alerts.publish(alertOf(run, record))]);
  if (run.scope === 'account' && accountLevelChange !== undefined) {
    deliveries.push(['account-level-change', accountLevelChange.onAccountLevelChange(accountChangeOf(record))]);
  }
  const event = outcomeEventOf(run, record);
  if (event !== undefined) deliveries.push(['outcome-event', event]);
  const finding = findingOf(run, record);
  if (finding !== undefined) deliveries.push(['finding', finding]);
  const [completed, ...delivered] = await Promise.allSettled([audit.complete(record, run.claimToken), ...deliveries.map(([, promise]) => promise)]);
  const failed = deliveries.flatMap(([name], index) => (delivered[index]?.status === 'rejected' ? [name] : []));
  const findingIndex = deliveries.findIndex(([name]) => name === 'finding');
  const imported = delivered[findingIndex];
  if (findingIndex >= 0 && imported?.status === 'fulfilled') {
    await onFindingResult(run, record, imported.value as FindingImportResult);
  }
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
      if (delivery === 'alert') return shouldAlert(record) ? alerts.publish(alertOf(run, record)) : Promise.resolve();
      if (delivery === 'outcome-event') return outcomeEventOf(run, record) ?? Promise.resolve();
      if (delivery === 'finding') {
        const finding = findingOf(run, record);
        return finding !== undefined ? finding.then((result) => onFindingResult(run, record, result)) : Promise.resolve();
      }
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

/** The SNS alert for a record, with the Chatbot custom notification when it is configured. */
export function alertOf(run: Run, record: AuditRecord): AlertMessage {
  return renderAlert(record, { chatbot: run.deps.config.chatbotNotifications === true });
}

/** Puts the outcome event, when outcome events are configured and the record is one. */
function outcomeEventOf(run: Run, record: AuditRecord): Promise<void> | undefined {
  const { outcomeEvents } = run.deps;
  const settings = run.deps.config.outcomeEvents;
  if (outcomeEvents === undefined || settings === undefined || !shouldPublishOutcome(record)) return undefined;
  return outcomeEvents.publish(renderOutcomeEvent(record, { source: settings.source, ...(run.deps.config.securityHub ? { partition: run.deps.config.securityHub.partition } : {}) }));
}

/** Imports the Security Hub finding, when findings are configured and the record is a bucket exposure. */
function findingOf(run: Run, record: AuditRecord): Promise<FindingImportResult> | undefined {
  const { findings } = run.deps;
  const target = run.deps.config.securityHub;
  if (findings === undefined || target === undefined || !shouldImportFinding(record)) return undefined;
  const restore = restoreCommand(record);
  const exempt = exemptCommand(record);
  return findings.import(
    renderFinding(record, target, {
      title: `[${record.severity.toUpperCase()}] ${headline(record)}`,
      whatHappened: outcomeSentence(record),
      ...(restore !== undefined ? { restoreCommand: restore } : {}),
      ...(exempt !== undefined ? { exemptCommand: exempt } : {}),
    }),
  );
}

/**
 * Security Hub not enabled in the region is an outcome, not a failure: noted on the audit record, counted, and
 * alerted when the adapter says this invocation is the first to see it in the region's window (once per region
 * per UTC day, across containers; the adapter also stops calling Security Hub for a while), never retried.
 */
async function onFindingResult(run: Run, record: AuditRecord, result: FindingImportResult): Promise<void> {
  if (result.status !== 'security-hub-not-enabled') return;
  const { logger, metrics, audit, alerts } = run.deps;
  logger.warn('Security Hub is not enabled in the region; the finding was not imported', { auditId: record.id, region: run.deps.config.securityHub?.region, detail: result.detail });
  if (result.noticeError !== undefined) {
    logger.warn('could not write the once-a-day marker of the Security Hub notice; alerting from this invocation', { auditId: record.id, error: result.noticeError });
  }
  metrics.addMetric(METRICS.securityHubNotEnabled, 'Count', 1);
  const notes = await Promise.allSettled([
    audit.noteFindingNotImported?.(record.id, `Security Hub not enabled: ${result.detail}`) ?? Promise.resolve(),
    result.firstNotice ? alerts.publish(renderSecurityHubNotEnabledAlert(record, run.deps.config.securityHub?.region ?? record.region, result.detail)) : Promise.resolve(),
  ]);
  for (const note of notes) {
    if (note.status === 'rejected') logger.error('could not note or alert that Security Hub is not enabled', { auditId: record.id, error: note.reason });
  }
}
