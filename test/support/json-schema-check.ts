/**
 * A small JSON Schema checker for the keywords the published schemas use (type, const, enum, required,
 * properties, additionalProperties: false, items, pattern). No validator is in the dependencies; this one
 * answers every problem with its path, so a test shows what drifted.
 */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'number' | 'boolean';
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly pattern?: string;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** Every way `value` breaks `schema`, as "path: problem" (empty when it conforms). */
export function schemaProblems(schema: JsonSchema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  if (schema.const !== undefined && value !== schema.const) problems.push(`${path}: is ${JSON.stringify(value)}, must be ${JSON.stringify(schema.const)}`);
  if (schema.enum !== undefined && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.type !== undefined && typeOf(value) !== schema.type) {
    problems.push(`${path}: is ${typeOf(value)}, must be ${schema.type}`);
    return problems;
  }
  if (schema.pattern !== undefined && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: "${value}" does not match ${schema.pattern}`);
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}: ${key} is required`);
    for (const [key, member] of Object.entries(object)) {
      const property = schema.properties?.[key];
      if (property !== undefined) problems.push(...schemaProblems(property, member, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: ${key} is not in the schema`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, index) => problems.push(...schemaProblems(schema.items as JsonSchema, item, `${path}[${index}]`)));
  return problems;
}
