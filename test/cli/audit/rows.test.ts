import { actorMatches, principalOf, selectRecords, toAuditRow } from '../../../cli/audit/rows';
import { exemptionRecord } from '../../../cli/audit/operator-records';
import { loadRecord, recordAt, variant } from './records';

describe('toAuditRow', () => {
  test('answers who, why, what was done and what changed for a strip remediation', () => {
    // GIVEN the strip-public-grants fixture
    const row = toAuditRow(loadRecord('remediated-strip-public-grants'));
    // THEN the row names the principal, the findings in words, each call and the removed statement and grant
    expect(row).toMatchObject({
      id: 'ct-0b7e9a12-5c3d-4e6f-8a9b-1c2d3e4f5a6b',
      kind: 'event',
      bucket: 'vendor-uploads-2019',
      outcome: 'remediated',
      strategy: 'strip-public-grants',
      actor: { principal: 'arn:aws:iam::111122223333:user/legacy-deployer', sourceIp: '198.51.100.7' },
      access: ['list', 'write'],
      timeToContainMs: 2180,
    });
    expect(row.why).toEqual([
      'ACL grant #1 (AllUsers WRITE): The ACL grants WRITE to AllUsers (anyone on the internet)',
      'Policy statement #1 "PublicList": Allows s3:ListBucket to everyone ({"AWS": "*"}) with no condition that limits who can call it',
      'public: list, write',
    ]);
    expect(row.actions).toEqual(['PutBucketPublicAccessBlock succeeded', 'PutBucketAcl succeeded', 'PutBucketPolicy succeeded']);
    expect(row.changes.map((change) => `${change.change} ${change.path}`)).toEqual([
      'removed acl.Grants[]',
      'changed bucketPublicAccessBlock.BlockPublicAcls',
      'changed bucketPublicAccessBlock.BlockPublicPolicy',
      'changed bucketPublicAccessBlock.IgnorePublicAcls',
      'changed bucketPublicAccessBlock.RestrictPublicBuckets',
      'removed policy.Statement[]',
    ]);
  });

  test('a claim with only its keys still gives a row, as in-progress', () => {
    const row = toAuditRow({ id: 'ct-x', eventTime: '2026-11-21T10:00:00Z', trigger: 'event', scope: 'bucket', account: '1', region: 'r', bucket: 'b' } as never);
    expect(row).toMatchObject({ outcome: 'in-progress', actions: [], changes: [], access: [], eventName: '—' });
  });

  test('an exemption change is an operator row naming the operator', () => {
    const record = exemptionRecord({
      id: 'op-1',
      caller: { arn: 'arn:aws:sts::111122223333:assumed-role/SecurityReviewer/carol', account: '111122223333', userId: 'AROA:carol' },
      times: { startedAt: new Date('2026-11-22T08:00:00Z'), finishedAt: new Date('2026-11-22T08:00:01Z') },
      account: '111122223333',
      region: 'us-east-1',
      actions: [],
      change: 'granted',
      exemption: { bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-01-31' },
    });
    expect(toAuditRow(record)).toMatchObject({
      kind: 'exemption',
      outcome: 'exemption-granted',
      bucket: 'site-*',
      actor: { principal: 'arn:aws:sts::111122223333:assumed-role/SecurityReviewer/carol', userAgent: 'bucket-guardrail-cli' },
    });
  });

  test.each([
    [{ arn: 'arn:x' }, 'event', 'arn:x'],
    [{ invokedBy: 'cloudformation.amazonaws.com' }, 'event', 'cloudformation.amazonaws.com'],
    [{ principalId: 'AIDA1' }, 'event', 'AIDA1'],
    [undefined, 'sweep', 'bucket-guardrail sweep'],
    [undefined, 'event', 'unknown'],
  ])('principalOf(%j, %s) is %s', (actor, trigger, expected) => {
    expect(principalOf(actor, trigger)).toBe(expected);
  });
});

describe('selectRecords', () => {
  const range = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T23:59:59Z') };
  const records = [
    recordAt('2026-11-20T08:00:00Z', 'remediated', 'b1'),
    recordAt('2026-11-21T09:00:00Z', 'failed', 'b2'),
    recordAt('2026-11-19T23:59:59Z', 'remediated', 'b1'),
    recordAt('2026-11-21T09:00:00.500Z', 'exempt', 'b3', { actor: { arn: 'arn:aws:iam::111122223333:user/bob', sourceIp: '192.0.2.1' } }),
  ];

  test('keeps the exact range, newest first, and drops duplicates from overlapping queries', () => {
    const selected = selectRecords([...records, records[1] as (typeof records)[number]], range, {});
    expect(selected.map((record) => record.bucket)).toEqual(['b3', 'b2', 'b1']);
  });

  test.each([
    [{ bucket: 'b1' }, ['b1']],
    [{ outcome: 'failed' }, ['b2']],
    [{ actor: 'BOB' }, ['b3']],
    [{ actor: '192.0.2' }, ['b3']],
    [{ actor: 'DeveloperAccess' }, ['b2', 'b1']],
  ])('filters %j keep %j', (filters, buckets) => {
    expect(selectRecords(records, range, filters).map((record) => record.bucket)).toEqual(buckets);
  });

  test('actorMatches looks at ARN, principal id, session issuer and source IP', () => {
    const record = variant(loadRecord('remediated-block-public-access'), {});
    expect(actorMatches(record, 'aroaexampleid')).toBe(true);
    expect(actorMatches(record, 'role/DeveloperAccess')).toBe(true);
    expect(actorMatches(record, 'mallory')).toBe(false);
  });
});
