/**
 * Stateful fakes of EventBridge PutEvents and Security Hub BatchImportFindings, installed on aws-sdk-client-mock
 * mocks like the other fakes. They answer as the services do: PutEvents refuses an entry over 256 KB in the
 * answer (FailedEntryCount), not with an exception; BatchImportFindings creates a finding for a new (ProductArn,
 * Id) and updates the existing one otherwise, and, when Security Hub is not enabled, lists every finding in
 * FailedFindings with ErrorCode InvalidAccess.
 *
 * Updates follow the Security Hub user guide ("BatchImportFindings for finding providers", "Setting the workflow
 * status"): an update whose UpdatedAt is before the stored one is ignored; Workflow, Note, UserDefinedFields and
 * VerificationState keep what the finding was created with (they are changed through BatchUpdateFindings only);
 * and Security Hub itself resets a NOTIFIED or RESOLVED Workflow to NEW when RecordState goes from ARCHIVED to
 * ACTIVE or Compliance.Status from PASSED to WARNING, FAILED or NOT_AVAILABLE.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { CallLog } from './call-log';

const MAX_ENTRY_BYTES = 256 * 1024;

export interface PutEvent {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time?: Date;
  readonly Resources: readonly string[];
}

export interface FindingsFakeOptions {
  /** The call log shared with the other fakes (round trips are counted across services). */
  readonly log?: CallLog;
  /** Milliseconds before each call is answered, as the other fakes' delay model (benchmarks). @default 0 */
  readonly delayMs?: number;
}

/** Waits `delayMs` when it is positive; otherwise answers in the same turn, as before. */
async function answerAfter(delayMs: number | undefined): Promise<void> {
  if (delayMs !== undefined && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
}

export class EventBridgeFake {
  readonly events: PutEvent[] = [];
  readonly log: CallLog;
  private readonly mock = mockClient(EventBridgeClient);

  constructor(options: FindingsFakeOptions = {}) {
    this.log = options.log ?? new CallLog();
    this.mock.on(PutEventsCommand).callsFake(async (input: { Entries?: PutEventsRequestEntry[] }) => {
      const entry = this.log.start('eventbridge', 'PutEvents', input);
      await answerAfter(options.delayMs);
      const answers = (input.Entries ?? []).map((item) => {
        const size = [item.Source, item.DetailType, item.Detail, ...(item.Resources ?? [])].reduce((sum, field) => sum + Buffer.byteLength(field ?? ''), 0);
        if (item.Source === undefined || item.DetailType === undefined || item.Detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
        if (size > MAX_ENTRY_BYTES) return { ErrorCode: 'EntryTooLarge', ErrorMessage: `entry is ${size} bytes` };
        JSON.parse(item.Detail);
        this.events.push({ EventBusName: item.EventBusName ?? 'default', Source: item.Source, DetailType: item.DetailType, Detail: item.Detail, ...(item.Time ? { Time: item.Time } : {}), Resources: item.Resources ?? [] });
        return { EventId: `event-${this.events.length}` };
      });
      this.log.end(entry);
      return { FailedEntryCount: answers.filter((answer) => 'ErrorCode' in answer).length, Entries: answers };
    });
  }

  restore(): void {
    this.mock.restore();
  }
}

export interface StoredFinding {
  readonly finding: AwsSecurityFinding;
  readonly imports: number;
}

/** Fields a finding provider cannot change on an existing finding with BatchImportFindings. */
const CUSTOMER_FIELDS = ['Workflow', 'Note', 'UserDefinedFields', 'VerificationState'] as const;

/** The finding Security Hub keeps when a provider imports `update` over `existing`. */
export function updatedFinding(existing: AwsSecurityFinding, update: AwsSecurityFinding): AwsSecurityFinding {
  const kept: Record<string, unknown> = { ...update };
  for (const field of CUSTOMER_FIELDS) {
    if (existing[field] !== undefined) kept[field] = existing[field];
    else delete kept[field];
  }
  const reopened =
    (existing.RecordState === 'ARCHIVED' && update.RecordState === 'ACTIVE') ||
    (existing.Compliance?.Status === 'PASSED' && update.Compliance?.Status !== undefined && update.Compliance.Status !== 'PASSED');
  const workflow = existing.Workflow?.Status;
  if (reopened && (workflow === 'NOTIFIED' || workflow === 'RESOLVED')) kept.Workflow = { Status: 'NEW' };
  return kept as unknown as AwsSecurityFinding;
}

export class SecurityHubFake {
  /** Findings by `${ProductArn} ${Id}`. */
  readonly findings = new Map<string, StoredFinding>();
  /** Every BatchImportFindings call, findings as sent. */
  readonly calls: AwsSecurityFinding[][] = [];
  readonly log: CallLog;
  enabled = true;
  private readonly mock = mockClient(SecurityHubClient);

  constructor(options: FindingsFakeOptions = {}) {
    this.log = options.log ?? new CallLog();
    this.mock.on(BatchImportFindingsCommand).callsFake(async (input: { Findings?: AwsSecurityFinding[] }) => {
      const entry = this.log.start('securityhub', 'BatchImportFindings', input);
      await answerAfter(options.delayMs);
      const findings = input.Findings ?? [];
      this.calls.push(findings);
      if (!this.enabled) {
        this.log.end(entry);
        return { FailedCount: findings.length, SuccessCount: 0, FailedFindings: findings.map((finding) => ({ Id: finding.Id, ErrorCode: 'InvalidAccess', ErrorMessage: 'Account is not subscribed to AWS Security Hub' })) };
      }
      for (const finding of findings) {
        const key = `${finding.ProductArn} ${finding.Id}`;
        const existing = this.findings.get(key);
        if (existing === undefined) {
          this.findings.set(key, { finding, imports: 1 });
          continue;
        }
        // An update older than the stored finding is ignored (still counted as a success).
        if (Date.parse(finding.UpdatedAt ?? '') < Date.parse(existing.finding.UpdatedAt ?? '')) continue;
        this.findings.set(key, { finding: updatedFinding(existing.finding, finding), imports: existing.imports + 1 });
      }
      this.log.end(entry);
      return { FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] };
    });
  }

  all(): AwsSecurityFinding[] {
    return [...this.findings.values()].map((stored) => stored.finding);
  }

  restore(): void {
    this.mock.restore();
  }
}
