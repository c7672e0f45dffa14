/**
 * Helpers for the stack tests: an App with the same context as cdk.json (feature flags included), and a
 * renderer that turns CloudFormation intrinsics into readable strings such as `${AuditTable.Arn}`.
 */
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as cdkJson from '../../cdk.json';

export const CDK_JSON_CONTEXT: Record<string, unknown> = { ...(cdkJson as { context: Record<string, unknown> }).context };

/**
 * Tells the CDK which stacks' assets to bundle; an empty list bundles none (the CLI sets it the same way for the
 * stacks `cdk synth --exclusively` leaves out).
 */
export const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/**
 * An App configured like `npx cdk synth` (cdk.json context), plus overrides, except that the Lambdas are not
 * bundled: stack tests read templates, which do not depend on the bundles (only the asset hashes do), and esbuild
 * was most of their time. Pass `{ [BUNDLING_STACKS]: ['**'] }` to bundle. The real bundles are built by the app
 * tests in test/bin (the app as the CLI runs it), `npm run build` (test/package) and the bench.
 */
export function newTestApp(context: Record<string, unknown> = {}, outdir?: string): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context }, outdir });
}

export function logicalIdOf(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return Stack.of(construct).resolve(resource.logicalId) as string;
}

export interface RenderOptions {
  /** Literal substitutions, by pseudo parameter or logical ID: `{ 'AWS::AccountId': '111122223333' }`. */
  readonly values?: Readonly<Record<string, string>>;
  /** Friendly names for logical IDs: a Ref renders as `${Name}`, a GetAtt as `${Name.Attribute}`. */
  readonly names?: Readonly<Record<string, string>>;
}

/** Renders intrinsics to strings: Ref and GetAtt as `${…}` (or a literal value), Fn::Join as concatenation. */
export function renderIntrinsics(value: unknown, options: RenderOptions = {}): unknown {
  const { values = {}, names = {} } = options;
  if (Array.isArray(value)) return value.map((item) => renderIntrinsics(item, options));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const ref = object.Ref as string;
    return values[ref] ?? `\${${names[ref] ?? ref}}`;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    return values[`${id}.${attribute}`] ?? `\${${names[id] ?? id}.${attribute}}`;
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(renderIntrinsics(part, options))).join(separator);
  }
  return Object.fromEntries(keys.map((key) => [key, renderIntrinsics(object[key], options)]));
}

interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * One line per (action, resource) of a policy document: `s3:GetBucketAcl on arn:… [StringEquals s3:ResourceAccount=…]`.
 * Sorted, so two policies with the same grants compare equal however statements are merged.
 */
export function grantLines(document: { Statement: PolicyStatementJson[] }, options: RenderOptions = {}): string[] {
  const lines = new Set<string>();
  for (const statement of document.Statement) {
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const rendered = renderIntrinsics(statement.Resource, options);
    const resources = (Array.isArray(rendered) ? rendered : [rendered]) as string[];
    const condition = statement.Condition
      ? ' [' +
        Object.entries(renderIntrinsics(statement.Condition, options) as Record<string, Record<string, unknown>>)
          .map(([operator, entries]) => `${operator} ${Object.entries(entries).map(([k, v]) => `${k}=${String(v)}`).join(',')}`)
          .join('; ') +
        ']'
      : '';
    for (const action of actions) {
      for (const resource of resources) lines.add(`${statement.Effect} ${action} on ${resource}${condition}`);
    }
  }
  return [...lines].sort();
}
