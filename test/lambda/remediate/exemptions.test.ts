import { exemptionMatches, findExemption } from '../../../lambda/remediate/exemptions';
import { matchBucketGlob } from '../../../lambda/shared/exemptions/bucket-glob';
import type { Exemption } from '../../../lambda/shared/exemptions/exemption';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function exemption(bucket: string, expires: string, reason = 'reviewed'): Exemption {
  return { bucket, reason, owner: 'platform', expires };
}

describe('exemption globs', () => {
  it.each([
    ['site-*', 'site-www', true],
    ['site-*', 'site-', true],
    ['site-*', 'my-site-www', false],
    ['*-assets', 'web-assets', true],
    ['logs-????', 'logs-2025', true],
    ['logs-????', 'logs-25', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['exact-name', 'exact-name', true],
    ['exact-name', 'exact-name-2', false],
  ])('%s matches %s: %s', (glob, bucket, expected) => {
    // GIVEN a glob WHEN matched against a bucket THEN only * and ? are wildcards
    expect(matchBucketGlob(glob, bucket)).toBe(expected);
    expect(exemptionMatches(exemption(glob, '2099-01-01'), bucket)).toBe(expected);
  });
});

describe('which exemption decides', () => {
  it.each([
    { name: 'no exemption matches', list: [exemption('other', '2099-01-01')], expected: undefined },
    { name: 'an unexpired match applies', list: [exemption('site-*', '2025-07-01')], expected: { status: 'applied', bucket: 'site-*' } },
    { name: 'a date-only expiry stops at 00:00 UTC that day', list: [exemption('site-www', '2025-06-01')], expected: { status: 'expired', bucket: 'site-www' } },
    { name: 'a date-time expiry later today still applies', list: [exemption('site-www', '2025-06-01T18:00:00Z')], expected: { status: 'applied', bucket: 'site-www' } },
    {
      name: 'an unexpired match wins over an expired one',
      list: [exemption('site-www', '2025-01-01', 'old'), exemption('site-*', '2026-01-01', 'new')],
      expected: { status: 'applied', bucket: 'site-*' },
    },
    {
      name: 'of two expired matches the latest is reported',
      list: [exemption('site-*', '2024-01-01'), exemption('site-www', '2025-05-01')],
      expected: { status: 'expired', bucket: 'site-www' },
    },
  ])('$name', ({ list, expected }) => {
    // GIVEN exemptions WHEN looked up for site-www at NOW
    const match = findExemption('site-www', list, NOW);

    // THEN the deciding one, and whether it applies
    if (expected === undefined) {
      expect(match).toBeUndefined();
    } else {
      expect(match).toMatchObject({ status: expected.status, exemption: { bucket: expected.bucket } });
    }
  });
});

describe('which exemption decides, scoped by account', () => {
  const HOME = '111122223333';
  const A = '444455556666';
  const B = '777788889999';

  it('an exemption for account A does not exempt the same name in account B', () => {
    const list = [{ ...exemption('site-*', '2099-01-01'), account: A }];
    expect(findExemption('site-www', list, NOW, { account: A, homeAccount: HOME })).toMatchObject({ status: 'applied' });
    expect(findExemption('site-www', list, NOW, { account: B, homeAccount: HOME })).toBeUndefined();
  });

  it('the exemption for the bucket\'s own account decides, not a longer one for another account', () => {
    const list = [{ ...exemption('site-*', '2025-05-01', 'expired in A'), account: A }, { ...exemption('site-*', '2099-01-01', 'long in B'), account: B }];
    expect(findExemption('site-www', list, NOW, { account: A, homeAccount: HOME })).toMatchObject({ status: 'expired', exemption: { reason: 'expired in A' } });
  });

  it('one naming no account covers the home account, as in a single-account deployment', () => {
    const list = [exemption('site-*', '2099-01-01')];
    expect(findExemption('site-www', list, NOW, { account: HOME, homeAccount: HOME })).toMatchObject({ status: 'applied' });
    expect(findExemption('site-www', list, NOW, { account: A, homeAccount: HOME })).toBeUndefined();
  });
});
