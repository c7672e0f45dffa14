/**
 * Where the guardrail's resources are: explicit flags win, anything not given comes from the CloudFormation
 * stack's outputs. Pure: the caller passes a function that fetches the outputs (DescribeStacks).
 */
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
