/**
 * `npm run teardown`, the plan: from the stacks' CloudFormation templates (the synthesized ones in cdk.out for a
 * dry run, the deployed ones otherwise) to the steps that remove a production deployment: delete the stacks with
 * `cdk destroy`, then what CloudFormation keeps on purpose (every resource whose DeletionPolicy is not Delete:
 * the audit and exemptions tables, the archive, access-log and trail buckets, the keys, the log groups) and the
 * log groups Lambda creates itself for functions that have none of their own. Pure: templates in, steps out.
 *
 * A retained resource of a type this module does not know is an error, not a silent gap: adding one to the stack
 * means teaching the teardown (and docs/cost-and-teardown.md) how to remove it.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown }>>;
}

/** One stack of the app with its template and, once deployed, its resources' physical IDs by logical ID. */
export interface TeardownStack {
  readonly stackName: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** @default - none known (dry run): commands show `<LogicalId>` */
  readonly physicalIds?: Readonly<Record<string, string>>;
}

/** The retained resource types and what removing each takes. */
export const RETAINED_KINDS = {
  'AWS::DynamoDB::Table': 'table',
  'AWS::S3::Bucket': 'bucket',
  'AWS::KMS::Key': 'key',
  'AWS::Logs::LogGroup': 'log-group',
} as const;
export type RetainedKind = (typeof RETAINED_KINDS)[keyof typeof RETAINED_KINDS];

/** KMS waits 7 to 30 days before it deletes a key scheduled for deletion. */
export const KEY_PENDING_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

export interface RetainedResource {
  readonly stackName: string;
  readonly region: string;
  readonly logicalId: string;
  readonly kind: RetainedKind;
  /** The name or key ID; `<LogicalId>` when not known (dry run). */
  readonly name: string;
  /** Buckets: the template's default Object Lock retention, if any. */
  readonly objectLock?: { readonly mode: string; readonly days: number };
  /** Log groups Lambda created for a function without its own: may not exist (never invoked). */
  readonly implicit?: boolean;
}

export type TeardownStep =
  | { readonly kind: 'destroy'; readonly stacks: readonly string[]; readonly context: Readonly<Record<string, string>> }
  | { readonly kind: 'table'; readonly resource: RetainedResource }
  | { readonly kind: 'bucket'; readonly resource: RetainedResource }
  | { readonly kind: 'log-group'; readonly resource: RetainedResource }
  | { readonly kind: 'key'; readonly resource: RetainedResource; readonly pendingWindowDays: number };

/** The templates cannot be torn down as they are: names what and why. */
export class TeardownPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeardownPlanError';
  }
}

function isRetained(resource: CfnResource): boolean {
  return resource.DeletionPolicy !== undefined && resource.DeletionPolicy !== 'Delete';
}

function placeholder(logicalId: string): string {
  return `<${logicalId}>`;
}

function objectLockOf(resource: CfnResource): RetainedResource['objectLock'] {
  const configuration = resource.Properties?.ObjectLockConfiguration as { Rule?: { DefaultRetention?: { Mode?: unknown; Days?: unknown; Years?: unknown } } } | undefined;
  const retention = configuration?.Rule?.DefaultRetention;
  if (typeof retention?.Mode !== 'string') return undefined;
  const days = typeof retention.Days === 'number' ? retention.Days : typeof retention.Years === 'number' ? retention.Years * 365 : 0;
  return { mode: retention.Mode, days };
}

/** A function's own log group, when its LoggingConfig names one (a Ref into the template or a literal name). */
function ownLogGroup(resource: CfnResource): unknown {
  return (resource.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
}

/** Every resource the stacks keep after `cdk destroy`, in template order, plus the log groups Lambda makes itself. */
export function retainedResources(stacks: readonly TeardownStack[]): RetainedResource[] {
  const found: RetainedResource[] = [];
  for (const stack of stacks) {
    const nameOf = (logicalId: string): string => stack.physicalIds?.[logicalId] ?? placeholder(logicalId);
    const where = { stackName: stack.stackName, region: stack.region };
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (isRetained(resource)) {
        const kind = (RETAINED_KINDS as Record<string, RetainedKind | undefined>)[resource.Type];
        if (kind === undefined) {
          throw new TeardownPlanError(
            `${stack.stackName} retains ${logicalId} (${resource.Type}, DeletionPolicy ${resource.DeletionPolicy}), which the teardown does not know how to remove: ` +
              'add its type to scripts/teardown-plan.ts and docs/cost-and-teardown.md',
          );
        }
        const objectLock = kind === 'bucket' ? objectLockOf(resource) : undefined;
        found.push({ ...where, logicalId, kind, name: nameOf(logicalId), ...(objectLock !== undefined ? { objectLock } : {}) });
      } else if (resource.Type === 'AWS::Lambda::Function' && ownLogGroup(resource) === undefined) {
        // Lambda creates /aws/lambda/<function name> on the first invocation; CloudFormation never knew it.
        found.push({ ...where, logicalId, kind: 'log-group', name: `/aws/lambda/${nameOf(logicalId)}`, implicit: true });
      }
    }
  }
  return found;
}

/** The order of removal: tables, then buckets, then log groups, and the keys last (what they encrypted is unreadable afterwards). */
const REMOVAL_ORDER: readonly RetainedKind[] = ['table', 'bucket', 'log-group', 'key'];

