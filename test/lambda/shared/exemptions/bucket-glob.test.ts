/**
 * Exemption globs: matched without regular expressions in bounded work, and capped in wildcards at
 * validation. The work is counted in steps (a meter), never timed.
 */
import { MAX_GLOB_WILDCARDS, bucketGlobProblem, countWildcards, matchBucketGlob, type GlobMeter } from '../../../../lambda/shared/exemptions/bucket-glob';
import { findExemption } from '../../../../lambda/remediate/exemptions';
import { validateExemption } from '../../../../lambda/shared/exemptions/exemption';

/** Reference matcher: the textbook dynamic-programming table, independent of the code under test. */
function referenceMatch(glob: string, name: string): boolean {
  const table: boolean[][] = Array.from({ length: glob.length + 1 }, () => new Array<boolean>(name.length + 1).fill(false));
  table[0]![0] = true;
  for (let g = 1; g <= glob.length; g += 1) {
    const c = glob[g - 1];
    for (let n = 0; n <= name.length; n += 1) {
      if (c === '*') table[g]![n] = table[g - 1]![n]! || (n > 0 && table[g]![n - 1]!);
      else table[g]![n] = n > 0 && table[g - 1]![n - 1]! && (c === '?' || c === name[n - 1]);
    }
  }
  return table[glob.length]![name.length]!;
}

/** Every string over `alphabet` of length 0..max. */
function allStrings(alphabet: string, max: number): string[] {
  const out = [''];
  let layer = [''];
  for (let length = 1; length <= max; length += 1) {
    layer = layer.flatMap((prefix) => [...alphabet].map((c) => prefix + c));
    out.push(...layer);
  }
  return out;
}

describe('matchBucketGlob', () => {
  it.each([
    ['site-*', 'site-www', true],
    ['site-*', 'my-site-www', false],
    ['*-assets', 'web-assets', true],
    ['logs-????-??-??', 'logs-2025-06-01', true],
    ['logs-????-??-??', 'logs-2025-6-01', false],
    ['a.b', 'axb', false],
    ['*', '', true],
    ['?', '', false],
    ['team-*-logs-*', 'team-a-logs-b-logs-c', true],
  ])('%s against %s is %s', (glob, name, expected) => {
    expect(matchBucketGlob(glob, name)).toBe(expected);
  });

  it('agrees with a reference matcher on every glob and name up to five characters over {a, b}', () => {
    // GIVEN every glob over a, b, * and ? and every name over a and b, up to five characters
    const globs = allStrings('ab*?', 5);
    const names = allStrings('ab', 5);
    // WHEN each pair is matched THEN the answer is the reference's
    let disagreements = 0;
    for (const glob of globs) {
      for (const name of names) {
        if (matchBucketGlob(glob, name) !== referenceMatch(glob, name)) disagreements += 1;
      }
    }
    expect(globs.length * names.length).toBeGreaterThan(80_000);
    expect(disagreements).toBe(0);
  });

  it('matches a hostile *?*?…x glob against many long names in bounded steps', () => {
    // GIVEN the 63-character glob that stalls a regex engine, and 2,000 names of 63 characters
    const hostile = `${'*?'.repeat(31)}x`;
    expect(hostile).toHaveLength(63);
    const names = Array.from({ length: 2_000 }, (_, i) => {
      const body = `${'a'.repeat(40)}${i.toString(36).padStart(22, 'b')}`;
      return i % 2 === 0 ? `${body}x` : `${body}y`;
    });
    expect(names.every((name) => name.length === 63)).toBe(true);

    // WHEN each name is matched with a step meter
    const meter: GlobMeter = { steps: 0 };
    let worst = 0;
    const results = names.map((name) => {
      const before = meter.steps;
      const matched = matchBucketGlob(hostile, name, meter);
      worst = Math.max(worst, meter.steps - before);
      return matched;
    });

    // THEN every answer is right (a name ending in x of at least 32 characters matches) ...
    expect(results).toEqual(names.map((name) => name.endsWith('x')));
    // ... and no name took more than the quadratic bound of the algorithm, (63 + 1) × (63 + 2) steps
    expect(worst).toBeLessThanOrEqual((hostile.length + 1) * (63 + 2));
    expect(meter.steps).toBeLessThanOrEqual(names.length * (hostile.length + 1) * (63 + 2));
  });

  it('stays within the bound for the worst shapes: long literal tails after a star', () => {
    // GIVEN globs whose every retry re-reads a long literal tail
    const cases = [
      [`*${'a'.repeat(61)}b`, 'a'.repeat(63)],
      [`${'*a'.repeat(31)}b`, 'a'.repeat(63)],
      [`a*${'?'.repeat(60)}b`, 'a'.repeat(63)],
    ] as const;
    for (const [glob, name] of cases) {
      const meter: GlobMeter = { steps: 0 };
      // WHEN matched THEN the answer is the reference's and the steps are within the bound
      expect(matchBucketGlob(glob, name, meter)).toBe(referenceMatch(glob, name));
      expect(meter.steps).toBeLessThanOrEqual((glob.length + 1) * (name.length + 2));
    }
  });

  it('lets findExemption pick among exemptions whose globs would stall a regex, over many names', () => {
    // GIVEN an exemption list holding a hostile glob (as if it predated the cap) next to a normal one
    const exemptions = [
      { bucket: `${'*?'.repeat(31)}x`, reason: 'r', owner: 'o', expires: '2099-01-01' },
      { bucket: 'site-*', reason: 'r', owner: 'o', expires: '2099-01-01' },
    ];
    const names = Array.from({ length: 500 }, (_, i) => `${'c'.repeat(50)}${String(i).padStart(13, '0')}`);
    // WHEN looked up THEN none of these names is exempt, and a website bucket still is
    expect(names.map((name) => findExemption(name, exemptions, 0))).toEqual(names.map(() => undefined));
    expect(findExemption('site-www', exemptions, 0)).toMatchObject({ status: 'applied', exemption: { bucket: 'site-*' } });
  });
});

describe('the wildcard cap', () => {
  it(`accepts up to ${MAX_GLOB_WILDCARDS} wildcards`, () => {
    expect(countWildcards('logs-????-??-??')).toBe(MAX_GLOB_WILDCARDS);
    expect(bucketGlobProblem('logs-????-??-??')).toBeUndefined();
    expect(validateExemption({ bucket: 'logs-????-??-??', reason: 'r', owner: 'o', expires: '2027-01-31' }, '[0]').bucket).toBe('logs-????-??-??');
  });

  it.each([
    ['*?*?*?*?x', 8, true],
    ['*?*?*?*?*x', 9, false],
    [`${'*?'.repeat(31)}x`, 62, false],
  ])('%s (%i wildcards) is accepted: %s', (glob, wildcards, accepted) => {
    // GIVEN an exemption with this glob WHEN validated
    const validate = () => validateExemption({ bucket: glob, reason: 'r', owner: 'o', expires: '2027-01-31' }, 'exemptions[3]');
    // THEN too many wildcards is a clear error naming the field, the count and the limit
    expect(countWildcards(glob)).toBe(wildcards);
    if (accepted) {
      expect(validate()).toMatchObject({ bucket: glob });
    } else {
      expect(validate).toThrow(`exemptions[3].bucket "${glob}" has ${wildcards} wildcards; an exemption glob may hold at most ${MAX_GLOB_WILDCARDS}`);
    }
  });
});
