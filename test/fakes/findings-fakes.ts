/**
 * Stateful fakes of EventBridge PutEvents and Security Hub BatchImportFindings, installed on aws-sdk-client-mock
 * mocks like the other fakes. They answer as the services do: PutEvents refuses an entry over 256 KB in the
 * answer (FailedEntryCount), not with an exception; BatchImportFindings creates a finding for a new (ProductArn,
 * Id) and updates the existing one otherwise, and, when Security Hub is not enabled, lists every finding in
 * FailedFindings with ErrorCode InvalidAccess.
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

export class EventBridgeFake {
  readonly events: PutEvent[] = [];
  readonly log: CallLog;
  private readonly mock = mockClient(EventBridgeClient);

  constructor(options: { readonly log?: CallLog } = {}) {
    this.log = options.log ?? new CallLog();
    this.mock.on(PutEventsCommand).callsFake(async (input: { Entries?: PutEventsRequestEntry[] }) => {
      const entry = this.log.start('eventbridge', 'PutEvents', input);
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

export class SecurityHubFake {
  /** Findings by `${ProductArn} ${Id}`. */
  readonly findings = new Map<string, StoredFinding>();
  /** Every BatchImportFindings call, findings as sent. */
  readonly calls: AwsSecurityFinding[][] = [];
  enabled = true;
  private readonly mock = mockClient(SecurityHubClient);

  constructor() {
    this.mock.on(BatchImportFindingsCommand).callsFake(async (input: { Findings?: AwsSecurityFinding[] }) => {
      const findings = input.Findings ?? [];
      this.calls.push(findings);
      if (!this.enabled) {
        return { FailedCount: findings.length, SuccessCount: 0, FailedFindings: findings.map((finding) => ({ Id: finding.Id, ErrorCode: 'InvalidAccess', ErrorMessage: 'Account is not subscribed to AWS Security Hub' })) };
      }
      for (const finding of findings) {
        const key = `${finding.ProductArn} ${finding.Id}`;
        const existing = this.findings.get(key);
        // Security Hub keeps the Workflow the finding was created with: BatchImportFindings cannot change it.
        const stored = existing !== undefined ? { ...finding, Workflow: existing.finding.Workflow } : finding;
        this.findings.set(key, { finding: stored as AwsSecurityFinding, imports: (existing?.imports ?? 0) + 1 });
      }
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
