/** account-change: the account's Block Public Access, read, restored and verified. */
import { handleAccountLevelChange } from '../../../../lambda/remediate/stages/account-change';
import type { AccountChangeRequest } from '../../../../lambda/remediate/stages/types';
import type { AccountLevelChange } from '../../../../lambda/remediate/ports';
import { ACCOUNT, ALL_ON, EVENT_TIME, REGION, START, awsError, memoryDeps, memoryPorts } from './stage-support';

const OFF = { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true };

function request(): AccountChangeRequest {
  return { auditId: 'ct-account-1', trigger: 'event', eventTime: EVENT_TIME, receivedAt: START, leaseUntil: START + 60_000, eventName: 'PutAccountPublicAccessBlock', account: ACCOUNT, region: REGION };
}

describe('handleAccountLevelChange', () => {
  it.each([
    ['all four on', [ALL_ON], {}, 'already-private', [], 'all four account-level Block Public Access settings are on'],
    ['off, enforcement off', [OFF], {}, 'report-only', [], 'not restored (ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is false)'],
    ['off, report-only', [OFF], { enforceAccountBlockPublicAccess: true, mode: 'report-only' as const }, 'report-only', [], 'not restored (REMEDIATION_MODE is report-only)'],
    ['off, enforced, restored', [OFF, ALL_ON], { enforceAccountBlockPublicAccess: true }, 'remediated', ['PutAccountPublicAccessBlock'], 'all four turned back on and verified'],
    ['off, enforced, still off', [OFF], { enforceAccountBlockPublicAccess: true }, 'failed', ['PutAccountPublicAccessBlock'], 'still off after restoring it'],
  ])('GIVEN %s THEN %s', async (_name, reads, config, outcome, writes, reason) => {
    // GIVEN the account's setting as read
    const ports = memoryPorts({ accountReads: [...reads] });
    // WHEN the change is handled
    const result = await handleAccountLevelChange(request(), memoryDeps(ports, config));
    // THEN the outcome, the writes sent and the reason follow the setting and the configuration
    expect(result.outcome).toBe(outcome);
    expect(ports.writes.map((write) => write.api)).toEqual(writes);
    expect(result.reason).toContain(reason);
    expect(ports.claims[0]).toMatchObject({ id: 'ct-account-1', scope: 'account' });
    expect(ports.completed[0]?.scope).toBe('account');
  });

  it('marks the restore as not sent in report-only mode when enforcement is on', async () => {
    const ports = memoryPorts({ accountReads: [OFF] });
    const result = await handleAccountLevelChange(request(), memoryDeps(ports, { enforceAccountBlockPublicAccess: true, mode: 'report-only' }));
    expect(result.record?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutAccountPublicAccessBlock:not-sent']);
  });

  it('tells the sweep about the change through the account-level seam', async () => {
    const ports = memoryPorts({ accountReads: [OFF, ALL_ON] });
    const heard: AccountLevelChange[] = [];
    await handleAccountLevelChange(request(), memoryDeps(ports, { enforceAccountBlockPublicAccess: true }, { accountLevelChange: { onAccountLevelChange: async (change) => void heard.push(change) } }));
    expect(heard).toEqual([expect.objectContaining({ account: ACCOUNT, outcome: 'remediated', auditId: 'ct-account-1' })]);
  });

  it('records a refused restore as failed and mentions an organization policy', async () => {
    const ports = memoryPorts({ accountReads: [OFF], writeErrors: { PutAccountPublicAccessBlock: awsError('AccessDenied') } });
    const result = await handleAccountLevelChange(request(), memoryDeps(ports, { enforceAccountBlockPublicAccess: true }));
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain('an organization-level Block Public Access policy may manage this account');
  });
});
