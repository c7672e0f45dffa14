import { archiveLock } from '../../../../lambda/shared/audit/archive-lock';

describe('the Object Lock retention of an archive copy', () => {
  it('is COMPLIANCE until the retention period after the write', () => {
    const written = Date.parse('2026-12-04T16:00:00Z');
    expect(archiveLock(2555, written)).toEqual({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date('2033-12-02T16:00:00Z') });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a retention of %s days', (days) => {
    expect(() => archiveLock(days, 0)).toThrow(/whole number of days, at least 1/);
  });
});
