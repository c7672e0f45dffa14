import { archiveLock, archiveLockFor, archiveWriteRules, parseArchiveLockSettings, type ArchiveLockSettings } from '../../../../lambda/shared/audit/archive-lock';
import { denyRuleMatches, putObjectConditionKeys } from '../../../fakes/s3-fake';

describe('the Object Lock retention of an archive copy', () => {
  it('is COMPLIANCE until the retention period after the write', () => {
    const written = Date.parse('2026-12-04T16:00:00Z');
    expect(archiveLock(2555, written)).toEqual({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date('2033-12-02T16:00:00Z') });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a retention of %s days', (days) => {
    expect(() => archiveLock(days, 0)).toThrow(/whole number of days, at least 1/);
  });
});

describe('the lock mode follows the deployment', () => {
  const written = Date.parse('2026-12-04T16:00:00Z');

  it('is GOVERNANCE when the deployment says so (a trial that must be removable)', () => {
    expect(archiveLock(30, written, 'GOVERNANCE')).toEqual({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date('2027-01-03T16:00:00Z') });
    expect(archiveLockFor({ mode: 'GOVERNANCE', retentionDays: 30 }, written)?.ObjectLockMode).toBe('GOVERNANCE');
  });

  it('sends no lock headers when the deployment locks nothing (NONE)', () => {
    expect(archiveLockFor({ mode: 'NONE' }, written)).toBeUndefined();
  });

  it.each([
    // mode, days → settings or the reason
    ['COMPLIANCE', '365', { mode: 'COMPLIANCE', retentionDays: 365 }],
    ['GOVERNANCE', 7, { mode: 'GOVERNANCE', retentionDays: 7 }],
    ['NONE', undefined, { mode: 'NONE' }],
    ['NONE', '365', { mode: 'NONE' }],
  ])('reads %s with %s days', (mode, days, expected) => {
    expect(parseArchiveLockSettings(mode, days)).toEqual(expected);
  });

  it.each([
    ['compliance', '365', /is not one of COMPLIANCE, GOVERNANCE, NONE/],
    ['COMPLIANCE', undefined, /COMPLIANCE needs a retention/],
    ['GOVERNANCE', '0', /at least 1/],
    ['COMPLIANCE', '36501', /at most 36500/],
    ['COMPLIANCE', '1.5', /whole number of days/],
  ])('refuses %s with %s days', (mode, days, reason) => {
    expect(() => parseArchiveLockSettings(mode, days)).toThrow(reason);
  });
});

describe("the archive's bucket policy refuses a copy without the deployment's lock", () => {
  const now = Date.parse('2026-12-04T16:00:00Z');
  const inForce = (settings: ArchiveLockSettings, request: Parameters<typeof putObjectConditionKeys>[0]): string[] =>
    archiveWriteRules(settings)
      .filter((rule) => denyRuleMatches(rule, putObjectConditionKeys(request, now + 250)))
      .map((rule) => rule.sid);

  it('lets through the copy the writers send: the mode and a retain-until date the retention away', () => {
    const settings = { mode: 'COMPLIANCE', retentionDays: 365 } as const;
    expect(inForce(settings, { IfNoneMatch: '*', ...archiveLockFor(settings, now) })).toEqual([]);
  });

  it.each([
    ['no lock headers (a write relying on the default retention)', {}, ['DenyPutWithoutArchiveLockMode', 'DenyPutWithoutRetainUntilDate']],
    ['GOVERNANCE where COMPLIANCE is required', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(now + 365 * 86_400_000) }, ['DenyPutWithoutArchiveLockMode']],
    ['a retention shorter than the archive keeps', { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(now + 30 * 86_400_000) }, ['DenyPutWithShorterRetention']],
  ])('denies %s', (_, request, sids) => {
    expect(inForce({ mode: 'COMPLIANCE', retentionDays: 365 }, request)).toEqual(sids);
  });

  it('requires nothing of a deployment that locks nothing (NONE)', () => {
    expect(archiveWriteRules({ mode: 'NONE' })).toEqual([]);
  });

  it('names the real S3 condition keys, with one day of slack for the time the request takes', () => {
    expect(archiveWriteRules({ mode: 'GOVERNANCE', retentionDays: 30 })).toEqual([
      { sid: 'DenyPutWithoutArchiveLockMode', conditions: { StringNotEquals: { 's3:object-lock-mode': 'GOVERNANCE' } } },
      { sid: 'DenyPutWithoutRetainUntilDate', conditions: { Null: { 's3:object-lock-remaining-retention-days': 'true' } } },
      { sid: 'DenyPutWithShorterRetention', conditions: { NumericLessThan: { 's3:object-lock-remaining-retention-days': '29' } } },
    ]);
  });
});
