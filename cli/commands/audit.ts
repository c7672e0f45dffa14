import { writeFile } from 'node:fs/promises';
import { recordFromItem } from '../../lambda/shared/audit/record';
import { EXIT, UsageError, type CliIo } from '../io';
import { queryAll } from '../audit/aws';
import { COMMON_OPTIONS, COMMON_USAGE, createContext, parseFlags, type AuditCommandDeps } from '../audit/context';
import type { StoredAuditRecord } from '../audit/operator-records';
import { planAuditQueries, type AuditFilters } from '../audit/query-plan';
import { renderHtml } from '../audit/render-html';
import { AUDIT_FORMATS, renderCsv, renderJson, renderMarkdown, renderTable, type AuditFormat } from '../audit/render-text';
import { summarise } from '../audit/report';
import { selectRecords, toAuditRow } from '../audit/rows';
import { parseTimeRange } from '../audit/time-range';

const USAGE = `usage: bucket-guardrail audit [--since 7d|ISO] [--until ISO] [--bucket B] [--outcome O] [--actor A]
                              [--format table|json|csv|md|html] [--out FILE]
  --since 30m|36h|7d|2w|ISO  start of the range (default 7d)
  --until ISO              end of the range (default now)
  --bucket B               only records about bucket B (uses the by-bucket index)
  --outcome O              only records with outcome O (remediated, failed, exempt, …)
  --actor A                only calls by a principal whose ARN, id, role or source IP contains A
  --format F               table (default), json, csv, md or html (one self-contained page)
  --out FILE               write to FILE instead of standard output
${COMMON_USAGE}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  bucket: { type: 'string' },
  outcome: { type: 'string' },
  actor: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

export function createAuditCommand(deps: Partial<AuditCommandDeps> = {}) {
  return async function auditCommand(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, OPTIONS, USAGE);
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    }
    const format = (values.format ?? 'table') as AuditFormat;
    if (!AUDIT_FORMATS.includes(format)) {
      throw new UsageError(`--format "${values.format}" is not one of ${AUDIT_FORMATS.join(', ')}`);
    }
    const context = createContext(values, io, deps);
    const range = parseTimeRange({ since: values.since, until: values.until }, context.deps.now());
    const filters: AuditFilters = {
      ...(values.bucket !== undefined ? { bucket: values.bucket } : {}),
      ...(values.outcome !== undefined ? { outcome: values.outcome } : {}),
      ...(values.actor !== undefined ? { actor: values.actor } : {}),
    };
    const { auditTable } = await context.resources(['auditTable']);
    const items = await queryAll(context.clients.dynamoDbDocument(context.region), planAuditQueries(auditTable, range, filters));
    const records = selectRecords(
      items.map((item) => recordFromItem(item) as StoredAuditRecord),
      range,
      filters,
    );
    const rows = records.map(toAuditRow);
    const summary = summarise(rows, range);
    let output: string;
    switch (format) {
      case 'json':
        output = renderJson(summary, records);
        break;
      case 'csv':
        output = renderCsv(rows);
        break;
      case 'md':
        output = renderMarkdown(rows, summary);
        break;
      case 'html':
        output = renderHtml(rows, summary, { generatedAt: context.deps.now().toISOString(), source: `table ${auditTable}` });
        break;
      case 'table':
        output = renderTable(rows, summary, io.stdout.columns ?? 120);
        break;
    }
    if (values.out !== undefined) {
      try {
        await writeFile(values.out, output, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot write ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
      }
      io.stderr.write(`Wrote ${records.length} record${records.length === 1 ? '' : 's'} as ${format} to ${values.out}\n`);
    } else {
      io.stdout.write(output);
    }
    return EXIT.ok;
  };
}

export const auditCommand = createAuditCommand();
