/**
 * Exemption globs over bucket names: `*` matches any run of characters (including none), `?` exactly one,
 * everything else is literal. Pure.
 *
 * Matching never builds a regular expression: a glob such as `*?*?*?…x` turned into `^.*..*..*.x$` makes a
 * backtracking engine try every way of splitting the name between the stars (over 60 s per bucket for a
 * 63-character glob), and every remediation and sweep reads every exemption. The matcher below keeps only
 * the last star it passed and where that star's run of the name started; on a mismatch it lets that star take
 * one more character. That point only moves forward, so there are at most (name length) retries of at most
 * (glob length) steps each: at most (glob length + 1) × (name length + 2) steps, whatever the glob. With
 * bucket names and globs of at most 63 characters that is a few thousand steps, and the wildcard cap below
 * keeps globs reviewable.
 */

/** The most wildcards (`*` and `?` together) one exemption glob may hold. */
export const MAX_GLOB_WILDCARDS = 8;

const STAR = 42; // '*'
const QUESTION = 63; // '?'

/** Counts the work of one match; tests use it to bound the steps, never a clock. */
export interface GlobMeter {
  steps: number;
}

/** Whole-name match of `name` against `glob`, in at most (glob.length + 1) × (name.length + 2) steps. */
export function matchBucketGlob(glob: string, name: string, meter?: GlobMeter): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let resumeAt = 0;
  let steps = 0;
  while (n < name.length) {
    steps += 1;
    const c = g < glob.length ? glob.charCodeAt(g) : -1;
    if (c === STAR) {
      star = g;
      resumeAt = n;
      g += 1;
    } else if (c === QUESTION || (c !== -1 && c === name.charCodeAt(n))) {
      g += 1;
      n += 1;
    } else if (star !== -1) {
      // The last star swallows one more character; everything after it is tried again from there.
      g = star + 1;
      resumeAt += 1;
      n = resumeAt;
    } else {
      if (meter) meter.steps += steps;
      return false;
    }
  }
  while (g < glob.length && glob.charCodeAt(g) === STAR) {
    steps += 1;
    g += 1;
  }
  if (meter) meter.steps += steps;
  return g === glob.length;
}

/** The number of `*` and `?` in a glob. */
export function countWildcards(glob: string): number {
  let count = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob.charCodeAt(i);
    if (c === STAR || c === QUESTION) count += 1;
  }
  return count;
}

/**
 * Why a bucket glob is refused, or undefined when it is acceptable. Only the wildcard cap is checked here; the
 * characters and length are the exemption validator's.
 */
export function bucketGlobProblem(glob: string): string | undefined {
  const wildcards = countWildcards(glob);
  if (wildcards > MAX_GLOB_WILDCARDS) {
    return (
      `"${glob}" has ${wildcards} wildcards; an exemption glob may hold at most ${MAX_GLOB_WILDCARDS} ('*' and '?' together): ` +
      'name the buckets more precisely, or write one exemption per group of buckets'
    );
  }
  return undefined;
}
