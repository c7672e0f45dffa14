/**
 * One self-contained HTML page for a compliance reviewer: totals, time to contain, an inline SVG timeline of
 * exposures by day and outcome, and a table whose rows expand to who, why, what was done and the before/after
 * difference. Pure: rows and summary in, a string out.
 *
 * Opening it needs no network: styles and the small script are inline, the chart is SVG drawn here, and the
 * page's Content-Security-Policy allows nothing else (`default-src 'none'`, the inline style and script
 * admitted by their SHA-256 hashes), so even a hostile bucket name or user agent in a record, which is
 * escaped anyway, could not load or run anything.
 */
import { createHash } from 'node:crypto';
import { describeChange, type StateChange } from './diff';
import { formatDuration, type AuditRow, type AuditSummary } from './report';
import { shortPrincipal } from './render-text';

export interface HtmlReportOptions {
  /** When the report was made (ISO 8601). */
  readonly generatedAt: string;
  /** Where the records came from, e.g. the table name and stack. */
  readonly source: string;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Fixed colours for the outcomes people know; anything else takes the next free colour of FALLBACK. */
const OUTCOME_COLOURS: Record<string, string> = {
  remediated: '#2e7d32',
  failed: '#c62828',
  exempt: '#f9a825',
  'report-only': '#1565c0',
  'already-private': '#78909c',
  'bucket-gone': '#5d4037',
  ignored: '#bdbdbd',
  restored: '#6a1b9a',
};
const FALLBACK = ['#00838f', '#ad1457', '#4527a0', '#ef6c00', '#558b2f', '#37474f'];

/** A CSS class name for an outcome: its position in the summary's outcome list. */
function seriesClass(summary: AuditSummary, outcome: string): string {
  return `s${Math.max(0, summary.outcomes.indexOf(outcome))}`;
}

function seriesColours(summary: AuditSummary): string[] {
  let next = 0;
  return summary.outcomes.map((outcome) => OUTCOME_COLOURS[outcome] ?? (FALLBACK[next++ % FALLBACK.length] as string));
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const BASE_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.meta { color: var(--muted); margin: 0; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 120px; background: var(--bg); }
.card .value { display: block; font-size: 24px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; }
.card .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
svg.timeline { width: 100%; max-width: 960px; height: auto; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
svg.timeline text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg.timeline .grid { stroke: #eaeef2; }
svg.timeline .axis { stroke: var(--line); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 14px; padding: 0; margin: 8px 0 0; color: var(--muted); }
.legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.toolbar input { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 260px; }
.toolbar button { padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); cursor: pointer; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
tr.record { cursor: pointer; }
tr.record:hover, tr.record:focus { background: #eef4ff; outline: none; }
tr.record td:first-child::before { content: "\\25B8"; display: inline-block; width: 1em; color: var(--muted); }
tr.record[aria-expanded="true"] td:first-child::before { content: "\\25BE"; }
tr.details > td { background: #fbfcfd; padding: 12px 16px 16px 28px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 10px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul.plain { margin: 0; padding-left: 18px; }
pre.diff { margin: 6px 0 0; padding: 8px 10px; background: #fff; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
pre.diff .added { color: #116329; background: #dafbe1; }
pre.diff .removed { color: #82071e; background: #ffebe9; }
pre.diff .changed { color: #6f4e00; background: #fff8c5; }
.empty { color: var(--muted); font-style: italic; }
`;

const SCRIPT = `
(function () {
  var table = document.getElementById('records');
  if (!table) { return; }
  function toggle(row, open) {
    var details = document.getElementById(row.getAttribute('aria-controls'));
    var expand = open === undefined ? row.getAttribute('aria-expanded') !== 'true' : open;
    row.setAttribute('aria-expanded', expand ? 'true' : 'false');
    if (details) { details.hidden = !expand; }
  }
  table.addEventListener('click', function (event) {
    var row = event.target.closest('tr.record');
    if (row) { toggle(row); }
  });
  table.addEventListener('keydown', function (event) {
    var row = event.target.closest('tr.record');
    if (row && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); toggle(row); }
  });
  var rows = Array.prototype.slice.call(table.querySelectorAll('tr.record'));
  var expandAll = document.getElementById('expand-all');
  expandAll.addEventListener('click', function () {
    var open = expandAll.getAttribute('data-open') !== 'true';
    rows.forEach(function (row) { if (!row.hidden) { toggle(row, open); } });
    expandAll.setAttribute('data-open', open ? 'true' : 'false');
    expandAll.textContent = open ? 'Collapse all' : 'Expand all';
  });
  var filter = document.getElementById('filter');
  var shown = document.getElementById('shown');
  filter.addEventListener('input', function () {
    var needle = filter.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var details = document.getElementById(row.getAttribute('aria-controls'));
      var text = (row.textContent + ' ' + (details ? details.textContent : '')).toLowerCase();
      var match = needle === '' || text.indexOf(needle) >= 0;
      row.hidden = !match;
      if (!match) { toggle(row, false); }
      if (match) { count += 1; }
    });
    shown.textContent = String(count);
  });
})();
`;

function chartSvg(summary: AuditSummary): string {
  const width = 960;
  const height = 260;
  const left = 44;
  const right = 12;
  const top = 14;
  const bottom = 36;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const days = summary.timeline;
  const maxTotal = Math.max(0, ...days.map((day) => day.total));
  const scaleMax = maxTotal === 0 ? 1 : maxTotal;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.78);
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" role="img" aria-labelledby="chart-title" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-title">Audit records per day by outcome, ${escapeHtml(summary.from.slice(0, 10))} to ${escapeHtml(summary.to.slice(0, 10))}</title>`,
  );
  const ticks = maxTotal === 0 ? [0] : [...new Set([0, Math.round(maxTotal / 2), maxTotal])];
  for (const tick of ticks) {
    const y = top + plotHeight - (tick / scaleMax) * plotHeight;
    parts.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${tick}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}"/>`);
  const labelEvery = Math.max(1, Math.ceil(days.length / 12));
  days.forEach((day, index) => {
    const x = left + index * slot + (slot - barWidth) / 2;
    parts.push(`<g class="day" data-day="${day.day}" data-total="${day.total}">`);
    let y = top + plotHeight;
    for (const outcome of summary.outcomes) {
      const count = day.byOutcome[outcome] ?? 0;
      if (count === 0) {
        continue;
      }
      const barHeight = (count / scaleMax) * plotHeight;
      y -= barHeight;
      parts.push(
        `<rect class="${seriesClass(summary, outcome)}" data-outcome="${escapeHtml(outcome)}" data-count="${count}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}"><title>${day.day} · ${escapeHtml(outcome)}: ${count}</title></rect>`,
      );
    }
    parts.push('</g>');
    if (index % labelEvery === 0 || index === days.length - 1) {
      parts.push(`<text x="${(left + index * slot + slot / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${day.day.slice(5)}</text>`);
    }
  });
  if (maxTotal === 0) {
    parts.push(`<text x="${width / 2}" y="${top + plotHeight / 2}" text-anchor="middle">No records in this range</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

function changeLines(changes: readonly StateChange[]): string {
  if (changes.length === 0) {
    return '<p class="empty">No change to the bucket.</p>';
  }
  const lines = changes.map((change) => `<span class="${change.change}">${escapeHtml(describeChange(change, 2000))}</span>`);
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

function list(items: readonly string[], empty: string): string {
  return items.length === 0 ? `<span class="empty">${escapeHtml(empty)}</span>` : `<ul class="plain">${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
}

function recordRows(row: AuditRow, index: number, summary: AuditSummary): string {
  const detailsId = `details-${index}`;
  const badge = `<span class="badge ${seriesClass(summary, row.outcome)}-bg">${escapeHtml(row.outcome)}</span>`;
  const summaryRow = [
    `<tr class="record" tabindex="0" aria-expanded="false" aria-controls="${detailsId}" data-id="${escapeHtml(row.id)}" data-outcome="${escapeHtml(row.outcome)}">`,
    `<td>${escapeHtml(row.eventTime)}</td>`,
    `<td>${escapeHtml(row.bucket)}</td>`,
    `<td>${badge}</td>`,
    `<td>${escapeHtml(row.eventName)}</td>`,
    `<td title="${escapeHtml(row.actor.principal)}">${escapeHtml(shortPrincipal(row.actor.principal))}</td>`,
    `<td>${escapeHtml(row.access.join(', ') || '—')}</td>`,
    `<td>${escapeHtml(formatDuration(row.timeToContainMs))}</td>`,
    '</tr>',
  ].join('');
  const who: string[] = [`<dt>Principal</dt><dd>${escapeHtml(row.actor.principal)}</dd>`];
  if (row.actor.sourceIp) who.push(`<dt>Source IP</dt><dd>${escapeHtml(row.actor.sourceIp)}</dd>`);
  if (row.actor.userAgent) who.push(`<dt>User agent</dt><dd>${escapeHtml(row.actor.userAgent)}</dd>`);
  if (row.actor.accessKeyId) who.push(`<dt>Access key</dt><dd>${escapeHtml(row.actor.accessKeyId)}</dd>`);
  const done: string[] = [];
  if (row.mode) done.push(`<dt>Mode</dt><dd>${escapeHtml(row.mode)}${row.strategy ? `, ${escapeHtml(row.strategy)}` : ''}</dd>`);
  done.push(`<dt>Contained in</dt><dd>${escapeHtml(formatDuration(row.timeToContainMs))}</dd>`);
  if (row.error) done.push(`<dt>Error</dt><dd>${escapeHtml(row.error)}</dd>`);
  const detailsRow = [
    `<tr class="details" id="${detailsId}" hidden><td colspan="7">`,
    `<dl><dt>Record</dt><dd>${escapeHtml(row.id)} (${escapeHtml(row.kind)})</dd><dt>Bucket</dt><dd>${escapeHtml(row.bucket)} · account ${escapeHtml(row.account)} · ${escapeHtml(row.region)}</dd>${who.join('')}</dl>`,
    `<h3>Why it was public</h3>${list(row.why, 'No public finding recorded.')}`,
    `<h3>What was done</h3><dl>${done.join('')}</dl>${list(row.actions, 'No change was made.')}`,
    `<h3>Before → after</h3>${changeLines(row.changes)}`,
    '</td></tr>',
  ].join('');
  return summaryRow + detailsRow;
}

function totalCard(key: string, value: string, label: string, swatchClass?: string): string {
  const swatch = swatchClass ? `<span class="swatch ${swatchClass}-bg"></span>` : '';
  return `<div class="card" data-total="${escapeHtml(key)}"><span class="value">${escapeHtml(value)}</span><span class="label">${swatch}${escapeHtml(label)}</span></div>`;
}

/** The whole page. */
export function renderHtml(rows: readonly AuditRow[], summary: AuditSummary, options: HtmlReportOptions): string {
  const colours = seriesColours(summary);
  const css = `${BASE_CSS}${colours.map((colour, index) => `.s${index} { fill: ${colour}; } .s${index}-bg { background: ${colour}; }`).join('\n')}\n`;
  const csp = `default-src 'none'; style-src ${sha256Source(css)}; script-src ${sha256Source(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = `Bucket guardrail audit · ${summary.from.slice(0, 10)} to ${summary.to.slice(0, 10)}`;
  const ttc = summary.timeToContain;
  const cards = [
    totalCard('records', String(summary.total), 'records'),
    ...summary.outcomes.map((outcome) => totalCard(outcome, String(summary.byOutcome[outcome]), outcome, seriesClass(summary, outcome))),
    totalCard('buckets', String(summary.distinctBuckets), 'buckets'),
    totalCard('principals', String(summary.distinctActors), 'principals'),
    totalCard('ttc-median', ttc ? formatDuration(ttc.medianMs) : '—', 'time to contain, median'),
    totalCard('ttc-p99', ttc ? formatDuration(ttc.p99Ms) : '—', `time to contain, p99${ttc ? ` (${ttc.count} contained)` : ''}`),
  ];
  const legend = summary.outcomes.map((outcome) => `<li><span class="swatch ${seriesClass(summary, outcome)}-bg"></span>${escapeHtml(outcome)}</li>`).join('');
  const body = rows.map((row, index) => recordRows(row, index, summary)).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Bucket guardrail audit</h1>',
    `<p class="meta">Records with event times from <time>${escapeHtml(summary.from)}</time> to <time>${escapeHtml(summary.to)}</time> · source ${escapeHtml(options.source)} · generated ${escapeHtml(options.generatedAt)}</p>`,
    '</header>',
    `<section class="totals" aria-label="Totals">${cards.join('')}</section>`,
    '<section aria-labelledby="timeline-heading">',
    '<h2 id="timeline-heading">Records by day and outcome</h2>',
    chartSvg(summary),
    `<ul class="legend">${legend}</ul>`,
    '</section>',
    '<section aria-labelledby="records-heading">',
    '<h2 id="records-heading">Records, newest first</h2>',
    `<div class="toolbar"><input id="filter" type="search" placeholder="Filter by bucket, principal, outcome…" aria-label="Filter records"><button id="expand-all" type="button" data-open="false">Expand all</button><span class="meta"><span id="shown">${rows.length}</span> of ${rows.length} shown · click a row for who, why, what was done and before → after</span></div>`,
    '<table id="records">',
    '<thead><tr><th>Event time (UTC)</th><th>Bucket</th><th>Outcome</th><th>Event</th><th>Who</th><th>Public could</th><th>Contained in</th></tr></thead>',
    `<tbody>${body || '<tr><td colspan="7" class="empty">No records in this range.</td></tr>'}</tbody>`,
    '</table>',
    '</section>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
