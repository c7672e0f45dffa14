/**
 * IAM-style wildcard matching: `*` matches any run of characters (including none), `?` exactly one.
 * Linear-time matching (no regular expressions), so a hostile pattern cannot make evaluation slow.
 */

const STAR = 42; // '*'
const QUESTION = 63; // '?'

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** True when the value uses an IAM policy variable such as `${aws:username}`. */
export function hasPolicyVariable(value: string): boolean {
  return value.includes('${');
}

/** A value S3 calls "fixed": no wildcard and no policy variable. */
export function isFixedValue(value: string): boolean {
  return !hasWildcard(value) && !hasPolicyVariable(value);
}

/** Whole-string match of `text` against `pattern`. Case-sensitive; lower-case both sides for IAM names. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const pc = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (pc === QUESTION || (pc !== STAR && pc === text.charCodeAt(t))) {
      p += 1;
      t += 1;
    } else if (pc === STAR) {
      star = p;
      mark = t;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      mark += 1;
      t = mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p += 1;
  return p === pattern.length;
}

/**
 * Pattern positions reachable after `prefix` has been consumed, as a list (empty when the prefix cannot
 * match). Fast path for the usual ARN pattern whose first wildcard comes after the prefix.
 */
function positionsAfterPrefix(pattern: string, prefix: string): number[] {
  let firstWildcard = 0;
  while (firstWildcard < pattern.length) {
    const c = pattern.charCodeAt(firstWildcard);
    if (c === STAR || c === QUESTION) break;
    firstWildcard += 1;
  }
  const literal = Math.min(firstWildcard, prefix.length);
  for (let i = 0; i < literal; i += 1) if (pattern.charCodeAt(i) !== prefix.charCodeAt(i)) return [];
  if (literal === prefix.length) return closure(pattern, [prefix.length]);
  let current = closure(pattern, [literal]);
  for (let i = literal; i < prefix.length && current.length > 0; i += 1) {
    const c = prefix.charCodeAt(i);
    const next: number[] = [];
    for (const p of current) {
      if (p >= pattern.length) continue;
      const pc = pattern.charCodeAt(p);
      if (pc === STAR) next.push(p);
      else if (pc === QUESTION || pc === c) next.push(p + 1);
    }
    current = closure(pattern, next);
  }
  return current;
}

/** Add the positions reachable by letting a `*` match nothing; sorted, without duplicates. */
function closure(pattern: string, positions: number[]): number[] {
  const seen = new Set<number>();
  for (const start of positions) {
    let p = start;
    seen.add(p);
    while (p < pattern.length && pattern.charCodeAt(p) === STAR) {
      p += 1;
      seen.add(p);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** Some string `prefix + rest` with a non-empty `rest` matches the pattern. */
export function matchesSomethingUnder(pattern: string, prefix: string): boolean {
  return positionsAfterPrefix(pattern, prefix).some((p) => p < pattern.length);
}

/** Every string `prefix + rest` with a non-empty `rest` matches the pattern. */
export function matchesEverythingUnder(pattern: string, prefix: string): boolean {
  return positionsAfterPrefix(pattern, prefix).some((p) => onlyStarsFrom(pattern, p));
}

function onlyStarsFrom(pattern: string, from: number): boolean {
  for (let p = from; p < pattern.length; p += 1) if (pattern.charCodeAt(p) !== STAR) return false;
  return from < pattern.length;
}
