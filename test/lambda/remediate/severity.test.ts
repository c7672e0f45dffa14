import { bucketSeverity, exposureSeverity, raiseOneLevel, sensitiveTagsOf } from '../../../lambda/remediate/severity';
import type { AccessLevel } from '../../../lambda/shared/exposure/types';

describe('severity', () => {
  it.each([
    { access: ['read', 'list', 'write', 'readAcp', 'writeAcp'], expected: 'critical' },
    { access: ['write'], expected: 'critical' },
    { access: ['writeAcp'], expected: 'critical' },
    { access: ['read'], expected: 'high' },
    { access: ['read', 'list'], expected: 'high' },
    { access: ['list'], expected: 'medium' },
    { access: ['readAcp'], expected: 'medium' },
    { access: [], expected: 'high' },
  ] as { access: AccessLevel[]; expected: string }[])('public with $access is $expected', ({ access, expected }) => {
    // GIVEN what the public can do WHEN rated THEN the most dangerous level decides
    expect(exposureSeverity({ public: true, access })).toBe(expected);
  });

  it('rates a bucket that is not public as low', () => {
    expect(exposureSeverity({ public: false, access: [] })).toBe('low');
  });

  it.each([
    { input: { public: true, access: ['read'] as AccessLevel[], sensitive: true, failed: false }, expected: 'critical' },
    { input: { public: true, access: ['list'] as AccessLevel[], sensitive: true, failed: false }, expected: 'high' },
    { input: { public: true, access: ['write'] as AccessLevel[], sensitive: true, failed: false }, expected: 'critical' },
    { input: { public: false, access: [] as AccessLevel[], sensitive: true, failed: false }, expected: 'low' },
    { input: { public: true, access: ['list'] as AccessLevel[], sensitive: false, failed: true }, expected: 'critical' },
  ])('a bucket $input is $expected', ({ input, expected }) => {
    // GIVEN exposure, sensitivity and whether remediation failed WHEN rated THEN sensitive raises one level, failure is critical
    expect(bucketSeverity(input)).toBe(expected);
  });

  it('raises one level at most up to critical', () => {
    expect(['low', 'medium', 'high', 'critical'].map((level) => raiseOneLevel(level as 'low'))).toEqual(['medium', 'high', 'critical', 'critical']);
  });

  it.each([
    [{ 'data-classification': 'pii', team: 'x' }, ['data-classification', 'pii'], ['data-classification']],
    [{ Data: 'x' }, ['data'], []],
    [{}, ['data-classification'], []],
    [null, ['data-classification'], []],
  ] as const)('tags %j with keys %j are sensitive by %j', (tags, keys, expected) => {
    // GIVEN bucket tags and SENSITIVE_TAG_KEYS WHEN compared THEN exact, case-sensitive key matches count
    expect(sensitiveTagsOf(tags, keys)).toEqual(expected);
  });
});
