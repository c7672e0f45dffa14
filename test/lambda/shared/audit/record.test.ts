import fc from 'fast-check';
import {
  AUDIT_OUTCOMES,
  AUDIT_TRIGGERS,
  OPERATOR_OUTCOMES,
  REMEDIATION_OUTCOMES,
  isRemediationOutcome,
  recordJson,
  AUDIT_SCHEMA_VERSION,
  auditIdForCloudTrailEvent,
  auditIdForSweep,
  canonicalJson,
  itemMatchesHash,
  maxSeverity,
  recordFromItem,
  sha256Hex,
  toAuditItem,
} from '../../../../lambda/shared/audit/record';
import { AUDIT_TABLE } from '../../../../lambda/shared/audit/table-schema';
import { sampleRecord } from '../../remediate/sample-record';

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order, drops undefined members', () => {
    // GIVEN an object with keys out of order and undefined members
    const value = { b: 1, a: { d: [3, { z: 1, y: undefined }, 1], c: 'x' }, u: undefined, t: new Date(Date.UTC(2025, 0, 2)) };

    // WHEN rendered canonically THEN the text is fixed
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[3,{"z":1},1]},"b":1,"t":"2025-01-02T00:00:00.000Z"}');
  });

  it('gives the same text for the same value, however its keys were ordered', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value, (_key, member: unknown) => {
          if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
          return Object.fromEntries(Object.entries(member as Record<string, unknown>).reverse());
        })) as unknown;
        return canonicalJson(value) === canonicalJson(reordered) && JSON.stringify(JSON.parse(canonicalJson(value))) === canonicalJson(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hashes and ids', () => {
  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    ['43258a7e-eef1-44ef-9aff-1e5b4cfd825d', 'ct-43258a7e-eef1-44ef-9aff-1e5b4cfd825d'],
    ['ABCDEF12-0000-4000-8000-000000000000', 'ct-abcdef12-0000-4000-8000-000000000000'],
  ])('derives the record id of CloudTrail event %s as %s', (eventId, id) => {
    expect(auditIdForCloudTrailEvent(eventId)).toBe(id);
  });

  it('hashes an event id that is not a plain token, deterministically', () => {
    const id = auditIdForCloudTrailEvent('weird/id with spaces');
    expect(id).toMatch(/^ct-sha256-[0-9a-f]{40}$/);
    expect(auditIdForCloudTrailEvent('weird/id with spaces')).toBe(id);
  });

  it('derives one sweep record id per sweep and bucket', () => {
    expect(auditIdForSweep('s1', 'b')).toBe(auditIdForSweep('s1', 'b'));
    expect(auditIdForSweep('s1', 'b')).not.toBe(auditIdForSweep('s2', 'b'));
    expect(auditIdForSweep('s1', 'b')).toMatch(/^sweep-[0-9a-f]{40}$/);
  });
});

describe('the DynamoDB item', () => {
  it('is the record plus the day, the hash of its canonical JSON and its archive key', () => {
    // GIVEN a record WHEN turned into an item
    const record = sampleRecord();
    const item = toAuditItem(record);

    // THEN the derived attributes are those of table-schema.ts
    expect(item[AUDIT_TABLE.dayAttribute as 'day']).toBe('2025-03-04');
    expect(item[AUDIT_TABLE.hashAttribute as 'recordSha256']).toBe(sha256Hex(canonicalJson(record)));
    expect(item[AUDIT_TABLE.archiveKeyAttribute as 'archiveKey']).toBe(`audit/2025/03/04/${record.id}.json`);
    expect(item.schemaVersion).toBe(AUDIT_SCHEMA_VERSION);
  });

  it('gives back the exact record, and detects a changed one', () => {
    // GIVEN a stored item with bookkeeping attributes
    const record = sampleRecord();
    const stored = { ...toAuditItem(record), undelivered: ['alert'], claimToken: 't', leaseUntil: 1, phase: 'claimed', lastError: {} };

    // WHEN the record is read back THEN it is the original and matches its hash
    expect(recordFromItem(stored)).toEqual(record);
    expect(itemMatchesHash(stored)).toBe(true);

    // AND a tampered item no longer matches
    expect(itemMatchesHash({ ...stored, outcome: 'already-private' })).toBe(false);
  });
});

