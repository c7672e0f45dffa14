/**
 * What every audit command shares: the common flags (stack, region, explicit resource names), SDK clients
 * built by the shared factory from the caller's environment, the stack's outputs, the clock, and the
 * caller's identity. Commands take a `Partial<AuditCommandDeps>` so tests can fix the clock and identity.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createAwsClients, type AwsClients } from '../../lambda/shared/aws/clients';
import { UsageError, type CliIo } from '../io';
import { describeStackOutputs } from './aws';
import { stsCallerIdentity, type CallerIdentityResolver } from './caller-identity';
import { DEFAULT_STACK_NAME, resolveResources, type GuardrailResource } from './stack-outputs';

export interface AuditCommandDeps {
  readonly now: () => Date;
  readonly callerIdentity: CallerIdentityResolver;
  /** A new unique id for an operator record. */
  readonly newId: () => string;
}

export const DEFAULT_DEPS: AuditCommandDeps = {
  now: () => new Date(),
  callerIdentity: stsCallerIdentity,
  newId: () => `op-${randomUUID()}`,
};

/** Flags every audit command accepts. */
export const COMMON_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  table: { type: 'string' },
  'archive-bucket': { type: 'string' },
  'exemptions-table': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_USAGE =
  '  --stack NAME             stack whose outputs name the table and buckets (default BucketGuardrail)\n' +
  '  --region R               region of the stack (default AWS_REGION)\n' +
  '  --table T, --archive-bucket B, --exemptions-table E   use these instead of the stack outputs';

/** node:util parseArgs with its errors as UsageError (return type spelled out so the package's declarations can name it). */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`, { cause: error });
  }
}

export interface GuardrailContext {
  readonly clients: AwsClients;
  readonly region: string | undefined;
  readonly stackName: string;
  readonly deps: AuditCommandDeps;
  resources<K extends GuardrailResource>(needed: readonly K[]): Promise<{ readonly [name in K]: string }>;
}

export function createContext(
  values: { stack?: string; region?: string; table?: string; 'archive-bucket'?: string; 'exemptions-table'?: string },
  io: CliIo,
  deps: Partial<AuditCommandDeps> = {},
): GuardrailContext {
  const clients = createAwsClients(io.env);
  const region = values.region ?? clients.homeRegion;
  const stackName = values.stack ?? DEFAULT_STACK_NAME;
  return {
    clients,
    region,
    stackName,
    deps: { ...DEFAULT_DEPS, ...deps },
    resources: (needed) =>
      resolveResources(
        needed,
        { auditTable: values.table, archiveBucket: values['archive-bucket'], exemptionsTable: values['exemptions-table'] },
        stackName,
        (name) => describeStackOutputs(new CloudFormationClient({ region, retryMode: 'adaptive' }), name),
      ),
  };
}
