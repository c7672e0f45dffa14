/**
 * Reads a bucket policy (object or the JSON string GetBucketPolicy returns) into normalised statements,
 * or lists every reason S3 would reject it. Follows the IAM JSON policy grammar: Effect is exactly
 * "Allow" or "Deny" (case-sensitive), a bucket policy statement needs exactly one of Principal /
 * NotPrincipal, Action / NotAction and Resource / NotResource, Statement may be one object or an array,
 * Version is absent, "2008-10-17" or "2012-10-17", and Sids are unique.
 */
import { type ConditionEntry, parseOperator } from './conditions';
import { PRINCIPAL_TYPES, type PrincipalBlock, type PrincipalType, type PrincipalValue } from './principal';

export interface PolicyStatement {
  /** Index in the Statement array (0 for a single statement object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PrincipalBlock;
  readonly actions: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly resources: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly conditions: readonly ConditionEntry[];
}

export interface PolicyProblem {
  /** null for a problem with the document as a whole. */
  readonly statementIndex: number | null;
  readonly sid?: string;
  readonly message: string;
}

export type ParsedPolicy =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly problems: readonly PolicyProblem[] }
  | { readonly kind: 'valid'; readonly statements: readonly PolicyStatement[] };

const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : `a ${typeof value}`;
}

export function parsePolicy(policy: unknown): ParsedPolicy {
  if (policy === null || policy === undefined) return { kind: 'none' };
  let document: unknown = policy;
  if (typeof policy === 'string') {
    const text = policy.replace(/^\uFEFF/, '').trim();
    if (text === '') return { kind: 'none' };
    try {
      document = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'unparsable';
      return { kind: 'invalid', problems: [{ statementIndex: null, message: `the policy is not valid JSON (${detail})` }] };
    }
  }
  if (!isRecord(document)) {
    return { kind: 'invalid', problems: [{ statementIndex: null, message: `the policy must be a JSON object, got ${describe(document)}` }] };
  }
  const problems: PolicyProblem[] = [];
  for (const key of Object.keys(document)) {
    if (!DOCUMENT_KEYS.has(key)) problems.push({ statementIndex: null, message: `unknown top-level field "${key}"` });
  }
  const version = document.Version;
  if (version !== undefined && !(typeof version === 'string' && VERSIONS.has(version))) {
    problems.push({ statementIndex: null, message: `Version ${describe(version)} is not "2012-10-17" or "2008-10-17"` });
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') {
    problems.push({ statementIndex: null, message: `Id must be a string, got ${describe(document.Id)}` });
  }
  const raw = document.Statement;
  let rawStatements: unknown[];
  if (raw === undefined) {
    problems.push({ statementIndex: null, message: 'the required field Statement is missing' });
    rawStatements = [];
  } else if (Array.isArray(raw)) {
    if (raw.length === 0) problems.push({ statementIndex: null, message: 'Statement is an empty array' });
    rawStatements = raw;
  } else if (isRecord(raw)) {
    rawStatements = [raw];
  } else {
    problems.push({ statementIndex: null, message: `Statement must be an object or an array of objects, got ${describe(raw)}` });
    rawStatements = [];
  }
  const statements: PolicyStatement[] = [];
  const sids = new Map<string, number>();
  rawStatements.forEach((rawStatement, index) => {
    const statement = parseStatement(rawStatement, index, problems);
    if (statement === null) return;
    if (statement.sid !== undefined && statement.sid !== '') {
      const first = sids.get(statement.sid);
      if (first !== undefined) {
        problems.push({ statementIndex: index, sid: statement.sid, message: `Sid "${statement.sid}" is also used by statement ${first}; Sids must be unique` });
      } else {
        sids.set(statement.sid, index);
      }
    }
    statements.push(statement);
  });
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'valid', statements };
}

function parseStatement(raw: unknown, index: number, problems: PolicyProblem[]): PolicyStatement | null {
  if (!isRecord(raw)) {
    problems.push({ statementIndex: index, message: `the statement must be an object, got ${describe(raw)}` });
    return null;
  }
  const sid = typeof raw.Sid === 'string' ? raw.Sid : undefined;
  const before = problems.length;
  const problem = (message: string): void => {
    problems.push(sid === undefined ? { statementIndex: index, message } : { statementIndex: index, sid, message });
  };
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) problem(`unknown field "${key}" (element names are case-sensitive)`);
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') problem(`Sid must be a string, got ${describe(raw.Sid)}`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    problem(effect === undefined
      ? 'the required field Effect is missing'
      : `Effect is ${describe(effect)}; S3 accepts only "Allow" or "Deny" (case-sensitive)`);
  }
  const principal = parsePrincipal(raw, problem);
  const actions = parseStringList(raw, 'Action', 'NotAction', problem);
  if (actions !== null) {
    for (const action of actions.patterns) {
      if (action !== '*' && !action.includes(':')) problem(`action "${action}" has no service prefix (write it as "s3:${action}")`);
    }
  }
  const resources = parseStringList(raw, 'Resource', 'NotResource', problem);
  const conditions = parseConditions(raw.Condition, problem);
  if (problems.length > before || principal === null || actions === null || resources === null || conditions === null) return null;
  if (effect !== 'Allow' && effect !== 'Deny') return null;
  return { index, ...(sid === undefined ? {} : { sid }), effect, principal, actions, resources, conditions };
}

