/** errors: which failures are terminal, their reasons in words, and the unexpected-error path. */
import { AssumeRoleError, InvalidAccountIdError } from '../../../../lambda/shared/aws/assume-role';
import { classifyError, refusalReason, RemediationError, unexpected, unexpectedReason } from '../../../../lambda/remediate/stages/errors';
import { METRICS } from '../../../../lambda/remediate/ports';
import { awsError, bucketRun, memoryDeps, memoryPorts } from './stage-support';

const ROLE = 'arn:aws:iam::444455556666:role/BucketGuardrailMember';

describe('classifyError', () => {
  it.each([
    ['NoSuchBucket', awsError('NoSuchBucket'), 'bucket-gone'],
    ['AccessDenied', awsError('AccessDenied'), 'refused'],
    ['AccessControlListNotSupported', awsError('AccessControlListNotSupported'), 'refused'],
    ['a refused AssumeRole', new AssumeRoleError('444455556666', ROLE, 'denied', { cause: awsError('AccessDenied') }), 'refused'],
    ['a throttled AssumeRole', new AssumeRoleError('444455556666', ROLE, 'slow down', { cause: awsError('Throttling') }), 'unknown'],
    ['an invalid account id', new InvalidAccountIdError('12'), 'refused'],
    ['a throttled S3 call', awsError('SlowDown'), 'unknown'],
    ['a plain Error', new Error('boom'), 'unknown'],
  ])('GIVEN %s THEN it is %s', (_name, error, kind) => {
    // WHEN the error is classified
    expect(classifyError(error)).toBe(kind);
  });
});

describe('refusalReason and unexpectedReason', () => {
  it.each([
    ['an S3 refusal names the code and who may deny it', 'PutBucketAcl', awsError('AccessDenied', 'no'), ['PutBucketAcl was refused (AccessDenied: no)', 'SCP']],
    ['a refused AssumeRole names the account, role and the member stack', 'reading', new AssumeRoleError('444455556666', ROLE, 'denied', { cause: awsError('AccessDenied', 'not trusted') }), ['cannot act in account 444455556666', ROLE, 'member stack']],
    ['an invalid account id says so', 'reading', new InvalidAccountIdError('12'), ['reading was not possible: "12" is not an AWS account ID']],
  ])('%s', (_name, what, error, parts) => {
    // GIVEN a refused call WHEN it is put in words THEN the reason says what to check
    const reason = refusalReason(what, error);
    for (const part of parts) expect(reason).toContain(part);
  });

  it('unexpectedReason gives the code and message', () => {
    expect(unexpectedReason('verifying the bucket', awsError('InternalError', 'try later'))).toBe('verifying the bucket failed unexpectedly (InternalError: try later)');
  });
});

describe('unexpected', () => {
  it('alerts, releases the claim it holds and rethrows as RemediationError with the cause', async () => {
    // GIVEN a run that holds its claim
    const ports = memoryPorts();
    const deps = memoryDeps(ports);
    const run = bucketRun(deps);
    run.claimed = true;
    const cause = awsError('InternalError');
    // WHEN an unknown error happens while reading
    const thrown = await unexpected(run, 'reading the bucket', cause).catch((error: unknown) => error);
    // THEN it is rethrown with the stage and cause, one critical alert went out, the claim was given back
    expect(thrown).toBeInstanceOf(RemediationError);
    expect((thrown as RemediationError).stage).toBe('reading the bucket');
    expect((thrown as RemediationError).cause).toBe(cause);
    expect(ports.alerts).toHaveLength(1);
    expect(ports.released).toEqual(['ct-stage-1']);
    expect(deps.metrics.count(METRICS.failed)).toBe(1);
    expect(ports.completed).toEqual([]);
  });

  it('sends no alert when the caller alerts itself, and releases nothing it does not hold', async () => {
    // GIVEN a sweep-like caller (alertOnUnexpectedError false) and a run without a claim
    const ports = memoryPorts();
    const run = bucketRun(memoryDeps(ports, {}, { alertOnUnexpectedError: false }));
    // WHEN an unknown error happens
    await expect(unexpected(run, 'claiming the audit record', new Error('boom'))).rejects.toThrow('unexpected error during claiming the audit record: boom');
    // THEN nothing was published or released
    expect(ports.alerts).toEqual([]);
    expect(ports.released).toEqual([]);
  });
});
