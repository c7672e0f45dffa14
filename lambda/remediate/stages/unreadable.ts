/**
 * The bucket's state could not be read. Gone: recorded. Refused: recorded as `failed`, except for an event in
 * enforce mode, where the bucket is contained anyway (fail closed) and read again. Unknown: rethrown for a retry.
 */
import type { AuditExemption } from '../../shared/audit/record';
import { AssumeRoleError, InvalidAccountIdError } from '../../shared/aws/assume-role';
import { describeError } from '../../shared/aws/errors';
import type { RemediateConfig } from '../environment';
import type { ExemptionMatch } from '../exemptions';
import type { BucketTarget } from '../ports';
import { claimNow } from './claim';
import { conclude } from './conclude';
import { containWrite } from './plan';
import { classifyError, unexpected, unexpectedAfterContainment } from './errors';
import { snapshotOf, verdictOf, type Reading } from './read-state';
import { settled, type Run } from './run';
import type { BucketRemediationRequest, RemediationResult } from './types';

/** The end of the run for a bucket whose state could not be read (`reading.read` rejected with `readError`). */
export async function concludeUnreadable(run: Run, request: BucketRemediationRequest, reading: Reading, readError: unknown): Promise<RemediationResult> {
  const { exemption, exemptionMatch } = reading;
  const kind = classifyError(readError);
  if (kind === 'unknown') {
    return unexpected(run, 'reading the bucket', readError);
  }
  if (!reading.claimFirst) {
    const stop = await claimNow(run);
    if (stop !== undefined) return stop;
  }
  if (kind === 'bucket-gone') {
    return conclude(run, { outcome: 'bucket-gone', severity: 'low', reason: 'the bucket no longer exists', ...(exemption ? { exemption } : {}) });
  }
  if (shouldContainUnread(request, run.deps.config, readError, exemptionMatch)) {
    return containUnread(run, request.target, readError, exemption);
  }
  return conclude(run, {
    outcome: 'failed',
    severity: 'critical',
    reason: run.refused("reading the bucket's configuration", readError),
    error: describeError(readError),
    ...(exemption ? { exemption } : {}),
  });
}

/**
 * Fail closed: an event changed the bucket's permissions and S3 refused a read of its state (a hostile policy can
 * deny s3:GetBucketPolicy to everyone but its author). In enforce mode, and unless an exemption applies, the one
 * reversible containment write is sent anyway. Not when the refusal was the account's role itself (nothing can be
 * sent there), and not for a sweep (a bucket it cannot read is no sign of a change).
 */
export function shouldContainUnread(
  request: Pick<BucketRemediationRequest, 'trigger'>,
  config: Pick<RemediateConfig, 'mode'>,
  error: unknown,
  exemption: ExemptionMatch | undefined,
): boolean {
  return (
    config.mode === 'enforce' &&
    request.trigger === 'event' &&
    exemption?.status !== 'applied' &&
    !(error instanceof AssumeRoleError) &&
    !(error instanceof InvalidAccountIdError)
  );
}

/**
 * Contains a bucket whose state could not be read, then reads again. The record is `remediated` only when the
 * re-read succeeds and shows the bucket private; a re-read that is refused again gives `failed` (critical): the
 * containment was applied, but nobody can tell what the bucket allows. The strip strategy removes nothing here
 * (what is public was never read, so nothing can be saved first).
 */
async function containUnread(run: Run, target: BucketTarget, readError: unknown, exemption: AuditExemption | undefined): Promise<RemediationResult> {
  const { deps } = run;
  const unread = run.refused("reading the bucket's configuration", readError);
  const common = { error: describeError(readError), ...(exemption ? { exemption } : {}) };
  const written = await run.write(containWrite(target));
  if (!written.ok) {
    const kind = classifyError(written.error);
    if (kind === 'bucket-gone') {
      return conclude(run, { ...common, outcome: 'bucket-gone', severity: 'low', reason: `${unread}; the bucket was deleted before it could be contained` });
    }
    if (kind === 'refused') {
      return conclude(run, { ...common, outcome: 'failed', severity: 'critical', reason: `${unread}; containing it anyway: ${run.refused('PutBucketPublicAccessBlock', written.error)}`, error: describeError(written.error) });
    }
    return unexpected(run, 'containing the bucket (its state could not be read)', written.error);
  }
  run.markContained();

  const { delays, sleep } = run.verifyRetries();
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    const again = await settled(deps.s3.readBucketState(target));
    if (again.status === 'rejected') {
      const kind = classifyError(again.reason);
      if (kind === 'bucket-gone') {
        return conclude(run, { ...common, outcome: 'bucket-gone', severity: 'low', reason: `${unread}; contained, then the bucket was deleted` });
      }
      if (kind === 'unknown') unexpectedAfterContainment(run, 'verifying the bucket (its state could not be read)', again.reason);
      return conclude(run, {
        ...common,
        outcome: 'failed',
        severity: 'critical',
        reason: `${unread}; the bucket's state could not be read, so containment was applied without a verdict (all four Block Public Access settings on) and could not be verified`,
      });
    }
    const verdict = verdictOf(target, again.value, deps.config.sensitiveTagKeys);
    if (!verdict.public) {
      return conclude(run, {
        ...common,
        verdict,
        after: snapshotOf(again.value),
        outcome: 'remediated',
        severity: 'high',
        reason: `${unread}; contained with Block Public Access without a verdict (fail closed) and verified private afterwards`,
      });
    }
    const delay = delays[attempt];
    if (delay === undefined) {
      return conclude(run, { ...common, verdict, after: snapshotOf(again.value), outcome: 'failed', severity: 'critical', reason: `${unread}; contained without a verdict, but still public afterwards` });
    }
    await sleep(delay);
  }
  return conclude(run, { ...common, outcome: 'failed', severity: 'critical', reason: `${unread}; contained without a verdict and not verified` });
}
