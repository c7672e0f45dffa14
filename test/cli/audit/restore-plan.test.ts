import type { AuditRecord } from '../../../lambda/shared/audit/record';
import { describeCall, planRestore, targetMismatches, type CurrentBucketState, type RestorePlan, type RestorePlanResult } from '../../../cli/audit/restore-plan';
import { loadRecord, variant } from './records';

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const ALL_OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

/** The bucket exactly as the remediation left it. */
function afterState(record: AuditRecord): CurrentBucketState {
  const after = record.after ?? {};
  return {
    acl: after.acl ?? null,
    policy: after.policy ?? null,
    bucketPublicAccessBlock: after.bucketPublicAccessBlock ?? null,
    ownership: after.ownership ?? null,
  };
}

function planOf(result: RestorePlanResult): RestorePlan {
  if ('refused' in result) {
    throw new Error(`expected a plan, got a refusal: ${result.refused}`);
  }
  return result.plan;
}

const owner = (bucket: string) => ({ Bucket: bucket, ExpectedBucketOwner: '111122223333' });

describe('planRestore, block-public-access strategy', () => {
  test('no bucket-level settings before the remediation → delete them again, nothing else', () => {
    // GIVEN a remediation that turned on BPA on a bucket that had none
    const record = loadRecord('remediated-block-public-access');
    // WHEN planned against the state it left
    const plan = planOf(planRestore(record, afterState(record)));
    // THEN one call deletes the bucket-level configuration, and the target says "none"
    expect(plan.calls).toEqual([{ api: 'DeleteBucketPublicAccessBlock', input: owner('www-example-shop') }]);
    expect(plan.target).toEqual({ bucketPublicAccessBlock: null });
    expect(plan.notes).toEqual([]);
    expect(plan.incomplete).toBe(false);
  });

  test('partial settings before → put exactly those back, missing flags as false', () => {
    const record = variant(loadRecord('remediated-block-public-access'), {
      before: { ...loadRecord('remediated-block-public-access').before, bucketPublicAccessBlock: { BlockPublicAcls: true } },
    });
    const plan = planOf(planRestore(record, afterState(record)));
    expect(plan.calls).toEqual([
      { api: 'PutBucketPublicAccessBlock', input: { ...owner('www-example-shop'), PublicAccessBlockConfiguration: { ...ALL_OFF, BlockPublicAcls: true } } },
    ]);
  });

  test('settings changed since the remediation are overwritten, with a note saying so', () => {
    const record = loadRecord('remediated-block-public-access');
    const plan = planOf(planRestore(record, { ...afterState(record), bucketPublicAccessBlock: { ...ALL_ON, BlockPublicAcls: false } }));
    expect(plan.calls).toHaveLength(1);
    expect(plan.notes).toEqual([expect.stringContaining('Block Public Access on the bucket changed after the remediation')]);
  });
});

