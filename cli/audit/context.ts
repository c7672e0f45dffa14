/**
 * What every audit command shares: the common flags (stack, region, explicit resource names), SDK clients
 * built by the shared factory from the caller's environment, the stack's outputs, the clock, and the
 * caller's identity. Commands take a `Partial<AuditCommandDeps>` so tests can fix the clock and identity.
 */
import { randomUUID } from 'node:crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createAwsClients, type AwsClients } from '../../lambda/shared/aws/clients';
import type { CliIo } from '../io';
import { describeStackOutputs } from './aws';
import { stsCallerIdentity, type CallerIdentityResolver } from './caller-identity';
import type { ArchiveLockSettings } from '../../lambda/shared/audit/archive-lock';
import { DEFAULT_STACK_NAME, resolveArchiveLock, resolveResources, stackOrganizationId, type GuardrailResource } from './stack-outputs';

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

export interface GuardrailContext {
  readonly clients: AwsClients;
  readonly region: string | undefined;
  readonly stackName: string;
  readonly deps: AuditCommandDeps;
  resources<K extends GuardrailResource>(needed: readonly K[]): Promise<{ readonly [name in K]: string }>;
  /** How archive copies are locked (flags, then the stack's outputs); undefined for a stack that does not say. */
  archiveLock(): Promise<ArchiveLockSettings | undefined>;
  /** The organization an organization-wide stack guards; undefined for a single-account stack (or one it cannot read). */
  organizationId(): Promise<string | undefined>;
}

export function createContext(
  values: {
    stack?: string;
    region?: string;
    table?: string;
    'archive-bucket'?: string;
    'exemptions-table'?: string;
    'archive-lock-mode'?: string;
    'archive-retention-days'?: string;
  },
  io: CliIo,
  deps: Partial<AuditCommandDeps> = {},
): GuardrailContext {
  const clients = createAwsClients(io.env);
  const region = values.region ?? clients.homeRegion;
  const stackName = values.stack ?? DEFAULT_STACK_NAME;
  const describe = (name: string) => describeStackOutputs(new CloudFormationClient(clients.baseConfig('cloudformation', region)), name);
  return {
    clients,
    region,
    stackName,
    deps: { ...DEFAULT_DEPS, ...deps },
    resources: (needed) =>
      resolveResources(needed, { auditTable: values.table, archiveBucket: values['archive-bucket'], exemptionsTable: values['exemptions-table'] }, stackName, describe, region),
    archiveLock: () =>
      resolveArchiveLock(
        {
          ...(values['archive-lock-mode'] !== undefined ? { mode: values['archive-lock-mode'] } : {}),
          ...(values['archive-retention-days'] !== undefined ? { retentionDays: values['archive-retention-days'] } : {}),
        },
        stackName,
        describe,
        region,
      ),
    organizationId: () => stackOrganizationId(stackName, describe),
  };
}