function exactlyOne(raw: Record<string, unknown>, name: string, notName: string, problem: (m: string) => void): { not: boolean; value: unknown } | null {
  const has = raw[name] !== undefined;
  const hasNot = raw[notName] !== undefined;
  if (has && hasNot) {
    problem(`the statement has both ${name} and ${notName}; S3 accepts only one`);
    return null;
  }
  if (!has && !hasNot) {
    problem(`the statement has neither ${name} nor ${notName}; a bucket policy statement needs one`);
    return null;
  }
  return has ? { not: false, value: raw[name] } : { not: true, value: raw[notName] };
}

function parsePrincipal(raw: Record<string, unknown>, problem: (m: string) => void): PrincipalBlock | null {
  const found = exactlyOne(raw, 'Principal', 'NotPrincipal', problem);
  if (found === null) return null;
  const kind = found.not ? 'NotPrincipal' : 'Principal';
  const written = found.value;
  if (written === '*') return { kind, value: '*', written };
  if (!isRecord(written)) {
    problem(`${kind} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}, got ${describe(written)}`);
    return null;
  }
  const value: Partial<Record<PrincipalType, readonly string[]>> = {};
  let ok = true;
  const keys = Object.keys(written);
  if (keys.length === 0) {
    problem(`${kind} is an empty object`);
    return null;
  }
  for (const key of keys) {
    const type = PRINCIPAL_TYPES.find((candidate) => candidate === key);
    if (type === undefined) {
      problem(`${kind} has unknown principal type "${key}" (use AWS, Service, Federated or CanonicalUser)`);
      ok = false;
      continue;
    }
    const list = toStringList(written[key]);
    if (list === null || list.length === 0) {
      problem(`${kind} ${key} must be a string or a non-empty array of strings`);
      ok = false;
      continue;
    }
    value[type] = list;
  }
  return ok ? { kind, value: value as PrincipalValue, written } : null;
}

function toStringList(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  return null;
}

function parseStringList(raw: Record<string, unknown>, name: string, notName: string, problem: (m: string) => void): { not: boolean; patterns: string[] } | null {
  const found = exactlyOne(raw, name, notName, problem);
  if (found === null) return null;
  const list = toStringList(found.value);
  const label = found.not ? notName : name;
  if (list === null || list.length === 0) {
    problem(`${label} must be a string or a non-empty array of strings, got ${describe(found.value)}`);
    return null;
  }
  return { not: found.not, patterns: list };
}

function parseConditions(raw: unknown, problem: (m: string) => void): ConditionEntry[] | null {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    problem(`Condition must be an object, got ${describe(raw)}`);
    return null;
  }
  const entries: ConditionEntry[] = [];
  let ok = true;
  for (const [operatorName, block] of Object.entries(raw)) {
    const operator = parseOperator(operatorName);
    if (operator === null) {
      problem(`unknown condition operator "${operatorName}"`);
      ok = false;
      continue;
    }
    if (!isRecord(block)) {
      problem(`Condition ${operatorName} must map condition keys to values, got ${describe(block)}`);
      ok = false;
      continue;
    }
    for (const [key, rawValues] of Object.entries(block)) {
      const values = conditionValues(rawValues);
      if (values === null) {
        problem(`Condition ${operatorName} ${key} must be a string, number, boolean or an array of them`);
        ok = false;
        continue;
      }
      entries.push({ operator, key, values });
    }
  }
  return ok ? entries : null;
}

function conditionValues(raw: unknown): string[] | null {
  const scalar = (value: unknown): string | null =>
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  if (Array.isArray(raw)) {
    const values: string[] = [];
    for (const item of raw) {
      const value = scalar(item);
      if (value === null) return null;
      values.push(value);
    }
    return values;
  }
  const value = scalar(raw);
  return value === null ? null : [value];
}