describe('planRestore, strip-public-grants strategy', () => {
  const record = loadRecord('remediated-strip-public-grants');
  const before = record.before ?? {};

  test('nothing touched since → BPA, then the policy and the ACL exactly as they were before', () => {
    // WHEN planned against the state the remediation left
    const plan = planOf(planRestore(record, afterState(record)));
    // THEN BPA first (so S3 accepts a public policy and ACL), then the before policy text verbatim and the before ACL
    expect(plan.calls).toEqual([
      { api: 'PutBucketPublicAccessBlock', input: { ...owner('vendor-uploads-2019'), PublicAccessBlockConfiguration: ALL_OFF } },
      { api: 'PutBucketPolicy', input: { ...owner('vendor-uploads-2019'), Policy: before.policy } },
      { api: 'PutBucketAcl', input: { ...owner('vendor-uploads-2019'), AccessControlPolicy: before.acl } },
    ]);
    expect(plan.notes).toEqual([]);
  });

  test('a statement added since → the removed statement is merged back at its original position, the new one kept', () => {
    // GIVEN someone added a statement after the remediation
    const afterPolicy = JSON.parse(record.after?.policy ?? '{}') as { Statement: unknown[] };
    const added = { Sid: 'AnalyticsRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:role/Analytics' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::vendor-uploads-2019/*' };
    const current = { ...afterState(record), policy: JSON.stringify({ ...afterPolicy, Statement: [...afterPolicy.Statement, added] }) };
    // WHEN planned
    const plan = planOf(planRestore(record, current));
    // THEN the policy put holds the before statements in order plus the new one, and a note explains the merge
    const beforeStatements = (JSON.parse(before.policy ?? '{}') as { Statement: unknown[] }).Statement;
    const put = plan.calls.find((call) => call.api === 'PutBucketPolicy');
    expect(JSON.parse(put?.api === 'PutBucketPolicy' ? put.input.Policy : '{}')).toEqual({
      Version: '2012-10-17',
      Id: 'VendorUploads',
      Statement: [...beforeStatements, added],
    });
    expect(plan.notes).toEqual([expect.stringContaining('1 removed statement will be merged into the current policy at its original position')]);
  });

  test('a grant added since → the removed grant is merged into the current ACL', () => {
    const grant = { Grantee: { Type: 'CanonicalUser', ID: 'aaaa' }, Permission: 'READ_ACP' };
    const acl = record.after?.acl ?? {};
    const plan = planOf(planRestore(record, { ...afterState(record), acl: { ...acl, Grants: [...(acl.Grants ?? []), grant] } }));
    const put = plan.calls.find((call) => call.api === 'PutBucketAcl');
    expect(put?.api === 'PutBucketAcl' ? put.input.AccessControlPolicy.Grants : []).toEqual([...(before.acl?.Grants ?? []), grant]);
  });

  test('the policy deleted since → a policy of the removed statements, with the old Version and Id', () => {
    const plan = planOf(planRestore(record, { ...afterState(record), policy: null }));
    const put = plan.calls.find((call) => call.api === 'PutBucketPolicy');
    expect(JSON.parse(put?.api === 'PutBucketPolicy' ? put.input.Policy : '{}')).toEqual({
      Version: '2012-10-17',
      Id: 'VendorUploads',
      Statement: [record.removed?.policyStatements[0]?.statement],
    });
  });

  test('a removed statement already back in the policy is not written again', () => {
    // GIVEN someone already put the public statement back by hand
    const plan = planOf(planRestore(record, { ...afterState(record), policy: before.policy ?? null }));
    // THEN no policy write, and a note says why
    expect(plan.calls.map((call) => call.api)).toEqual(['PutBucketPublicAccessBlock', 'PutBucketAcl']);
    expect(plan.target.policy).toBeUndefined();
    expect(plan.notes).toEqual(['The removed policy statements are already back in the current policy; it is left as it is.']);
  });

  test('BlockPublicPolicy and BlockPublicAcls on in the before-state → off for the writes, then back on', () => {
    // GIVEN a bucket whose before-state blocked new public policies and ACLs (the old ones were still public)
    const blocked = { ...ALL_OFF, BlockPublicPolicy: true, BlockPublicAcls: true };
    const strict = variant(record, { before: { ...before, bucketPublicAccessBlock: blocked } });
    // WHEN planned
    const plan = planOf(planRestore(strict, afterState(strict)));
    // THEN relax, write, then the exact before settings
    expect(plan.calls.map((call) => call.api)).toEqual(['PutBucketPublicAccessBlock', 'PutBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock']);
    expect(plan.calls[0]).toMatchObject({ input: { PublicAccessBlockConfiguration: ALL_OFF } });
    expect(plan.calls[3]).toMatchObject({ input: { PublicAccessBlockConfiguration: blocked } });
    expect(plan.target.bucketPublicAccessBlock).toEqual(blocked);
    expect(plan.notes).toEqual([expect.stringContaining('BlockPublicPolicy and BlockPublicAcls are on in the state to restore')]);
  });

  test('ACLs disabled since (BucketOwnerEnforced) → the ACL part is skipped and the plan is incomplete', () => {
    const plan = planOf(planRestore(record, { ...afterState(record), ownership: 'BucketOwnerEnforced' }));
    expect(plan.calls.map((call) => call.api)).toEqual(['PutBucketPublicAccessBlock', 'PutBucketPolicy']);
    expect(plan.incomplete).toBe(true);
    expect(plan.notes.join(' ')).toContain('Not restored: Object Ownership is now BucketOwnerEnforced');
  });

  test('a failed ACL write in the remediation is not "restored"', () => {
    const partial = variant(record, {
      actions: record.actions.map((action) => (action.api === 'PutBucketAcl' ? { ...action, result: 'failed' } : action)),
    });
    const plan = planOf(planRestore(partial, afterState(partial)));
    expect(plan.calls.map((call) => call.api)).toEqual(['PutBucketPublicAccessBlock', 'PutBucketPolicy']);
  });
});

describe('planRestore refuses what it cannot put back', () => {
  const bpa = loadRecord('remediated-block-public-access');
  const strip = loadRecord('remediated-strip-public-grants');
  test.each([
    ['an operator record', variant(bpa, { trigger: 'operator', eventName: 'GrantExemption' }), /an operator's action/],
    ['an account-level record', variant(bpa, { scope: 'account', bucket: undefined }), /account's Block Public Access/],
    ['report-only mode', variant(bpa, { mode: 'report-only' }), /report-only mode/],
    ['no successful write', variant(bpa, { outcome: 'failed', actions: [{ ...bpa.actions[0], result: 'failed' }] }), /made no successful change/],
    ['no before-state', variant(bpa, { before: {} }), /does not hold the bucket's Block Public Access settings/],
    ['an action named like a prototype member', variant(bpa, { actions: [{ api: 'constructor', request: {}, result: 'succeeded' }] }), /made no successful change/],
  ])('%s', (_name, record, reason) => {
    const result = planRestore(record, afterState(bpa));
    expect('refused' in result && result.refused).toMatch(reason);
  });

  test('a current policy that is not JSON', () => {
    const result = planRestore(strip, { ...afterState(strip), policy: '{oops' });
    expect('refused' in result && result.refused).toMatch(/not valid JSON/);
  });

  test('a merge that would duplicate a Sid', () => {
    const afterPolicy = JSON.parse(strip.after?.policy ?? '{}') as { Statement: unknown[] };
    const clash = { Sid: 'PublicList', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::vendor-uploads-2019' };
    const result = planRestore(strip, { ...afterState(strip), policy: JSON.stringify({ ...afterPolicy, Statement: [...afterPolicy.Statement, clash] }) });
    expect('refused' in result && result.refused).toMatch(/two statements with Sid "PublicList"/);
  });
});

describe('describeCall and targetMismatches', () => {
  test('each call reads as one line', () => {
    const plan = planOf(planRestore(loadRecord('remediated-strip-public-grants'), afterState(loadRecord('remediated-strip-public-grants'))));
    const lines = plan.calls.map(describeCall);
    expect(lines[0]).toBe('PutBucketPublicAccessBlock vendor-uploads-2019: BlockPublicAcls=false IgnorePublicAcls=false BlockPublicPolicy=false RestrictPublicBuckets=false');
    expect(lines[1]).toMatch(/^PutBucketPolicy vendor-uploads-2019: \{"Version"/);
    expect(lines[2]).toMatch(/^PutBucketAcl vendor-uploads-2019: \[\{"Grantee"/);
  });

  test('the state read back is compared part by part, ignoring display names S3 adds', () => {
    const record = loadRecord('remediated-strip-public-grants');
    const plan = planOf(planRestore(record, afterState(record)));
    const before = record.before ?? {};
    const restored: CurrentBucketState = {
      acl: { ...before.acl, Grants: (before.acl?.Grants ?? []).map((grant) => ({ ...grant, Grantee: { ...grant.Grantee, DisplayName: 'owner' } })) },
      policy: JSON.stringify(JSON.parse(before.policy ?? '{}')),
      bucketPublicAccessBlock: ALL_OFF,
      ownership: 'ObjectWriter',
    };
    expect(targetMismatches(plan.target, restored)).toEqual([]);
    expect(targetMismatches(plan.target, { ...restored, bucketPublicAccessBlock: ALL_ON, policy: null })).toEqual([
      expect.stringContaining('Block Public Access is'),
      'the bucket policy differs from the restored one',
    ]);
  });
});
