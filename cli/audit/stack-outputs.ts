/**
 * Where the guardrail's resources are: explicit flags win, anything not given comes from the CloudFormation
 * stack's outputs. Pure: the caller passes a function that fetches the outputs (DescribeStacks).
 */
import { parseArchiveLockSettings, type ArchiveLockSettings } from '../../lambda/shared/audit/archive-lock';
import { GUARDRAIL_DEFAULTS } from '../../lib/defaults';
import { GUARDRAIL_STACK_OUTPUTS } from '../../lib/stack-outputs';
import { UsageError } from '../io';

/** The stack name `bin/` gives the app's stack; `--stack` overrides it. */
export const DEFAULT_STACK_NAME: string = GUARDRAIL_DEFAULTS.stackName;

/**
 * Output key of the exemptions table. Until lib/stack-outputs.ts lists it (`exemptionsTableName`), the key
 * the stack is asked to publish is named here.
 */
const EXEMPTIONS_TABLE_OUTPUT: string =
  (GUARDRAIL_STACK_OUTPUTS as Readonly<Record<string, string>>).exemptionsTableName ?? 'ExemptionsTableName';

/** CfnOutput keys the stack publishes (lib/stack-outputs.ts, the contract), and the flag that overrides each. */
export const STACK_OUTPUTS = {
  auditTable: { outputKey: GUARDRAIL_STACK_OUTPUTS.auditTableName, flag: '--table' },
  archiveBucket: { outputKey: GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName, flag: '--archive-bucket' },
  exemptionsTable: { outputKey: EXEMPTIONS_TABLE_OUTPUT, flag: '--exemptions-table' },
} as const;

export type GuardrailResource = keyof typeof STACK_OUTPUTS;
export type GuardrailResources = { readonly [name in GuardrailResource]?: string };

/** One entry of DescribeStacks' `Outputs`. */
export interface StackOutput {
  readonly OutputKey?: string;
  readonly OutputValue?: string;
}

/** Maps a stack's outputs to resource names; unknown outputs are ignored. */
export function resourcesFromOutputs(outputs: readonly StackOutput[]): GuardrailResources {
  const resources: { [name in GuardrailResource]?: string } = {};
  for (const [name, { outputKey }] of Object.entries(STACK_OUTPUTS) as [GuardrailResource, { outputKey: string }][]) {
    const value = outputs.find((output) => output.OutputKey === outputKey)?.OutputValue;
    if (value !== undefined && value !== '') {
      resources[name] = value;
    }
  }
  return resources;
}

/**
 * Returns the `needed` resources, from `explicit` flags first and the stack's outputs for the rest. The stack
 * is only asked when a flag is missing. Throws UsageError naming the missing output and the flag to pass.
 */
export async function resolveResources<K extends GuardrailResource>(
  needed: readonly K[],
  explicit: GuardrailResources,
  stackName: string,
  describeOutputs: (stackName: string) => Promise<readonly StackOutput[]>,
  /** The region the stack is looked for in, said in the error so a wrong region is easy to spot. */
  region?: string,
): Promise<{ readonly [name in K]: string }> {
  const missing = needed.filter((name) => explicit[name] === undefined || explicit[name] === '');
  let discovered: GuardrailResources = {};
  if (missing.length > 0) {
    let outputs: readonly StackOutput[];
    try {
      outputs = await describeOutputs(stackName);
    } catch (error) {
      const flags = missing.map((name) => STACK_OUTPUTS[name].flag).join(', ');
      throw new UsageError(
        `cannot read the outputs of stack "${stackName}" (${(error as Error).message}); pass --stack with the deployed stack's name, or ${flags}` +
          ` (looked in ${region !== undefined ? `region ${region}` : 'no region: set AWS_REGION or pass --region'})`,
        { cause: error },
      );
    }
    discovered = resourcesFromOutputs(outputs);
  }
  const resolved: Partial<Record<K, string>> = {};
  for (const name of needed) {
    const value = explicit[name] || discovered[name];
    if (value === undefined) {
      const { outputKey, flag } = STACK_OUTPUTS[name];
      throw new UsageError(`stack "${stackName}" has no output ${outputKey}; deploy the current version of the stack or pass ${flag}`);
    }
    resolved[name] = value;
  }
  return resolved as { readonly [name in K]: string };
}

