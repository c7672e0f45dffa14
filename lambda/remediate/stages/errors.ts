/**
 * Errors: which failures are terminal outcomes and which are rethrown, their reasons in words, and the path of an
 * unexpected error (alert, give the claim back, rethrow as RemediationError so Lambda retries the event).
 */
import type { AuditVerdict, StateSnapshot } from '../../shared/audit/record';
import { AssumeRoleError, InvalidAccountIdError } from '../../shared/aws/assume-role';
import { awsErrorCode, describeError, hasErrorCode, isAccessDenied } from '../../shared/aws/errors';
import { renderAlert } from '../alert';
import { METRICS } from '../ports';
import type { Run } from './run';

/** An unexpected failure, alerted and rethrown so Lambda retries the event. */
export class RemediationError extends Error {
  constructor(
    readonly auditId: string,
    readonly stage: string,
    options: { cause: unknown },
  ) {
    super(`${auditId}: unexpected error during ${stage}: ${describeError(options.cause).message}`, options);
    this.name = 'RemediationError';
  }
}

export type ErrorKind = 'bucket-gone' | 'refused' | 'unknown';

/**
 * AccessDenied (IAM, an SCP, an organization policy, ExpectedBucketOwner), ACL refusals and a member account
 * whose role cannot be assumed (AccessDenied from STS) are terminal. A throttled or failing AssumeRole is not.
 */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof AssumeRoleError) return error.accessDenied ? 'refused' : 'unknown';
  if (error instanceof InvalidAccountIdError) return 'refused';
  if (hasErrorCode(error, 'NoSuchBucket')) return 'bucket-gone';
  if (isAccessDenied(error) || hasErrorCode(error, 'AccessControlListNotSupported')) return 'refused';
  return 'unknown';
}

/** Why a refused call failed, in words; for AssumeRole, what to check in the member account. */
export function refusalReason(what: string, error: unknown): string {
  if (error instanceof AssumeRoleError) {
    const cause = describeError(error.cause);
    return (
      `${what} was not possible: the guardrail cannot act in account ${error.accountId}, AssumeRole into ${error.roleArn} was refused ` +
      `(${error.code ?? cause.name}: ${cause.message}); the member stack may not have reached this account yet, or the role's trust policy ` +
      `does not name the guardrail's role`
    );
  }
  if (error instanceof InvalidAccountIdError) {
    return `${what} was not possible: ${error.message}`;
  }
  const description = describeError(error);
  return `${what} was refused (${awsErrorCode(error) ?? description.name}: ${description.message}); an IAM policy, SCP or organization policy may deny it`;
}

/** An unknown error in words, for a record's reason. */
export function unexpectedReason(what: string, error: unknown): string {
  const description = describeError(error);
  return `${what} failed unexpectedly (${description.code ?? description.name}: ${description.message})`;
}

/** An unknown error once the bucket is contained: logged; the run goes on to a `failed` record (counted there). */
export function unexpectedAfterContainment(run: Run, stage: string, error: unknown): void {
  run.deps.logger.error('unexpected error after containment; recording the run as failed', { auditId: run.fields.auditId, account: run.account, bucket: run.bucket, stage, error });
}

/** Anything unknown: alert (critical, unless the caller alerts itself), give the claim back, rethrow for a retry. */
export async function unexpected(run: Run, stage: string, error: unknown, partial: { before?: StateSnapshot; verdict?: AuditVerdict } = {}): Promise<never> {
  const { logger, metrics, alerts } = run.deps;
  const description = describeError(error);
  logger.error('unexpected error; rethrowing so the event (or sweep message) is retried', { auditId: run.fields.auditId, account: run.account, bucket: run.bucket, stage, error });
  metrics.addMetric(METRICS.failed, 'Count', 1);
  const alertNow = run.deps.alertOnUnexpectedError !== false;
  const record = run.buildRecord({
    outcome: 'failed',
    severity: 'critical',
    reason: `unexpected error during ${stage}; ${run.fields.trigger === 'sweep' ? 'the sweep will retry the bucket' : 'Lambda will retry the event'}`,
    error: description,
    ...partial,
  });
  const [alerted] = await Promise.allSettled([alertNow ? alerts.publish(renderAlert(record, { chatbot: run.deps.config.chatbotNotifications === true })) : Promise.resolve(), releaseQuietly(run, error)]);
  if (alerted?.status === 'rejected') {
    logger.error('the alert about an unexpected error could not be sent either', { auditId: record.id, error: alerted.reason });
  }
  throw new RemediationError(record.id, stage, { cause: error });
}

async function releaseQuietly(run: Run, cause: unknown): Promise<void> {
  if (!run.claimed) return;
  try {
    await run.deps.audit.release(run.fields.auditId, run.claimToken, describeError(cause));
  } catch (error) {
    run.deps.logger.warn('could not release the audit claim; it expires with the lease', { auditId: run.fields.auditId, error });
  }
}