describe('the record\'s canonical JSON, computed once', () => {
  it('is the canonical JSON of the record, and the same text for the same record object', () => {
    // GIVEN a record WHEN its text is asked for twice THEN it is the canonical JSON, computed once
    const record = sampleRecord();
    const first = recordJson(record);
    expect(first).toBe(canonicalJson(record));
    expect(recordJson(record)).toBe(first);
  });

  it('is computed afresh for another record object with other content', () => {
    const record = sampleRecord();
    recordJson(record);
    const changed = { ...record, outcome: 'failed' as const };
    expect(recordJson(changed)).toBe(canonicalJson(changed));
    expect(recordJson(changed)).not.toBe(recordJson(record));
  });
});

describe('the fields added for the sweep, the CLI and organizations', () => {
  it.each([
    ['a sweep finding with who exposed it', { trigger: 'sweep' as const, sweepId: 's-1', exposedBy: { status: 'found' as const, eventName: 'PutBucketAcl', eventTime: '2025-03-01T00:00:00Z', actor: { arn: 'arn:aws:iam::111122223333:user/x' } } }],
    ['a bucket in a member account', { account: '444455556666', actingRoleArn: 'arn:aws:iam::444455556666:role/BucketGuardrailMember' }],
    [
      'an operator\'s restore',
      { trigger: 'operator' as const, outcome: 'restored' as const, relatedRecordId: 'ct-1', exemption: { bucket: 'b', reason: 'r', owner: 'o', expires: '2099-01-01', status: 'granted' as const } },
    ],
    ['an exemption change (no mode or strategy)', { trigger: 'operator' as const, outcome: 'exemption-revoked' as const, mode: undefined, strategy: undefined }],
  ])('stores %s and reads it back exactly, hash intact', (_name, overrides) => {
    // GIVEN a record with the new fields WHEN stored as an item and read back THEN nothing is lost or altered
    const record = sampleRecord(overrides);
    const item = { ...toAuditItem(record) };
    expect(recordFromItem(item)).toEqual(JSON.parse(JSON.stringify(record)));
    expect(itemMatchesHash(item)).toBe(true);
  });
});

describe('vocabulary', () => {
  it('names the seven remediation outcomes of the issue, then the three operator outcomes of the CLI', () => {
    expect([...REMEDIATION_OUTCOMES]).toEqual(['remediated', 'already-private', 'exempt', 'report-only', 'failed', 'ignored', 'bucket-gone']);
    expect([...OPERATOR_OUTCOMES]).toEqual(['restored', 'exemption-granted', 'exemption-revoked']);
    expect([...AUDIT_OUTCOMES]).toEqual([...REMEDIATION_OUTCOMES, ...OPERATOR_OUTCOMES]);
  });

  it.each([
    ['remediated', true],
    ['bucket-gone', true],
    ['restored', false],
    ['exemption-granted', false],
    ['unknown', false],
    [undefined, false],
  ] as const)('tells a remediation outcome (%s) from anything else: %s', (outcome, expected) => {
    // GIVEN a stored outcome WHEN it is checked THEN only the pipeline's seven pass
    expect(isRemediationOutcome(outcome)).toBe(expected);
  });

  it('names the three triggers: a CloudTrail event, a sweep, an operator', () => {
    expect([...AUDIT_TRIGGERS]).toEqual(['event', 'sweep', 'operator']);
  });

  it.each([
    [['low', 'high'], 'high'],
    [['medium', 'critical', 'low'], 'critical'],
    [[], 'low'],
  ] as const)('the most severe of %j is %s', (levels, expected) => {
    expect(maxSeverity(...levels)).toBe(expected);
  });
});
