import { canonicalJson, sha256Hex } from '../../../lambda/shared/audit/record';
import { exemptionRecord, identityType, operatorActor, restoreRecord } from '../../../cli/audit/operator-records';
import { itemOf } from '../../../cli/audit/aws';

const caller = { arn: 'arn:aws:sts::111122223333:assumed-role/OnCall/dave', account: '111122223333', userId: 'AROAONCALL:dave' };
const times = { startedAt: new Date('2026-11-22T08:00:00.000Z'), finishedAt: new Date('2026-11-22T08:00:02.500Z') };

describe('operator records', () => {
  test.each([
    ['arn:aws:sts::111122223333:assumed-role/OnCall/dave', 'AssumedRole'],
    ['arn:aws:iam::111122223333:user/erin', 'IAMUser'],
    ['arn:aws:iam::111122223333:root', 'Root'],
    ['arn:aws:sts::111122223333:federated-user/frank', 'FederatedUser'],
    ['something else', 'Unknown'],
  ])('%s is a %s', (arn, type) => {
    expect(identityType(arn)).toBe(type);
  });

  test('the operator is named as CloudTrail would name them, with the role behind the session', () => {
    expect(operatorActor(caller)).toEqual({
      type: 'AssumedRole',
      arn: caller.arn,
      principalId: 'AROAONCALL:dave',
      accountId: '111122223333',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/OnCall',
      userAgent: 'bucket-guardrail-cli',
    });
  });

  test('a restore record names the remediation, the operator, the states and the exemption, in the record format', () => {
    const record = restoreRecord({
      id: 'op-restore',
      caller,
      times,
      account: '111122223333',
      region: 'us-east-1',
      actions: [],
      severity: 'critical',
      bucket: 'vendor-uploads-2019',
      remediation: { id: 'ct-1', mode: 'enforce', strategy: 'strip-public-grants' },
      before: { policy: null },
      after: { policy: '{}' },
      succeeded: true,
      reason: 'r',
      exemption: { bucket: 'vendor-uploads-2019', reason: 'restore', owner: 'dave', expires: '2026-12-22T08:00:00Z' },
    });
    expect(record).toMatchObject({
      schemaVersion: 1,
      trigger: 'operator',
      scope: 'bucket',
      eventName: 'RestoreRemediation',
      eventTime: '2026-11-22T08:00:00.000Z',
      relatedRecordId: 'ct-1',
      outcome: 'restored',
      mode: 'enforce',
      strategy: 'strip-public-grants',
      durationMs: 2500,
      exemption: { status: 'granted', bucket: 'vendor-uploads-2019' },
    });
    // AND its item carries the same derived attributes as the remediator's records
    const item = itemOf(record);
    expect(item.day).toBe('2026-11-22');
    expect(item.recordSha256).toBe(sha256Hex(canonicalJson(record)));
    expect(item.archiveKey).toBe('audit/2026/11/22/op-restore.json');
  });

  test('an exemption change says what it replaced, and carries no remediation mode', () => {
    const record = exemptionRecord({
      id: 'op-x',
      caller,
      times,
      account: '111122223333',
      region: 'us-east-1',
      actions: [],
      change: 'granted',
      exemption: { bucket: 'site-*', reason: 'website', owner: 'web', expires: '2027-01-31' },
      replaced: { bucket: 'site-*', reason: 'old', owner: 'old-team', expires: '2026-12-01' },
    });
    expect(record.reason).toBe('Exemption for site-* granted until 2027-01-31, owner web: website. It replaced the exemption owned by old-team until 2026-12-01 ("old").');
    expect(record.mode).toBeUndefined();
    expect(record.strategy).toBeUndefined();
    expect(record.severity).toBe('medium');
  });
});