/** The output naming the home stack's covered regions (`a,b`), from which the forwarder stacks follow. */
export function coveredRegionsOf(template: CfnTemplate): string[] {
  const value = template.Outputs?.CoveredRegions?.Value;
  return typeof value === 'string' ? value.split(',').filter((region) => region !== '') : [];
}

export interface TeardownPlanOptions {
  readonly stackName: string;
  readonly region: string;
  readonly pendingWindowDays: number;
}

/** Every step, in order: `cdk destroy` of the home stack and its forwarders, then each retained resource. */
export function teardownSteps(stacks: readonly TeardownStack[], options: TeardownPlanOptions): TeardownStep[] {
  const home = stacks.find((stack) => stack.stackName === options.stackName);
  if (home === undefined) throw new TeardownPlanError(`no template for the stack ${options.stackName}`);
  if (home.template.Outputs?.MemberStackSetName !== undefined) {
    throw new TeardownPlanError(
      `${options.stackName} is an organization-wide deployment (it has a member StackSet); this script removes single-account deployments only: see docs/organization.md`,
    );
  }
  const regions = [options.region, ...coveredRegionsOf(home.template).filter((region) => region !== options.region)];
  const destroy: TeardownStep = {
    kind: 'destroy',
    stacks: stacks.map((stack) => stack.stackName),
    // The names of the app's stacks and their regions come from these three settings (bin/ → lib/guardrail-app.ts).
    context: { stackName: options.stackName, homeRegion: options.region, regions: regions.join(',') },
  };
  const retained = retainedResources(stacks);
  const steps = REMOVAL_ORDER.flatMap((kind) =>
    retained
      .filter((resource) => resource.kind === kind)
      .map((resource): TeardownStep => (resource.kind === 'key' ? { kind: 'key', resource, pendingWindowDays: options.pendingWindowDays } : { kind, resource } as TeardownStep)),
  );
  return [destroy, ...steps];
}

/** The AWS CLI (and CDK CLI) commands of a step, as they are run; a bucket's emptying is described, then run call by call. */
export function stepCommands(step: TeardownStep): string[][] {
  if (step.kind === 'destroy') {
    const context = Object.entries(step.context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    return [['npx', 'cdk', 'destroy', '--force', ...context, ...step.stacks]];
  }
  const region = ['--region', step.resource.region];
  const name = step.resource.name;
  switch (step.kind) {
    case 'table':
      return [
        ['aws', 'dynamodb', 'update-table', ...region, '--table-name', name, '--no-deletion-protection-enabled'],
        ['aws', 'dynamodb', 'delete-table', ...region, '--table-name', name],
      ];
    case 'bucket':
      // The bucket's own lock configuration decides at run time; the template's shows what to expect.
      return [
        ['aws', 's3api', 'get-object-lock-configuration', ...region, '--bucket', name],
        ['aws', 's3api', 'list-object-versions', ...region, '--bucket', name],
        ...(step.resource.objectLock !== undefined ? [['aws', 's3api', 'get-object-retention', ...region, '--bucket', name, '--key', '<key>', '--version-id', '<version>']] : []),
        ['aws', 's3api', 'delete-objects', ...region, '--bucket', name, '--delete', 'file://<versions.json>', ...(step.resource.objectLock !== undefined ? ['--bypass-governance-retention'] : [])],
        ['aws', 's3api', 'delete-bucket', ...region, '--bucket', name],
      ];
    case 'log-group':
      return [['aws', 'logs', 'delete-log-group', ...region, '--log-group-name', name]];
    case 'key':
      return [['aws', 'kms', 'schedule-key-deletion', ...region, '--key-id', name, '--pending-window-in-days', String(step.pendingWindowDays)]];
  }
}

/** What a step is about, for the comment line above its commands. */
export function stepTitle(step: TeardownStep): string {
  if (step.kind === 'destroy') return `delete the stacks (CloudFormation keeps the resources below): ${step.stacks.join(', ')}`;
  const { logicalId, stackName, objectLock, implicit } = step.resource;
  const of = `${logicalId} of ${stackName}`;
  switch (step.kind) {
    case 'table':
      return `table ${of}: turn deletion protection off, delete`;
    case 'bucket':
      return objectLock?.mode === 'COMPLIANCE'
        ? `bucket ${of}: Object Lock COMPLIANCE (${objectLock.days} days by default): each version's retention read; refused while one is retained (until ${objectLock.days} days after the last record); then empty it (every version and delete marker, 1,000 a call), delete`
        : `bucket ${of}${objectLock !== undefined ? ` (Object Lock ${objectLock.mode}: retention bypassed)` : ''}: empty it (every version and delete marker, 1,000 a call), delete`;
    case 'log-group':
      return implicit === true ? `log group Lambda created for ${of}, if it was ever invoked` : `log group ${of}`;
    case 'key':
      return `key ${of}: schedule its deletion last, after ${step.pendingWindowDays} days (what it encrypted is unreadable afterwards)`;
  }
}

/** A command as one shell line: arguments with spaces or shell characters are quoted, a `<placeholder>` is shown as is. */
export function commandLine(command: readonly string[]): string {
  return command.map((argument) => (/^[\w@%+=:,./-]*(<[\w.-]+>)?[\w@%+=:,./-]*$/.test(argument) && argument !== '' ? argument : `'${argument.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The plan as the dry run prints it: a comment line per step, then its commands. */
export function renderPlan(steps: readonly TeardownStep[]): string {
  return steps.map((step, index) => [`# ${index + 1}. ${stepTitle(step)}`, ...stepCommands(step).map(commandLine)].join('\n')).join('\n');
}