/** The stack's outputs could not be read: a UsageError that names the stack, the region and the flags to pass. */
export class StackOutputsUnreadableError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackOutputsUnreadableError';
  }
}

/** The archive lock flags, which override the stack's outputs. */
export interface ArchiveLockFlags {
  readonly mode?: string;
  readonly retentionDays?: string;
}

/**
 * How the deployment locks archive copies: `--archive-lock-mode` (and `--archive-retention-days`) when given,
 * otherwise the stack's outputs (AuditArchiveLockMode, AuditArchiveRetentionDays). Undefined when the stack has no
 * such output (deployed before copies were locked explicitly: its bucket's default retention locks them). Throws
 * UsageError when the stack cannot be read or a value is not valid.
 */
export async function resolveArchiveLock(
  flags: ArchiveLockFlags,
  stackName: string,
  describeOutputs: (stackName: string) => Promise<readonly StackOutput[]>,
  region?: string,
): Promise<ArchiveLockSettings | undefined> {
  if (flags.mode === undefined || flags.mode === '') {
    if (flags.retentionDays !== undefined && flags.retentionDays !== '') {
      throw new UsageError('--archive-retention-days needs --archive-lock-mode (COMPLIANCE, GOVERNANCE or NONE)');
    }
  } else {
    try {
      return parseArchiveLockSettings(flags.mode.toUpperCase(), flags.retentionDays);
    } catch (error) {
      throw new UsageError(`--archive-lock-mode ${flags.mode}: ${(error as Error).message}; pass --archive-retention-days with COMPLIANCE or GOVERNANCE`, { cause: error });
    }
  }
  let outputs: readonly StackOutput[];
  try {
    outputs = await describeOutputs(stackName);
  } catch (error) {
    throw new StackOutputsUnreadableError(
      `cannot read the outputs of stack "${stackName}" (${(error as Error).message}) to learn how archive copies are locked; pass --stack with the deployed stack's name, ` +
        `or --archive-lock-mode and --archive-retention-days (looked in ${region !== undefined ? `region ${region}` : 'no region: set AWS_REGION or pass --region'})`,
      { cause: error },
    );
  }
  const value = (key: string): string | undefined => outputs.find((output) => output.OutputKey === key)?.OutputValue;
  const mode = value(GUARDRAIL_STACK_OUTPUTS.auditArchiveLockMode);
  if (mode === undefined || mode === '') return undefined;
  try {
    return parseArchiveLockSettings(mode, value(GUARDRAIL_STACK_OUTPUTS.auditArchiveRetentionDays));
  } catch (error) {
    throw new UsageError(`stack "${stackName}" says archive copies are locked "${mode}", but ${(error as Error).message}; pass --archive-lock-mode and --archive-retention-days`, { cause: error });
  }
}

/**
 * The output the organization-wide (central) stack publishes with its organization's ID: CENTRAL_STACK_OUTPUTS
 * .organizationId in lib/organization/central-stack.ts (kept equal by a test; not imported, so the CLI loads no CDK).
 */
export const ORGANIZATION_ID_OUTPUT = 'OrganizationId';

/** The organization the stack guards (its OrganizationId output), or undefined: single account, or a stack it cannot read. */
export async function stackOrganizationId(stackName: string, describeOutputs: (stackName: string) => Promise<readonly StackOutput[]>): Promise<string | undefined> {
  try {
    const value = (await describeOutputs(stackName)).find((output) => output.OutputKey === ORGANIZATION_ID_OUTPUT)?.OutputValue;
    return value !== undefined && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
