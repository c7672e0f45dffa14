/**
 * Claim: the audit record is claimed before anything is changed, so one event gives one record. A claim that is
 * not this run's is a second delivery (nothing new to do, except re-sending what failed to go out); a claim that
 * carries a finished record is the retry of a run whose final write failed (write that record, not the work).
 */
import { isRemediationOutcome } from '../../shared/audit/record';
import type { ClaimResult } from '../ports';
import { finishPending, redeliver } from './conclude';
import { RemediationError, unexpected } from './errors';
import { settled, type Run } from './run';
import type { RemediationResult } from './types';

/** Claims the run's audit record (with the lease of this invocation). */
export function claim(run: Run): Promise<ClaimResult> {
  const { fields } = run;
  return run.deps.audit.claim({
    id: fields.auditId,
    claimToken: run.claimToken,
    leaseUntil: fields.leaseUntil,
    trigger: fields.trigger,
    scope: run.scope,
    eventTime: fields.eventTime,
    receivedAt: run.iso(fields.receivedAt),
    account: run.account,
    region: run.region,
    ...(run.bucket !== undefined ? { bucket: run.bucket } : {}),
    ...(fields.eventId !== undefined ? { eventId: fields.eventId } : {}),
    ...(fields.eventName !== undefined ? { eventName: fields.eventName } : {}),
    ...(fields.sweepId !== undefined ? { sweepId: fields.sweepId } : {}),
  });
}

/** Undefined when the claim is this run's; otherwise what to return (a duplicate), or throws (unexpected). */
export async function settleClaim(run: Run, claimed: PromiseSettledResult<ClaimResult>): Promise<RemediationResult | undefined> {
  if (claimed.status === 'rejected') {
    return unexpected(run, 'claiming the audit record', claimed.reason);
  }
  if (!claimed.value.claimed) {
    return duplicate(run, claimed.value);
  }
  run.claimed = true;
  if (claimed.value.contained !== undefined) run.earlierContainment = claimed.value.contained;
  if (claimed.value.pending !== undefined) {
    return finishPending(run, claimed.value.pending);
  }
  return undefined;
}

/** The claim on its own (a sweep that read first): undefined when it is this run's, else what to return. */
export async function claimNow(run: Run): Promise<RemediationResult | undefined> {
  return settleClaim(run, await settled(claim(run)));
}

/** A second delivery: nothing new to do, except re-sending what failed to go out the first time. */
export async function duplicate(run: Run, claimResult: Exclude<ClaimResult, { claimed: true }>): Promise<RemediationResult> {
  const { logger, audit } = run.deps;
  const auditId = run.fields.auditId;
  if (claimResult.existing.status === 'in-progress') {
    logger.info('duplicate delivery while another invocation handles the event; nothing to do', { auditId });
    return { outcome: 'ignored', reason: 'duplicate delivery: another invocation is handling this event', auditId, account: run.account, duplicate: true };
  }
  const { record, undelivered } = claimResult.existing;
  if (undelivered.length > 0) {
    logger.info('duplicate delivery; re-sending what failed the first time', { auditId, undelivered });
    const failure = await redeliver(run, record, undelivered);
    if (failure !== undefined) {
      throw new RemediationError(auditId, 're-sending undelivered alert or archive', { cause: failure });
    }
    await audit.clearUndelivered(auditId);
  } else {
    logger.info('duplicate delivery of an event already handled; nothing to do', { auditId, outcome: record.outcome });
  }
  return {
    // Pipeline ids (ct-…, sweep-…) never hold operator records; anything else is not ours to report.
    outcome: isRemediationOutcome(record.outcome) ? record.outcome : 'ignored',
    reason: 'duplicate delivery: already handled',
    auditId,
    account: record.account,
    duplicate: true,
    ...(record.verdict !== undefined ? { verdict: record.verdict } : {}),
    record,
  };
}
