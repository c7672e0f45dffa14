/**
 * A faithful matcher for the subset of EventBridge event-pattern syntax this project uses, so stack tests
 * can run real event samples against the synthesized rule (AWS's TestEventPattern needs an account).
 *
 * Semantics (EventBridge user guide, "Event patterns" and "Content filtering"; aws/event-ruler README):
 * - Fields at one level are ANDed; the values in a field's array are ORed.
 * - A field matches only where it exists, except `{"exists": false}`, which matches exactly when the leaf
 *   is absent (a missing parent means every leaf below it is absent; an object is not a leaf).
 * - When the event value is an array, the field matches if any element matches.
 * - `$or` takes an array of at least two sub-patterns, each evaluated at the same level of the event.
 * Supported matchers: exact values (string, number, boolean, null), prefix, suffix, equals-ignore-case,
 * anything-but (a value, a list, or {prefix} / {suffix}), exists, numeric. Anything else throws, so a test
 * can never pass on syntax this matcher does not understand.
 */

export class UnsupportedPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPatternError';
  }
}

type Matcher = unknown;
const ABSENT = Symbol('absent');
type Leaf = typeof ABSENT | string | number | boolean | null | readonly unknown[] | Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function numericMatch(value: unknown, spec: unknown): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) {
    throw new UnsupportedPatternError(`numeric expects [op, number, …], got ${JSON.stringify(spec)}`);
  }
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const [op, bound] = [spec[i], spec[i + 1]];
    if (typeof bound !== 'number') throw new UnsupportedPatternError(`numeric bound ${JSON.stringify(bound)} is not a number`);
    const ok =
      op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : undefined;
    if (ok === undefined) throw new UnsupportedPatternError(`numeric operator ${JSON.stringify(op)} is not supported`);
    if (!ok) return false;
  }
  return true;
}

function anythingBut(value: unknown, spec: unknown): boolean {
  if (!isPrimitive(value)) return false;
  if (Array.isArray(spec)) {
    if (!spec.every(isPrimitive)) throw new UnsupportedPatternError('anything-but lists hold only strings or only numbers');
    return !spec.includes(value);
  }
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1) throw new UnsupportedPatternError(`anything-but takes one of prefix/suffix, got ${JSON.stringify(spec)}`);
    const [key] = keys;
    const operand = spec[key];
    if (typeof operand !== 'string') throw new UnsupportedPatternError(`anything-but ${key} needs a string`);
    if (typeof value !== 'string') return false;
    if (key === 'prefix') return !value.startsWith(operand);
    if (key === 'suffix') return !value.endsWith(operand);
    throw new UnsupportedPatternError(`anything-but ${key} is not supported`);
  }
  if (isPrimitive(spec)) return value !== spec;
  throw new UnsupportedPatternError(`anything-but ${JSON.stringify(spec)} is not supported`);
}

/** Does one matcher accept one scalar (never an array) value, or ABSENT? */
function matchOne(value: unknown, matcher: Matcher): boolean {
  if (isPrimitive(matcher)) return value !== ABSENT && value === matcher;
  if (!isObject(matcher)) throw new UnsupportedPatternError(`matcher ${JSON.stringify(matcher)} is not supported`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new UnsupportedPatternError(`a matcher object has exactly one operator, got ${JSON.stringify(matcher)}`);
  const [operator] = keys;
  const operand = matcher[operator];
  if (operator === 'exists') {
    if (typeof operand !== 'boolean') throw new UnsupportedPatternError('exists takes true or false');
    const present = value !== ABSENT && !isObject(value);
    return operand ? present : !present;
  }
  if (value === ABSENT || isObject(value)) return false;
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') throw new UnsupportedPatternError('prefix takes a string');
      return typeof value === 'string' && value.startsWith(operand);
    case 'suffix':
      if (typeof operand !== 'string') throw new UnsupportedPatternError('suffix takes a string');
      return typeof value === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new UnsupportedPatternError('equals-ignore-case takes a string');
      return typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      return anythingBut(value, operand);
    case 'numeric':
      return numericMatch(value, operand);
    default:
      throw new UnsupportedPatternError(`operator "${operator}" is not supported by this matcher`);
  }
}

function matchLeaf(value: Leaf, matchers: readonly Matcher[]): boolean {
  if (matchers.length === 0) throw new UnsupportedPatternError('a field needs at least one value to match');
  if (Array.isArray(value)) {
    // An empty array has no element to match; treated as absent (no test here relies on this case).
    if (value.length === 0) return matchers.some((matcher) => matchOne(ABSENT, matcher));
    return value.some((element) => matchers.some((matcher) => matchOne(element, matcher)));
  }
  return matchers.some((matcher) => matchOne(value, matcher));
}

function matchObject(event: unknown, pattern: Record<string, unknown>): boolean {
  const node = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2 || !expected.every(isObject)) {
        throw new UnsupportedPatternError('$or takes an array of at least two patterns');
      }
      return expected.some((branch) => matchObject(node, branch as Record<string, unknown>));
    }
    const value = key in node ? (node[key] as Leaf) : ABSENT;
    if (Array.isArray(expected)) return matchLeaf(value, expected);
    if (isObject(expected)) return matchObject(value === ABSENT ? {} : value, expected);
    throw new UnsupportedPatternError(`pattern field "${key}" must be an array or an object, got ${JSON.stringify(expected)}`);
  });
}

/** True when EventBridge would route `event` to a rule with `pattern`. */
export function matchesEventPattern(event: unknown, pattern: Readonly<Record<string, unknown>>): boolean {
  return matchObject(event, pattern as Record<string, unknown>);
}
