/** unreadable: a bucket whose state could not be read — recorded, or contained anyway (fail closed). */
import { AssumeRoleError, InvalidAccountIdError } from '../../../../lambda/shared/aws/assume-role';
import { readState } from '../../../../lambda/remediate/stages/read-state';
import { concludeUnreadable, shouldContainUnread } from '../../../../lambda/remediate/stages/unreadable';
import type { RemediateConfig } from '../../../../lambda/remediate/environment';
import type { BucketRemediationRequest } from '../../../../lambda/remediate/stages/types';
import { ALL_ON, awsError, bucketRequest, bucketRun, memoryDeps, memoryPorts, privateState, publicState, type MemoryPorts } from './stage-support';

const DENIED = awsError('AccessDenied', 'policy denies GetBucketPolicy');
const ROLE = 'arn:aws:iam::444455556666:role/BucketGuardrailMember';

describe('shouldContainUnread', () => {
  const applied = { status: 'applied' as const, exemption: { bucket: 'b', reason: 'r', owner: 'o', expires: '2999-01-01' } };
  it.each([
    ['an event in enforce mode', 'event', 'enforce', DENIED, undefined, true],
    ['an expired exemption does not stop it', 'event', 'enforce', DENIED, { ...applied, status: 'expired' as const }, true],
    ['report-only mode', 'event', 'report-only', DENIED, undefined, false],
    ['a sweep', 'sweep', 'enforce', DENIED, undefined, false],
    ['an applied exemption', 'event', 'enforce', DENIED, applied, false],
    ['a refused AssumeRole', 'event', 'enforce', new AssumeRoleError('444455556666', ROLE, 'denied', { cause: DENIED }), undefined, false],
    ['an invalid account id', 'event', 'enforce', new InvalidAccountIdError('12'), undefined, false],
  ] as const)('%s → contain anyway: %s', (_name, trigger, mode, error, exemption, expected) => {
    expect(shouldContainUnread({ trigger }, { mode }, error, exemption)).toBe(expected);
  });
});

async function unreadable(ports: MemoryPorts, config: Partial<RemediateConfig> = {}, request: BucketRemediationRequest = bucketRequest()) {
  const run = bucketRun(memoryDeps(ports, config), request);
  const reading = await readState(run, request);
  if (reading.finished !== undefined || reading.read.status !== 'rejected') throw new Error('the read did not fail');
  return concludeUnreadable(run, request, reading, reading.read.reason);
}

describe('concludeUnreadable', () => {
  it('contains a refused bucket of an event, verifies it private, and records remediated (high)', async () => {
    // GIVEN an event for a bucket whose policy denies reading it, readable once contained
    const ports = memoryPorts({ bucketReads: [DENIED, privateState({ bucketPublicAccessBlock: ALL_ON })] });
    // WHEN the unread path runs
    const result = await unreadable(ports);
    // THEN the containment write went out and the record says it was done without a verdict
    expect(ports.writes.map((write) => write.api)).toEqual(['PutBucketPublicAccessBlock']);
    expect(result.outcome).toBe('remediated');
    expect(result.record?.severity).toBe('high');
    expect(result.reason).toContain('without a verdict (fail closed) and verified private afterwards');
  });

  it('records failed (critical) when the bucket still reads public after containment', async () => {
    const ports = memoryPorts({ bucketReads: [DENIED, publicState()] });
    const result = await unreadable(ports);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain('contained without a verdict, but still public afterwards');
    expect(ports.sleeps).toEqual([250, 1000]);
  });

  it('records failed without a write for a sweep', async () => {
    const ports = memoryPorts({ bucketReads: [DENIED] });
    const result = await unreadable(ports, {}, bucketRequest({ trigger: 'sweep', auditId: 'sweep-1' }));
    expect(ports.writes).toEqual([]);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain("reading the bucket's configuration was refused (AccessDenied");
  });

  it('records bucket-gone for a deleted bucket', async () => {
    const ports = memoryPorts({ bucketReads: [awsError('NoSuchBucket')] });
    const result = await unreadable(ports);
    expect(result).toMatchObject({ outcome: 'bucket-gone', reason: 'the bucket no longer exists' });
    expect(ports.writes).toEqual([]);
  });

  it('rethrows an unknown read error and releases the claim', async () => {
    const ports = memoryPorts({ bucketReads: [awsError('InternalError')] });
    await expect(unreadable(ports)).rejects.toThrow('unexpected error during reading the bucket');
    expect(ports.released).toEqual(['ct-stage-1']);
  });
});
