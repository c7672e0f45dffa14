/**
 * The value readers of the context parser (`config.ts`). Each reads one key in either shape (a JSON value from
 * `cdk.json` or a string from `-c key=value`), reports what is wrong with the key, the bad value and the fix,
 * and returns the value or the fallback. Pure: no aws-cdk-lib, no `process.env`.
 */
import { validateExemption, type Exemption } from '../lambda/remediate/environment';

export interface ContextProblem {
  readonly key: string;
  readonly message: string;
}

export type Context = Readonly<Record<string, unknown>>;

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export class ProblemCollector {
  readonly problems: ContextProblem[] = [];
  add(key: string, message: string): void {
    this.problems.push({ key, message });
  }
}

export function readString<T extends string>(
  context: Context,
  key: string,
  fallback: T,
  collector: ProblemCollector,
  check: (value: string) => string | undefined,
): T | string {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw !== 'string') {
    collector.add(key, `${show(raw)} is not a string; set it as "${key}": "${fallback}" in cdk.json or -c ${key}=${fallback}`);
    return fallback;
  }
  const problem = check(raw.trim());
  if (problem) collector.add(key, problem);
  return raw.trim();
}

export function readChoice<T extends string>(context: Context, key: string, allowed: readonly T[], fallback: T, collector: ProblemCollector): T {
  const value = readString(context, key, fallback, collector, (candidate) =>
    (allowed as readonly string[]).includes(candidate)
      ? undefined
      : `"${candidate}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}; for example -c ${key}=${allowed[0]}`,
  );
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function readBoolean(context: Context, key: string, fallback: boolean, collector: ProblemCollector): boolean {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  collector.add(key, `${show(raw)} is not true or false; use -c ${key}=true or "${key}": true in cdk.json`);
  return fallback;
}

export function readInteger(
  context: Context,
  key: string,
  fallback: number,
  collector: ProblemCollector,
  check: (value: number) => string | undefined,
): number {
  const raw = context[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    collector.add(key, `${show(raw)} is not a whole number; use -c ${key}=${fallback} or "${key}": ${fallback} in cdk.json`);
    return fallback;
  }
  const problem = check(value);
  if (problem) {
    collector.add(key, problem);
    return fallback;
  }
  return value;
}

/** A list from a JSON array of strings or from a comma-separated string. */
export function readList(context: Context, key: string, collector: ProblemCollector, check: (value: string) => string | undefined, example: string): string[] {
  const raw = context[key];
  if (raw === undefined || raw === null) return [];
  let items: string[];
  if (typeof raw === 'string') {
    items = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  } else if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) {
    items = raw.map((item: string) => item.trim());
  } else {
    collector.add(key, `${show(raw)} is not a list; use a comma list (-c ${key}=${example}) or a JSON array of strings in cdk.json`);
    return [];
  }
  const valid: string[] = [];
  items.forEach((item, index) => {
    const problem = check(item);
    if (problem) {
      collector.add(`${key}[${index}]`, problem);
    } else if (!valid.includes(item)) {
      valid.push(item);
    }
  });
  return valid;
}

export function readExemptions(context: Context, collector: ProblemCollector): Exemption[] {
  let raw = context.exemptions;
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      collector.add(
        'exemptions',
        `${show(raw)} is not JSON; expected an array such as [{"bucket":"site-*","reason":"public website","owner":"web-team","expires":"2027-01-31"}]`,
      );
      return [];
    }
  }
  if (!Array.isArray(raw)) {
    collector.add('exemptions', `${show(raw)} is not an array; expected [{"bucket", "reason", "owner", "expires"}, …]`);
    return [];
  }
  const exemptions: Exemption[] = [];
  raw.forEach((item: unknown, index: number) => {
    try {
      exemptions.push(validateExemption(item, `exemptions[${index}]`));
    } catch (error) {
      collector.add(`exemptions[${index}]`, `${error instanceof Error ? error.message : String(error)} (got ${show(item)})`);
    }
  });
  return exemptions;
}

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

export function isSet(value: unknown): boolean {
  return !(value === undefined || value === null || value === '' || value === false || value === 'false' || (Array.isArray(value) && value.length === 0));
}

