/**
 * One run of the pipeline: who started it, what it has done so far (the actions for the record, the notes for
 * its reason, when it contained the bucket), and the small steps every stage shares (send a write and record it,
 * build the record). The stages are functions over a Run.
 */
import { randomUUID } from 'node:crypto';
import { AUDIT_SCHEMA_VERSION, type AuditAction, type AuditExposedBy } from '../../shared/audit/record';
import { AssumeRoleError } from '../../shared/aws/assume-role';
import { describeError } from '../../shared/aws/errors';
import { METRICS, type SavedContainment, type WriteAction } from '../ports';
import { refusalReason } from './errors';
import { DEFAULT_VERIFY_RETRY_DELAYS_MS, type PipelineDeps, type PipelineRecord, type RecordFields, type TriggerFields } from './types';

export class Run {
  readonly actions: AuditAction[] = [];
  readonly claimToken: string;
  /** Said in the record's reason after the outcome's own words (e.g. the exemptions table was unreadable). */
  readonly notes: string[] = [];
  readonly actingRoleArn: string | undefined;
  containedAt?: number;
  claimed = false;
  /** What an earlier holder of the claim saved right after containing the bucket (it stopped before recording). */
  earlierContainment?: SavedContainment;
  /** This run's save of its containment on the claim (never rejects); the final record waits for it. */
  containmentSaved?: Promise<void>;
  /** Sweep: the CloudTrail lookup started once the bucket was found public. */
  exposedByLookup?: Promise<AuditExposedBy>;
  /** Sweep: the lookup's answer, awaited when the run concludes. */
  exposedBy?: AuditExposedBy;

  constructor(
    readonly deps: PipelineDeps,
    readonly fields: TriggerFields,
    readonly scope: 'bucket' | 'account',
    readonly account: string,
    readonly region: string,
    readonly bucket?: string,
  ) {
    this.claimToken = (deps.newClaimToken ?? randomUUID)();
    this.actingRoleArn = deps.s3.actingRoleArn?.(account);
  }

  iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** Starts the sweep's CloudTrail lookup, if it has one; it runs alongside whatever comes next. */
  lookUpExposure(): void {
    const lookup = this.fields.lookupExposedBy;
    if (lookup === undefined || this.exposedByLookup !== undefined) return;
    this.exposedByLookup = Promise.resolve()
      .then(lookup)
      .catch((error: unknown): AuditExposedBy => ({ status: 'unavailable', detail: `${describeError(error).name}: ${describeError(error).message}` }));
  }

  /** Sends one write and records it as an action, whatever happens. */
  async write(action: WriteAction): Promise<{ ok: true } | { ok: false; error: unknown }> {
    const started = this.deps.clock.now();
    try {
      await this.deps.s3.write(action);
      this.actions.push({ api: action.api, request: action.request as unknown as Record<string, unknown>, result: 'succeeded', at: this.iso(started), durationMs: this.deps.clock.now() - started });
      return { ok: true };
    } catch (error) {
      this.actions.push({
        api: action.api,
        request: action.request as unknown as Record<string, unknown>,
        result: 'failed',
        at: this.iso(started),
        durationMs: this.deps.clock.now() - started,
        error: describeError(error),
      });
      return { ok: false, error };
    }
  }

  notSent(action: WriteAction): void {
    this.actions.push({ api: action.api, request: action.request as unknown as Record<string, unknown>, result: 'not-sent' });
  }

  markContained(): void {
    this.containedAt = this.deps.clock.now();
    const sinceChange = this.containedAt - Date.parse(this.fields.eventTime);
    this.deps.metrics.addMetric(METRICS.timeToContainMs, 'Milliseconds', Math.max(0, sinceChange));
  }

  /** The reason for a refused call, counting a refused AssumeRole (the member stack is missing or wrong). */
  refused(what: string, error: unknown): string {
    if (error instanceof AssumeRoleError) {
      this.deps.metrics.addMetric(METRICS.assumeRoleFailed, 'Count', 1);
      this.deps.logger.warn('cannot assume the member role; the bucket was not checked', { auditId: this.fields.auditId, account: error.accountId, roleArn: error.roleArn, error });
    }
    return refusalReason(what, error);
  }

  buildRecord(fields: RecordFields): PipelineRecord {
    const { config, clock } = this.deps;
    const finishedAt = clock.now();
    const f = this.fields;
    const reason = [fields.reason, ...this.notes].filter((part): part is string => part !== undefined).join('; ');
    return {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      id: f.auditId,
      trigger: f.trigger,
      scope: this.scope,
      ...(f.eventId !== undefined ? { eventId: f.eventId } : {}),
      ...(f.eventName !== undefined ? { eventName: f.eventName } : {}),
      eventTime: f.eventTime,
      ...(f.sweepId !== undefined ? { sweepId: f.sweepId } : {}),
      receivedAt: this.iso(f.receivedAt),
      ...(this.containedAt !== undefined ? { containedAt: this.iso(this.containedAt) } : {}),
      finishedAt: this.iso(finishedAt),
      ...(this.bucket !== undefined ? { bucket: this.bucket } : {}),
      account: this.account,
      region: this.region,
      ...(this.actingRoleArn !== undefined ? { actingRoleArn: this.actingRoleArn } : {}),
      ...(f.actor !== undefined ? { actor: f.actor } : {}),
      ...(this.exposedBy !== undefined ? { exposedBy: this.exposedBy } : {}),
      ...(f.requestedPublicAccessBlock !== undefined ? { requestedPublicAccessBlock: f.requestedPublicAccessBlock } : {}),
      ...(f.through !== undefined ? { through: f.through } : {}),
      ...(fields.verdict !== undefined ? { verdict: fields.verdict } : {}),
      severity: fields.severity,
      mode: config.mode,
      strategy: config.strategy,
      ...(fields.exemption !== undefined ? { exemption: fields.exemption } : {}),
      actions: [...this.actions],
      ...(fields.removed !== undefined ? { removed: fields.removed } : {}),
      ...(fields.before !== undefined ? { before: fields.before } : {}),
      ...(fields.after !== undefined ? { after: fields.after } : {}),
      outcome: fields.outcome,
      ...(reason !== '' ? { reason } : {}),
      ...(this.containedAt !== undefined ? { timeToContainMs: Math.max(0, this.containedAt - Date.parse(f.eventTime)) } : {}),
      durationMs: finishedAt - f.receivedAt,
      ...(fields.error !== undefined ? { error: fields.error } : {}),
    };
  }

  /** The configured re-read delays and the sleep between them, for the verify loops. */
  verifyRetries(): { readonly delays: readonly number[]; readonly sleep: (ms: number) => Promise<void> } {
    return { delays: this.deps.verifyRetryDelaysMs ?? DEFAULT_VERIFY_RETRY_DELAYS_MS, sleep: this.deps.sleep ?? sleeper };
  }
}

/** A promise's outcome without throwing (Promise.allSettled for one promise). */
export function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
  );
}

export function sleeper(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
