/**
 * The difference between a bucket's state before and after a remediation, for people: which Block Public
 * Access settings changed, which policy statements and ACL grants were removed. Pure and total: any JSON
 * values in, a list of changes out.
 *
 * Objects are compared key by key; arrays as lists of elements (an element that moved is not a change,
 * one that is gone is `removed`, a new one `added`), so removing statement 1 of 3 is one change, not
 * three. A string holding a JSON object or array (GetBucketPolicy returns one) is compared as that JSON.
 */

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface StateChange {
  /** Where, e.g. `bucketPublicAccessBlock.BlockPublicAcls` or `policy.Statement[]`. */
  readonly path: string;
  readonly change: ChangeKind;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Canonical JSON: object keys sorted, so equal values give equal text whatever their key order. */
function stableText(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => stableText(item)).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableText((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** True when both are the same JSON value, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return stableText(a) === stableText(b);
}

function asJson(value: unknown): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return value;
      }
    }
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(before: unknown, after: unknown, path: string, out: StateChange[]): void {
  const left = asJson(before);
  const right = asJson(after);
  if (jsonEqual(left, right)) {
    return;
  }
  const leftAbsent = left === undefined || left === null;
  const rightAbsent = right === undefined || right === null;
  if (leftAbsent && !rightAbsent) {
    out.push({ path, change: 'added', after: right });
    return;
  }
  if (rightAbsent && !leftAbsent) {
    out.push({ path, change: 'removed', before: left });
    return;
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    for (const key of keys) {
      walk(left[key], right[key], join(path, key), out);
    }
    return;
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    const remaining = right.map((item) => stableText(item));
    const unmatchedLeft: unknown[] = [];
    for (const item of left) {
      const at = remaining.indexOf(stableText(item));
      if (at >= 0) {
        remaining[at] = '\u0000matched';
      } else {
        unmatchedLeft.push(item);
      }
    }
    for (const item of unmatchedLeft) {
      out.push({ path: `${path}[]`, change: 'removed', before: item });
    }
    right.forEach((item, index) => {
      if (remaining[index] !== '\u0000matched') {
        out.push({ path: `${path}[]`, change: 'added', after: item });
      }
    });
    return;
  }
  out.push({ path, change: 'changed', before: left, after: right });
}

/** Every difference between `before` and `after`, in a stable order. */
export function diffStates(before: unknown, after: unknown): StateChange[] {
  const out: StateChange[] = [];
  walk(before, after, '', out);
  return out.map((change) => (change.path === '' ? { ...change, path: '(whole state)' } : change));
}

/** One line per change, e.g. `- policy.Statement[]: {"Sid":"Public",…}` or `~ x.y: false → true`. */
export function describeChange(change: StateChange, maxLength = 400): string {
  const show = (value: unknown): string => {
    const text = stableText(value);
    return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  };
  switch (change.change) {
    case 'added':
      return `+ ${change.path}: ${show(change.after)}`;
    case 'removed':
      return `- ${change.path}: ${show(change.before)}`;
    case 'changed':
      return `~ ${change.path}: ${show(change.before)} → ${show(change.after)}`;
  }
}
