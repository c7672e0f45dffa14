/**
 * Text renderings of an audit report: a terminal table, CSV for spreadsheets, Markdown for tickets and JSON
 * for tools. Pure: rows and summary in, a string out.
 */
import { describeChange } from './diff';
import { formatDuration, type AuditRow, type AuditSummary } from './report';

export const AUDIT_FORMATS = ['table', 'json', 'csv', 'md', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** `arn:aws:sts::111122223333:assumed-role/Admin/alice` → `assumed-role/Admin/alice`. */
export function shortPrincipal(principal: string): string {
  const arn = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(principal);
  return arn ? (arn[1] as string) : principal;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** One line naming the totals, for the end of a table or the top of a ticket. */
export function summaryLine(summary: AuditSummary): string {
  const outcomes = summary.outcomes.map((outcome) => `${outcome} ${summary.byOutcome[outcome]}`).join(', ');
  const contain = summary.timeToContain
    ? `time to contain median ${formatDuration(summary.timeToContain.medianMs)}, p99 ${formatDuration(summary.timeToContain.p99Ms)} (${summary.timeToContain.count} contained)`
    : 'nothing contained';
  return `${summary.total} record${summary.total === 1 ? '' : 's'} from ${summary.from} to ${summary.to}${outcomes ? `: ${outcomes}` : ''}; ${contain}`;
}

/** Fixed-width columns for a terminal, newest first, with the summary line under it. */
export function renderTable(rows: readonly AuditRow[], summary: AuditSummary, width = 120): string {
  const header = ['TIME (UTC)', 'BUCKET', 'OUTCOME', 'EVENT', 'WHO', 'PUBLIC', 'CONTAINED IN'];
  const cells = rows.map((row) => [
    row.eventTime.replace('T', ' ').replace(/(\.\d+)?Z$/, ''),
    row.bucket,
    row.outcome,
    row.eventName,
    shortPrincipal(row.actor.principal),
    row.access.length > 0 ? row.access.join(',') : '-',
    formatDuration(row.timeToContainMs),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] as string).length)));
  // Shrink the widest free-text columns (bucket, who) until the table fits the terminal.
  const separators = 2 * (header.length - 1);
  for (const column of [4, 1]) {
    const total = widths.reduce((sum, value) => sum + value, 0) + separators;
    if (total > width) {
      widths[column] = Math.max((header[column] as string).length, (widths[column] as number) - (total - width));
    }
  }
  const format = (line: string[]): string =>
    line
      .map((cell, column) => truncate(cell, widths[column] as number).padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  const lines = [format(header), ...cells.map(format)];
  if (rows.length === 0) {
    lines.push('(no records in this range)');
  }
  lines.push('', summaryLine(summary));
  return `${lines.join('\n')}\n`;
}

/** JSON for tools: the summary and the records exactly as stored, newest first. */
export function renderJson(summary: AuditSummary, records: readonly unknown[]): string {
  return `${JSON.stringify({ summary, records }, null, 2)}\n`;
}

const CSV_COLUMNS = [
  'id',
  'kind',
  'eventTime',
  'bucket',
  'account',
  'region',
  'eventName',
  'outcome',
  'mode',
  'strategy',
  'principal',
  'sourceIp',
  'userAgent',
  'accessKeyId',
  'publicAccess',
  'timeToContainMs',
  'why',
  'actions',
  'changes',
  'error',
] as const;

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would run as a formula (starting with = + - @ or a
 * control character) gets a leading apostrophe, so a hostile user agent cannot become a formula.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(rows: readonly AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const values: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
      id: row.id,
      kind: row.kind,
      eventTime: row.eventTime,
      bucket: row.bucket,
      account: row.account,
      region: row.region,
      eventName: row.eventName,
      outcome: row.outcome,
      mode: row.mode,
      strategy: row.strategy,
      principal: row.actor.principal,
      sourceIp: row.actor.sourceIp,
      userAgent: row.actor.userAgent,
      accessKeyId: row.actor.accessKeyId,
      publicAccess: row.access.join(';'),
      timeToContainMs: row.timeToContainMs,
      why: row.why.join(' | '),
      actions: row.actions.join(' | '),
      changes: row.changes.map((change) => describeChange(change)).join('\n'),
      error: row.error,
    };
    lines.push(CSV_COLUMNS.map((column) => csvField(values[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Markdown table cell: pipes, backslashes and line breaks escaped. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

/** Markdown for a ticket or a wiki page: summary, a table, and the details of every record. */
export function renderMarkdown(rows: readonly AuditRow[], summary: AuditSummary): string {
  const lines: string[] = [];
  lines.push(`# Bucket guardrail audit: ${summary.from} to ${summary.to}`, '');
  lines.push(`- Records: ${summary.total}`);
  for (const outcome of summary.outcomes) {
    lines.push(`- ${mdCell(outcome)}: ${summary.byOutcome[outcome]}`);
  }
  lines.push(`- Buckets: ${summary.distinctBuckets}; principals: ${summary.distinctActors}`);
  if (summary.timeToContain) {
    lines.push(
      `- Time to contain: median ${formatDuration(summary.timeToContain.medianMs)}, p99 ${formatDuration(summary.timeToContain.p99Ms)}, max ${formatDuration(summary.timeToContain.maxMs)} (${summary.timeToContain.count} contained)`,
    );
  }
  lines.push('', '| Time (UTC) | Bucket | Outcome | Event | Who | Public | Contained in |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    lines.push(
      `| ${[row.eventTime, row.bucket, row.outcome, row.eventName, row.actor.principal, row.access.join(', ') || '-', formatDuration(row.timeToContainMs)].map(mdCell).join(' | ')} |`,
    );
  }
  if (rows.length === 0) {
    lines.push('', '_No records in this range._');
  }
  for (const row of rows) {
    lines.push('', `## ${mdCell(row.bucket)} · ${mdCell(row.outcome)} · ${mdCell(row.eventTime)}`, '');
    lines.push(`- Record: \`${row.id}\` (${mdCell(row.kind)}), account ${mdCell(row.account)}, ${mdCell(row.region)}`);
    lines.push(
      `- Who: ${mdCell(row.actor.principal)}${row.actor.sourceIp ? ` from ${mdCell(row.actor.sourceIp)}` : ''}${row.actor.userAgent ? ` using ${mdCell(row.actor.userAgent)}` : ''}`,
    );
    for (const why of row.why) {
      lines.push(`- Why public: ${mdCell(why)}`);
    }
    for (const action of row.actions) {
      lines.push(`- Done: ${mdCell(action)}`);
    }
    if (row.error) {
      lines.push(`- Error: ${mdCell(row.error)}`);
    }
    if (row.changes.length > 0) {
      lines.push('', '```diff', ...row.changes.map((change) => describeChange(change).replace(/```/g, "'''")), '```');
    }
  }
  return `${lines.join('\n')}\n`;
}
