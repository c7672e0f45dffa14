/**
 * EventBridge and Security Hub behind the OutcomeEventPort and the FindingsPort.
 *
 * PutEvents answers 200 even when it refuses an entry (FailedEntryCount, the entry's ErrorCode), so a refused entry
 * is turned into OutcomeEventError. BatchImportFindings does the same (FailedCount, FailedFindings): an entry that
 * failed with InvalidAccess, or the call failing with InvalidAccessException, means Security Hub or the default
 * product is not enabled in the region, a terminal answer; anything else is FindingImportError.
 *
 * "Not enabled" is alerted once per region per UTC day across containers: the importer asks NotEnabledNotices (a
 * conditional put in the audit table) whether this invocation is the first of the window to see it.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { awsErrorCode, describeError } from '../../shared/aws/errors';
import type { AsffFinding } from '../../shared/findings/asff';
import type { OutcomeEvent } from '../../shared/findings/outcome-event';
import type { FindingImportResult, FindingsPort, OutcomeEventPort } from '../ports';
import { InMemoryNotEnabledNotices, type NotEnabledNotices } from './security-hub-notices';

export class OutcomeEventError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutcomeEventError';
  }
}

export class FindingImportError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FindingImportError';
  }
}

export class EventBridgeOutcomePublisher implements OutcomeEventPort {
  constructor(
    private readonly events: EventBridgeClient,
    /** A bus name or ARN; `default` is the account's default bus. */
    private readonly eventBusName: string,
  ) {}

  async publish(event: OutcomeEvent): Promise<void> {
    const answer = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: event.source,
            DetailType: event.detailType,
            Detail: event.detail,
            Time: new Date(event.time),
            Resources: [...event.resources],
          },
        ],
      }),
    );
    if ((answer.FailedEntryCount ?? 0) > 0) {
      const entry = answer.Entries?.[0];
      throw new OutcomeEventError(entry?.ErrorCode, `EventBridge refused the outcome event on ${this.eventBusName}: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`);
    }
  }
}

/** Error codes meaning Security Hub, or the account's default product, is not enabled in the region. */
const NOT_ENABLED_CODES = ['InvalidAccess', 'InvalidAccessException'];

/** After Security Hub answers "not enabled", how long the importer answers that from memory without calling it. */
export const NOT_ENABLED_RECHECK_MS = 15 * 60_000;

export interface SecurityHubFindingsImporterOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Which invocation alerts that Security Hub is not enabled.
   * @default - an InMemoryNotEnabledNotices: once per region per day in this container only
   */
  readonly notices?: NotEnabledNotices;
}

export class SecurityHubFindingsImporter implements FindingsPort {
  /** When Security Hub last answered "not enabled" (epoch ms), and what it said. */
  private notEnabled: { readonly at: number; readonly detail: string } | undefined;
  private readonly now: () => number;
  private readonly notices: NotEnabledNotices;

  constructor(
    private readonly securityHub: SecurityHubClient,
    options: SecurityHubFindingsImporterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.notices = options.notices ?? new InMemoryNotEnabledNotices();
  }

  async import(finding: AsffFinding): Promise<FindingImportResult> {
    if (this.notEnabled !== undefined && this.now() - this.notEnabled.at < NOT_ENABLED_RECHECK_MS) {
      return { status: 'security-hub-not-enabled', detail: this.notEnabled.detail, firstNotice: false };
    }
    const result = await this.send(finding);
    if (result.status === 'imported') {
      this.notEnabled = undefined;
      return result;
    }
    const at = this.now();
    this.notEnabled = { at, detail: result.detail };
    try {
      return { ...result, firstNotice: await this.notices.claim(finding.Region, at, result.detail) };
    } catch (error) {
      // The marker could not be written: this invocation alerts (a second alert beats none), and says why.
      return { ...result, firstNotice: true, noticeError: describeError(error).message };
    }
  }

  private async send(finding: AsffFinding): Promise<{ readonly status: 'imported' } | { readonly status: 'security-hub-not-enabled'; readonly detail: string }> {
    let answer;
    try {
      // ASFF arrays are readonly in the pure core; the SDK types them mutable.
      answer = await this.securityHub.send(new BatchImportFindingsCommand({ Findings: [finding as unknown as AwsSecurityFinding] }));
    } catch (error) {
      const code = awsErrorCode(error);
      if (code !== undefined && NOT_ENABLED_CODES.includes(code)) {
        return { status: 'security-hub-not-enabled', detail: `${code}: ${describeError(error).message}` };
      }
      throw error;
    }
    if ((answer.FailedCount ?? 0) > 0) {
      const failed = answer.FailedFindings?.[0];
      if (failed?.ErrorCode !== undefined && NOT_ENABLED_CODES.includes(failed.ErrorCode)) {
        return { status: 'security-hub-not-enabled', detail: `${failed.ErrorCode}: ${failed.ErrorMessage ?? ''}` };
      }
      throw new FindingImportError(failed?.ErrorCode, `Security Hub refused finding ${finding.Id}: ${failed?.ErrorCode ?? 'unknown'}: ${failed?.ErrorMessage ?? ''}`);
    }
    return { status: 'imported' };
  }
}
