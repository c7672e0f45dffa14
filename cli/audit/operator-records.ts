/**
 * Audit records for what people do with the CLI (restore a remediation, grant or revoke an exemption), in
 * the one record format of `lambda/shared/audit/record.ts`: same fields, same canonical JSON, same hash,
 * same table and archive. Pure: the caller passes the times, ids and identity in.
 *
 * Operator records use `trigger: "operator"`, the outcomes in OPERATOR_OUTCOMES, `relatedRecordId` (the
 * remediation a restore undid) and the exemption statuses `granted` / `revoked`. Until record.ts lists those
 * values itself, OperatorAuditRecord widens exactly those members and nothing else.
 */
import type { AuditAction, AuditActor, AuditExemption, AuditRecord, Severity, StateSnapshot } from '../../lambda/shared/audit/record';
import { AUDIT_SCHEMA_VERSION } from '../../lambda/shared/audit/record';
import type { Exemption } from '../../lambda/remediate/environment';

export const OPERATOR_OUTCOMES = ['restored', 'exemption-granted', 'exemption-revoked'] as const;
export type OperatorOutcome = (typeof OPERATOR_OUTCOMES)[number];

/** The record of an operator's action: the audit record with the operator values admitted. */
export type OperatorAuditRecord = Omit<AuditRecord, 'trigger' | 'outcome' | 'exemption' | 'mode' | 'strategy'> & {
  /** Absent on records of changes to exemptions, which involve no remediation. */
  readonly mode?: AuditRecord['mode'];
  readonly strategy?: AuditRecord['strategy'];
  readonly trigger: AuditRecord['trigger'] | 'operator';
  readonly outcome: AuditRecord['outcome'] | OperatorOutcome;
  /** The record this one acts on: the remediation a restore undid. */
  readonly relatedRecordId?: string;
  readonly exemption?: Omit<AuditExemption, 'status'> & { readonly status: AuditExemption['status'] | 'granted' | 'revoked' };
};

/** Any record the table may hold: the guardrail's own or an operator's. */
export type StoredAuditRecord = AuditRecord | OperatorAuditRecord;

/** Who ran the command, from STS GetCallerIdentity. */
export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** The CLI's user agent in operator records. */
export const CLI_USER_AGENT = 'bucket-guardrail-cli';

/** `AssumedRole`, `IAMUser`, `Root`, `FederatedUser` from the shape of an STS caller ARN. */
export function identityType(arn: string): string {
  if (/:assumed-role\//.test(arn)) return 'AssumedRole';
  if (/:federated-user\//.test(arn)) return 'FederatedUser';
  if (/:root$/.test(arn)) return 'Root';
  if (/:user\//.test(arn)) return 'IAMUser';
  return 'Unknown';
}

/** The role behind an assumed-role session ARN, as CloudTrail's sessionIssuer reports it. */
function sessionIssuerArn(arn: string): string | undefined {
  const match = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}

export function operatorActor(caller: CallerIdentity): AuditActor {
  const issuer = sessionIssuerArn(caller.arn);
  return {
    type: identityType(caller.arn),
    arn: caller.arn,
    principalId: caller.userId,
    accountId: caller.account,
    ...(issuer ? { sessionIssuerArn: issuer } : {}),
    userAgent: CLI_USER_AGENT,
  };
}

/** The clock readings of one operator action. */
export interface OperatorTimes {
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

interface CommonInput {
  readonly id: string;
  readonly caller: CallerIdentity;
  readonly times: OperatorTimes;
  readonly account: string;
  readonly region: string;
  readonly actions: readonly AuditAction[];
  readonly severity: Severity;
}

function common(input: CommonInput): Omit<OperatorAuditRecord, 'outcome' | 'bucket'> {
  const { startedAt, finishedAt } = input.times;
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: input.id,
    trigger: 'operator' as const,
    scope: 'bucket' as const,
    eventTime: startedAt.toISOString(),
    receivedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    account: input.account,
    region: input.region,
    actor: operatorActor(input.caller),
    severity: input.severity,
    actions: input.actions,
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
  };
}

/** The record of a restore: the remediation it undid, the calls made, and the state before and after them. */
export function restoreRecord(
  input: CommonInput & {
    readonly bucket: string;
    readonly remediation: Pick<OperatorAuditRecord, 'id' | 'mode' | 'strategy'>;
    readonly before: StateSnapshot;
    readonly after: StateSnapshot;
    readonly succeeded: boolean;
    readonly reason: string;
    readonly exemption: Exemption;
    readonly error?: AuditRecord['error'];
  },
): OperatorAuditRecord {
  return {
    ...common(input),
    ...(input.remediation.mode ? { mode: input.remediation.mode } : {}),
    ...(input.remediation.strategy ? { strategy: input.remediation.strategy } : {}),
    eventName: 'RestoreRemediation',
    bucket: input.bucket,
    relatedRecordId: input.remediation.id,
    before: input.before,
    after: input.after,
    exemption: { ...exemptionFields(input.exemption), status: 'granted' },
    outcome: input.succeeded ? 'restored' : 'failed',
    reason: input.reason,
    ...(input.error ? { error: input.error } : {}),
  };
}

function exemptionFields(exemption: Exemption): Omit<AuditExemption, 'status'> {
  return { bucket: exemption.bucket, ...(exemption.account !== undefined ? { account: exemption.account } : {}), reason: exemption.reason, owner: exemption.owner, expires: exemption.expires };
}

/** The record of an exemption granted (or replaced) or revoked. */
export function exemptionRecord(
  input: Omit<CommonInput, 'severity'> & {
    readonly change: 'granted' | 'revoked';
    readonly exemption: Exemption;
    /** The exemption this one replaced, when one existed for the same bucket or glob. */
    readonly replaced?: Exemption;
    /** Set when the exemption is part of a restore. */
    readonly relatedRecordId?: string;
  },
): OperatorAuditRecord {
  const replaced = input.replaced
    ? ` It replaced the exemption owned by ${input.replaced.owner} until ${input.replaced.expires} ("${input.replaced.reason}").`
    : '';
  const scope = input.exemption.account === undefined ? '' : input.exemption.account === '*' ? ' in every account' : ` in account ${input.exemption.account}`;
  const reason =
    input.change === 'granted'
      ? `Exemption for ${input.exemption.bucket}${scope} granted until ${input.exemption.expires}, owner ${input.exemption.owner}: ${input.exemption.reason}.${replaced}`
      : `Exemption for ${input.exemption.bucket}${scope} revoked (it was owned by ${input.exemption.owner} until ${input.exemption.expires}: ${input.exemption.reason}).`;
  return {
    ...common({ ...input, severity: input.change === 'granted' ? 'medium' : 'low' }),
    eventName: input.change === 'granted' ? 'GrantExemption' : 'RevokeExemption',
    bucket: input.exemption.bucket,
    ...(input.relatedRecordId ? { relatedRecordId: input.relatedRecordId } : {}),
    exemption: { ...exemptionFields(input.exemption), status: input.change },
    outcome: input.change === 'granted' ? 'exemption-granted' : 'exemption-revoked',
    reason,
  };
}
