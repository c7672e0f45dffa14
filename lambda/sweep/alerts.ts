/**
 * The sweep's own alerts, pure: one summary per sweep, one critical alert when the guardrail is blind in a
 * region, and one per bucket the sweep could not check at all. (Buckets the sweep changed or failed to
 * change are alerted by the remediation pipeline itself, in the same format as the event path.)
 *
 * Every alert is an SNS message with `MessageStructure: json`: `default` is machine-readable JSON, `email`
 * is text a person reads on a phone; message attributes allow subscription filter policies.
 */
import type { Severity } from '../shared/audit/record';
import type { ErrorDescription } from '../shared/aws/errors';
import type { ForeignDoorVerdict } from './doors';
import { durationMs, type SweepProgress } from './progress';
import type { RegionCoverage } from './trail-coverage';
import type { BucketRef, SweepStart } from './messages';

export interface SweepAlert {
  /** Under 100 characters (SNS allows 100 for email subjects). */
  readonly subject: string;
  readonly defaultMessage: string;
  readonly emailMessage: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const SUBJECT_LIMIT = 99;

function subject(text: string): string {
  return text.length <= SUBJECT_LIMIT ? text : `${text.slice(0, SUBJECT_LIMIT - 1)}…`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface SummaryContext {
  readonly account: string;
  readonly finishedAt: string;
  /** False when the summary is sent for a sweep that never finished (found by the next sweep). */
  readonly complete: boolean;
}

export function summarySeverity(progress: SweepProgress, complete: boolean): Severity {
  const memberCoverage = progress.accountCoverage ?? [];
  const blind = progress.coverage.some((region) => region.status === 'blind') || memberCoverage.some((note) => note.status === 'blind');
  if (progress.counts.failed > 0 || blind || !complete) {
    return 'critical';
  }
  // An account that could not be swept may hold public buckets nobody checked.
  if (progress.counts.remediated > 0 || progress.counts.reportOnly > 0 || (progress.accountFailures ?? []).length > 0) {
    return 'high';
  }
  return progress.coverage.some((region) => region.status === 'unknown') || memberCoverage.length > 0 ? 'medium' : 'low';
}

/** One summary per sweep: buckets checked, public found, remediated, failed, exempt, duration. */
export function summaryAlert(progress: SweepProgress, context: SummaryContext): SweepAlert {
  const { counts } = progress;
  const elapsedMs = durationMs(progress.startedAt, context.finishedAt);
  const severity = summarySeverity(progress, context.complete);
  const state = context.complete ? 'complete' : `INCOMPLETE (${counts.checked} of ${progress.listed} listed buckets checked)`;
  const accounts = progress.accounts;
  const failures = progress.accountFailures ?? [];
  const scope =
    accounts !== undefined
      ? `of ${accounts.length} account${accounts.length === 1 ? '' : 's'} of the organization (run from account ${context.account})`
      : `of account ${context.account}`;
  const lines = [
    `Sweep ${progress.sweepId} ${scope}: ${state}.`,
    `Started by: ${progress.trigger}${progress.causedBy ? ` (${progress.causedBy.eventName}${progress.causedBy.actorArn ? ` by ${progress.causedBy.actorArn}` : ''}, event ${progress.causedBy.eventId})` : ''}, at ${progress.startedAt}; took ${formatDuration(elapsedMs)}.`,
    '',
    `Buckets checked: ${counts.checked}${context.complete ? '' : ` of ${progress.listed}`}`,
    `Public found:    ${counts.public}`,
    `Remediated:      ${counts.remediated}`,
    `Report-only:     ${counts.reportOnly}`,
    `Failed:          ${counts.failed}`,
    `Exempt:          ${counts.exempt}`,
    `Already private: ${counts.alreadyPrivate}`,
    `Gone meanwhile:  ${counts.bucketGone}`,
    '',
    'CloudTrail coverage (the guardrail only sees exposure events where a trail logs write management events):',
    ...(progress.coverage.length > 0 ? progress.coverage.map((region) => `  ${region.region}: ${region.status} (${region.why})`) : ['  not checked']),
  ];
  if (accounts !== undefined) {
    lines.push('', `Accounts swept: ${accounts.length - failures.length} of ${accounts.length}`);
    if (failures.length > 0) {
      lines.push(
        `Accounts that could not be swept (${failures.length}); their buckets were not checked:`,
        ...failures.map((failure) => `  ${failure.account}: ${failure.reason}`),
        'The management account has no member role (service-managed StackSets never deploy there); any other account',
        'listed here has no member stack yet or its member role is out of date.',
      );
    }
    const memberCoverage = progress.accountCoverage ?? [];
    if (memberCoverage.length > 0) {
      const blindPairs = memberCoverage.filter((note) => note.status === 'blind').length;
      lines.push(
        '',
        `Member account regions without confirmed CloudTrail coverage (${memberCoverage.length}, ${blindPairs} BLIND); exposures there raise no event:`,
        ...memberCoverage.map((note) => `  ${note.account} ${note.region}: ${note.status} (${note.why})`),
      );
    }
  }
  if (!context.complete) {
    lines.push('', 'Some buckets were never counted: look for messages in the sweep dead-letter queue and in the worker logs.');
  }
  if (counts.failed > 0) {
    lines.push('', 'Each failed bucket has its own alert with the reason.');
  }
  const verdict = counts.public === 0 ? 'nothing public' : `${counts.public} public, ${counts.remediated} remediated`;
  const failed = `${counts.failed > 0 ? `, ${counts.failed} FAILED` : ''}${failures.length > 0 ? `, ${failures.length} account${failures.length === 1 ? '' : 's'} not swept` : ''}`;
  return {
    subject: subject(`[${severity}] Sweep ${context.complete ? 'done' : 'INCOMPLETE'}: ${counts.checked} buckets, ${verdict}${failed}`),
    defaultMessage: JSON.stringify({
      kind: 'sweep-summary',
      sweepId: progress.sweepId,
      account: context.account,
      trigger: progress.trigger,
      complete: context.complete,
      startedAt: progress.startedAt,
      finishedAt: context.finishedAt,
      durationMs: elapsedMs,
      listed: progress.listed,
      counts,
      coverage: progress.coverage,
      ...(accounts !== undefined ? { accounts: accounts.length, accountFailures: failures, accountCoverage: progress.accountCoverage ?? [] } : {}),
      severity,
    }),
    emailMessage: `${lines.join('\n')}\n`,
    attributes: { severity, outcome: 'sweep-summary', account: context.account, eventName: 'Sweep' },
  };
}

/** Critical: in these regions no trail feeds the guardrail, so exposures there are only found by sweeps. */
export function blindAlert(start: SweepStart, account: string, coverage: readonly RegionCoverage[]): SweepAlert | undefined {
  const affected = coverage.filter((region) => region.status !== 'covered');
  if (affected.length === 0) {
    return undefined;
  }
  const blind = affected.filter((region) => region.status === 'blind');
  const severity: Severity = blind.length > 0 ? 'critical' : 'medium';
  const lines = [
    blind.length > 0
      ? `The guardrail is BLIND in ${blind.map((region) => region.region).join(', ')} (account ${account}).`
      : `The guardrail could not confirm CloudTrail coverage in ${affected.map((region) => region.region).join(', ')} (account ${account}).`,
    'EventBridge only receives "AWS API Call via CloudTrail" events while a CloudTrail trail logs write management',
    'events. Without one, a bucket made public there is not contained until the next sweep.',
    '',
    ...affected.flatMap((region) => [
      `${region.region}: ${region.status}, ${region.why}`,
      ...region.trails.map((trail) => `  trail ${trail.name} (${trail.arn}): ${trail.status}, ${trail.why}`),
    ]),
    '',
    'Fix: start logging on a multi-region trail with management events (ReadWriteType All or WriteOnly), e.g.',
    '  aws cloudtrail start-logging --name <trail-arn>',
    'or deploy the guardrail with -c createTrail=true.',
    '',
    `Found by sweep ${start.sweepId} (${start.trigger}).`,
  ];
  return {
    subject: subject(`[${severity}] Guardrail ${blind.length > 0 ? 'BLIND' : 'coverage unknown'} in ${affected.map((region) => region.region).join(', ')}`),
    defaultMessage: JSON.stringify({ kind: 'trail-coverage', sweepId: start.sweepId, account, severity, coverage: affected }),
    emailMessage: `${lines.join('\n')}\n`,
    attributes: { severity, outcome: 'guardrail-blind', account, eventName: 'Sweep' },
  };
}

/**
 * High: access points (or Multi-Region Access Points) of the account open buckets of other accounts with a public
 * policy their own settings do not stop, or could not be read. The guardrail never writes to them nor to those buckets:
 * the bucket's owner decides whether requests get through, and this account decides whether to keep the door.
 */
export function foreignDoorsAlert(sweepId: string, account: string, doors: readonly ForeignDoorVerdict[]): SweepAlert | undefined {
  const open = doors.filter((door) => door.public === true);
  const unknown = doors.filter((door) => door.public === null);
  if (open.length === 0 && unknown.length === 0) {
    return undefined;
  }
  const severity: Severity = open.length > 0 ? 'high' : 'medium';
  const kind = (door: ForeignDoorVerdict): string => (door.kind === 'accessPoint' ? 'access point' : 'Multi-Region Access Point');
  const lines = [
    `Account ${account} has ${open.length > 0 ? `${open.length} public door${open.length === 1 ? '' : 's'}` : 'doors that could not be read'} to buckets of other accounts.`,
    'Judged on their own side only (policy, own Block Public Access, network origin). The guardrail does not change them or',
    "those buckets: the bucket's owner decides whether requests get through; remove or restrict the door here if it should not be public.",
    '',
    ...open.map((door) => `PUBLIC  ${kind(door)} ${door.name} (${door.region}) -> bucket ${door.bucket} of account ${door.bucketAccount}: ${door.why}`),
    ...unknown.map((door) => `UNKNOWN ${kind(door)} ${door.name} (${door.region}) -> bucket ${door.bucket} of account ${door.bucketAccount}: ${door.why}`),
    '',
    `Found by sweep ${sweepId}.`,
  ];
  return {
    subject: subject(`[${severity}] ${open.length > 0 ? `${open.length} public` : `${unknown.length} unreadable`} access point(s) to other accounts' buckets`),
    defaultMessage: JSON.stringify({ kind: 'foreign-access-points', sweepId, account, severity, doors: [...open, ...unknown] }),
    emailMessage: `${lines.join('\n')}\n`,
    attributes: { severity, outcome: 'foreign-access-points', account, eventName: 'Sweep' },
  };
}

/** Critical: the sweep tried a bucket on every attempt and never got an answer. */
export function uncheckedBucketAlert(
  sweepId: string,
  account: string,
  bucket: BucketRef,
  attempts: number,
  error: ErrorDescription,
): SweepAlert {
  const lines = [
    `Sweep ${sweepId} could not check bucket ${bucket.name} (account ${account}, region ${bucket.region ?? 'unknown'}) after ${attempts} attempts.`,
    `Last error: ${error.code ?? error.name}: ${error.message}`,
    '',
    'Whether this bucket is public is unknown. Check it by hand:',
    `  npx bucket-guardrail scan${bucket.region ? ` --region ${bucket.region}` : ''}`,
  ];
  return {
    subject: subject(`[critical] Sweep could not check ${bucket.name}`),
    defaultMessage: JSON.stringify({ kind: 'sweep-bucket-error', sweepId, account, bucket: bucket.name, region: bucket.region, attempts, error }),
    emailMessage: `${lines.join('\n')}\n`,
    attributes: { severity: 'critical', outcome: 'failed', bucket: bucket.name, account, eventName: 'Sweep' },
  };
}
