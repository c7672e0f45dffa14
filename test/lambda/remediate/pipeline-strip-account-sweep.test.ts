/**
 * The remediation pipeline end to end over the real adapters and the stateful fakes: the strip-public-grants
 * strategy on a bucket, account-level events (account Block Public Access), and one bucket without an event
 * (the sweep entry point, remediateBucket).
 */
import { auditIdForSweep } from '../../../lambda/shared/audit/record';
import { processEvent, remediateBucket } from '../../../lambda/remediate/pipeline';
import type { AccountLevelChange } from '../../../lambda/remediate/ports';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { ALL_USERS, privateAcl, publicReadAcl, publicReadPolicy } from '../../fakes/s3-fake';
import { ACCOUNT, EVENT_TIME, REGION, START, attribute, emailOf, event, fixture, pipelineOverFakes, writesTo } from './support';

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
});

afterEach(() => {
  fakes.restore();
});

const { deps, exposedBucket, storedRecords } = pipelineOverFakes(() => fakes);

describe('strip-public-grants strategy', () => {
  const privateStatement = {
    Sid: 'ReadFromOurAccount',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::strip-mixed/*',
  };

  it('removes exactly the public statement and grant, after saving their exact text, and keeps everything else', async () => {
    // GIVEN a bucket whose policy has one public and one private statement and whose ACL has a public grant
    exposedBucket('strip-mixed', { policy: publicReadPolicy('strip-mixed', [privateStatement]), acl: publicReadAcl(), ownership: 'ObjectWriter' });
    const publicStatement = (JSON.parse(publicReadPolicy('strip-mixed')) as { Statement: unknown[] }).Statement[0];

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-mixed'), deps({ strategy: 'strip-public-grants' }));

    // THEN containment came first, the exact removal was saved before any strip write, and only public parts went
    expect(result.outcome).toBe('remediated');
    const log = fakes.log;
    // (the first update is the claim)
    const [, saved] = log.find('dynamodb', 'Update');
    const [aclWrite] = log.find('s3', 'PutBucketAcl');
    const [policyWrite] = log.find('s3', 'PutBucketPolicy');
    expect(saved && aclWrite && policyWrite).toBeTruthy();
    expect((saved?.endSeq as number) < (aclWrite?.startSeq as number)).toBe(true);
    expect((saved?.endSeq as number) < (policyWrite?.startSeq as number)).toBe(true);
    const savedRemoval = (saved?.input.ExpressionAttributeValues as Record<string, unknown>)[':v1'];
    expect(savedRemoval).toEqual({
      aclGrants: [{ index: 1, grant: { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' } }],
      policyStatements: [{ index: 0, statement: publicStatement }],
      policyDeleted: false,
    });
    const bucket = fakes.s3.bucket('strip-mixed');
    expect(JSON.parse(bucket.policy ?? '{}').Statement).toEqual([privateStatement]);
    expect(bucket.acl).toEqual(privateAcl());
    expect(storedRecords()[0]?.removed).toEqual(savedRemoval);
    expect(storedRecords()[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual([
      'PutBucketPublicAccessBlock:succeeded',
      'PutBucketAcl:succeeded',
      'PutBucketPolicy:succeeded',
    ]);
  });

  it('deletes the policy only when no statement is left', async () => {
    // GIVEN a bucket whose only statement is public
    exposedBucket('strip-only-public');

    // WHEN the pipeline runs with the strip strategy
    await processEvent(event('put-bucket-policy.new', 'strip-only-public'), deps({ strategy: 'strip-public-grants' }));

    // THEN the policy is deleted and the record says why
    expect(writesTo(fakes, 'strip-only-public')).toEqual(['s3:PutPublicAccessBlock', 's3:DeleteBucketPolicy']);
    expect(fakes.s3.bucket('strip-only-public').policy).toBeNull();
    expect(storedRecords()[0]?.removed?.policyDeleted).toBe(true);
  });

  it('leaves ACLs alone on a BucketOwnerEnforced bucket', async () => {
    // GIVEN a bucket with ACLs disabled but a public grant left in its ACL, and a public policy
    exposedBucket('strip-enforced', { acl: publicReadAcl(), ownership: 'BucketOwnerEnforced' });

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-enforced'), deps({ strategy: 'strip-public-grants' }));

    // THEN the policy is handled, the ACL is not touched, and the record says why
    expect(result.outcome).toBe('remediated');
    expect(writesTo(fakes, 'strip-enforced')).toEqual(['s3:PutPublicAccessBlock', 's3:DeleteBucketPolicy']);
    expect(fakes.s3.bucket('strip-enforced').acl).toEqual(publicReadAcl());
    expect(storedRecords()[0]?.removed?.aclLeftAlone).toMatch(/BucketOwnerEnforced/);
  });

  it('changes nothing in report-only mode but records what it would remove', async () => {
    // GIVEN an exposed bucket
    exposedBucket('strip-report-only', { acl: publicReadAcl() });

    // WHEN the pipeline runs in report-only mode with the strip strategy
    const result = await processEvent(event('put-bucket-policy.new', 'strip-report-only'), deps({ strategy: 'strip-public-grants', mode: 'report-only' }));

    // THEN no write was sent; the would-be actions and removal are in the record
    expect(result.outcome).toBe('report-only');
    expect(writesTo(fakes, 'strip-report-only')).toEqual([]);
    const record = storedRecords()[0];
    expect(record?.actions.map((action) => `${action.api}:${action.result}`)).toEqual([
      'PutBucketPublicAccessBlock:not-sent',
      'PutBucketAcl:not-sent',
      'DeleteBucketPolicy:not-sent',
    ]);
    expect(record?.removed?.policyStatements).toHaveLength(1);
  });

  it('fails with a critical alert when S3 refuses the ACL change, after containment held', async () => {
    // GIVEN an exposed bucket whose ACL change will be refused
    exposedBucket('strip-refused', { acl: publicReadAcl(), policy: null });
    fakes.s3.injectError({ command: 'PutBucketAcl', bucket: 'strip-refused' }, 'AccessControlListNotSupported');

    // WHEN the pipeline runs with the strip strategy
    const result = await processEvent(event('put-bucket-acl.new', 'strip-refused'), deps({ strategy: 'strip-public-grants' }));

    // THEN the outcome is failed, the reason says what happened, and the bucket stays contained
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/contained with Block Public Access, but PutBucketAcl was refused \(AccessControlListNotSupported/);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
    expect(fakes.s3.isPublic('strip-refused')).toBe(false);
  });
});

describe('account-level events', () => {
  const accountEvent = (name: string) => {
    const raw = fixture(name);
    raw.detail.eventTime = EVENT_TIME;
    return raw;
  };

  it('turns all four account settings back on when enforcement is configured', async () => {
    // GIVEN the account's Block Public Access was deleted
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
    const changes: AccountLevelChange[] = [];
    const pipeline = { ...deps({ enforceAccountBlockPublicAccess: true }), accountLevelChange: { onAccountLevelChange: async (change: AccountLevelChange) => void changes.push(change) } };

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.new'), pipeline);

    // THEN S3 Control restored it, verified, recorded what was there, alerted, and told the account-level seam
    expect(result.outcome).toBe('remediated');
    expect(fakes.log.find('s3control', 'PutPublicAccessBlock').map((entry) => entry.input)).toEqual([
      { AccountId: ACCOUNT, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
    ]);
    expect(fakes.s3.accountBlocks.get(ACCOUNT)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const record = storedRecords()[0];
    expect(record).toMatchObject({ scope: 'account', before: { accountPublicAccessBlock: null }, outcome: 'remediated' });
    expect(record?.bucket).toBeUndefined();
    expect(fakes.sns.published).toHaveLength(1);
    expect(attribute(fakes.sns.published[0], 'bucket')).toBeUndefined();
    expect(changes).toEqual([expect.objectContaining({ account: ACCOUNT, outcome: 'remediated', auditId: result.auditId })]);
  });

  it.each([
    { name: 'enforcement is off', config: { enforceAccountBlockPublicAccess: false }, actions: [] as string[], reason: /ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is false/ },
    { name: 'the mode is report-only', config: { enforceAccountBlockPublicAccess: true, mode: 'report-only' as const }, actions: ['PutAccountPublicAccessBlock:not-sent'], reason: /REMEDIATION_MODE is report-only/ },
  ])('records and alerts a weakened account setting without changing it when $name', async ({ config, actions, reason }) => {
    // GIVEN the account turned two settings off
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });

    // WHEN the PutAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('put-account-public-access-block.old'), deps(config));

    // THEN nothing is written to S3 Control; the record and alert say what is off
    expect(result.outcome).toBe('report-only');
    expect(result.reason).toMatch(reason);
    expect(result.reason).toContain('off: BlockPublicPolicy, RestrictPublicBuckets');
    expect(fakes.log.find('s3control', 'PutPublicAccessBlock')).toHaveLength(0);
    expect(storedRecords()[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(actions);
    expect(storedRecords()[0]?.requestedPublicAccessBlock).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('high');
    expect(emailOf(fakes.sns.published[0])).toContain('asked for Block Public Access: all four off');
  });

  it('records an account event that left every setting on, without an alert', async () => {
    // GIVEN the account setting is fully on
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    // WHEN a PutAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('put-account-public-access-block.new'), deps({ enforceAccountBlockPublicAccess: true }));

    // THEN it is recorded as already private and nobody is paged
    expect(result.outcome).toBe('already-private');
    expect(fakes.sns.published).toHaveLength(0);
  });

  it('fails with a critical alert when S3 Control refuses the restore (an organization-level policy)', async () => {
    // GIVEN the account setting is off and the restore is denied
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
    fakes.s3.injectError({ command: 'PutPublicAccessBlock', service: 's3control' }, 'AccessDenied');

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.old'), deps({ enforceAccountBlockPublicAccess: true }));

    // THEN the outcome is failed and critical
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/organization-level Block Public Access policy/);
    expect(attribute(fakes.sns.published[0], 'severity')).toBe('critical');
  });

  it('reads the account setting fresh rather than from the per-container cache', async () => {
    // GIVEN a bucket check cached the account setting as fully on, then the account setting was deleted
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    fakes.s3.addBucket('cache-warmer', { account: ACCOUNT, region: REGION });
    const pipeline = deps({ enforceAccountBlockPublicAccess: true });
    await processEvent(event('create-bucket.new', 'cache-warmer'), pipeline);
    fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);

    // WHEN the DeleteAccountPublicAccessBlock event arrives
    const result = await processEvent(accountEvent('delete-account-public-access-block.new'), pipeline);

    // THEN the change is seen and restored
    expect(result.outcome).toBe('remediated');
  });
});

describe('one bucket without an event (the sweep entry point)', () => {
  it('runs the same pipeline for a bucket found by a sweep and marks the record as a sweep record', async () => {
    // GIVEN an exposed bucket
    exposedBucket('found-by-sweep');
    const pipeline = deps();
    const sweepId = 'sweep-2025-03-04T12:00:00Z';

    // WHEN the sweep asks for it to be checked
    const result = await remediateBucket(
      {
        target: { bucket: 'found-by-sweep', account: ACCOUNT, region: REGION },
        auditId: auditIdForSweep(sweepId, 'found-by-sweep'),
        trigger: 'sweep',
        sweepId,
        eventTime: '2025-03-04T12:00:00Z',
        receivedAt: START,
        leaseUntil: START + 60_000,
      },
      pipeline,
    );

    // THEN it is contained and recorded as found by the sweep
    expect(result.outcome).toBe('remediated');
    expect(storedRecords()[0]).toMatchObject({ trigger: 'sweep', sweepId, bucket: 'found-by-sweep' });
    expect(storedRecords()[0]?.eventId).toBeUndefined();
    expect(attribute(fakes.sns.published[0], 'eventName')).toBe('Sweep');
    expect(emailOf(fakes.sns.published[0])).toContain(`Found by a sweep (${sweepId})`);
  });
});
