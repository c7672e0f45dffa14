import { addDays, exemptCommand, restoreCommand, restoreCommands } from '../../../lambda/remediate/alert-commands';
import type { AuditAction } from '../../../lambda/shared/audit/record';
import { sampleRecord, SAMPLE_POLICY } from './sample-record';

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function succeeded(api: string): AuditAction {
  return { api, request: {}, result: 'succeeded', at: '2025-03-04T10:15:33.150Z', durationMs: 20 };
}

describe('restoreCommands', () => {
  it('deletes the bucket Block Public Access the guardrail added when there was none before', () => {
    expect(restoreCommands(sampleRecord())).toEqual([
      'aws s3api delete-public-access-block --bucket guardrail-demo-data --expected-bucket-owner 111122223333',
    ]);
  });

  it('puts back the settings that were there, and points at the stored policy and ACL for a strip', () => {
    const before = { ...sampleRecord().before, bucketPublicAccessBlock: { ...ALL_ON, BlockPublicPolicy: false, RestrictPublicBuckets: false } };
    const record = sampleRecord({ before, actions: [succeeded('PutBucketPublicAccessBlock'), succeeded('PutBucketPolicy'), succeeded('PutBucketAcl')] });
    expect(restoreCommands(record)).toEqual([
      'aws s3api put-public-access-block --bucket guardrail-demo-data --expected-bucket-owner 111122223333 --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
      'aws s3api put-bucket-policy --bucket guardrail-demo-data --expected-bucket-owner 111122223333 --policy file://policy.json',
      `  (policy.json: "before.policy" of audit record ${record.id})`,
      'aws s3api put-bucket-acl --bucket guardrail-demo-data --expected-bucket-owner 111122223333 --access-control-policy file://acl.json',
      `  (acl.json: "before.acl" of audit record ${record.id})`,
    ]);
  });

  it('names only writes that succeeded: a failed write changed nothing to put back', () => {
    const record = sampleRecord({ outcome: 'failed', actions: [{ ...succeeded('PutBucketPublicAccessBlock'), result: 'failed' }] });
    expect(restoreCommands(record)).toEqual([]);
    expect(restoreCommand(record)).toBeUndefined();
  });

  it('puts back the account-level settings for an account record', () => {
    const before = { ...sampleRecord().before, accountPublicAccessBlock: { ...ALL_ON, IgnorePublicAcls: false } };
    const record = sampleRecord({ scope: 'account', before, actions: [succeeded('PutAccountPublicAccessBlock')] });
    expect(restoreCommands(record)).toEqual([
      'aws s3control put-public-access-block --account-id 111122223333 --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    ]);
    expect(restoreCommand(record)).toBeUndefined();
    expect(exemptCommand(record)).toBeUndefined();
  });
});

describe('the CLI commands an alert names', () => {
  it('restores by record ID, and exempts for 90 days from the event', () => {
    const record = sampleRecord({ before: { ...sampleRecord().before, policy: SAMPLE_POLICY } });
    expect(restoreCommand(record)).toBe('npx bucket-guardrail restore ct-5a1f0000-0000-4000-8000-000000000007');
    expect(exemptCommand(record)).toBe('npx bucket-guardrail exempt guardrail-demo-data --reason "<why>" --owner "<team>" --expires 2025-06-02');
  });

  it('names neither for an operator record', () => {
    const record = sampleRecord({ trigger: 'operator' });
    expect(restoreCommand(record)).toBeUndefined();
    expect(exemptCommand(record)).toBeUndefined();
  });

  it('counts days in UTC, and from the epoch when the time cannot be read', () => {
    expect(addDays('2025-12-31T23:30:00Z', 1)).toBe('2026-01-01');
    expect(addDays('not a time', 0)).toBe('1970-01-01');
  });
});
