import { writeFile } from 'node:fs/promises';
import { recordFromItem } from '../../lambda/shared/audit/record';
import { legacyBucketNameProblem } from '../../lambda/shared/s3/bucket-name';
import { EXIT, UsageError } from '../io';
import { queryAll } from '../audit/aws';
import { createContext, type AuditCommandDeps } from '../audit/context';
import { defineCommand } from '../command';
import { AUDIT_SPEC } from '../specs';
import type { StoredAuditRecord } from '../audit/operator-records';
import { planAuditQueries, type AuditFilters } from '../audit/query-plan';
import { renderHtml } from '../audit/render-html';
import { AUDIT_FORMATS, renderCsv, renderJson, renderMarkdown, renderTable, type AuditFormat } from '../audit/render-text';
import { summarise } from '../audit/report';
import { selectRecords, toAuditRow } from '../audit/rows';
import { parseTimeRange } from '../audit/time-range';

export function createAuditCommand(deps: Partial<AuditCommandDeps> = {}) {
  return defineCommand(AUDIT_SPEC, async ({ values }, io) => {
    const format = (values.format ?? 'table') as AuditFormat;
    if (!AUDIT_FORMATS.includes(format)) {
      throw new UsageError(`--format "${values.format}" is not one of ${AUDIT_FORMATS.join(', ')}`);
    }
    // No Region is known here, so a name is refused only when no Region could have a bucket of that name.
    const bucketProblem = values.bucket !== undefined ? legacyBucketNameProblem(values.bucket) : undefined;
    if (bucketProblem !== undefined) {
      throw new UsageError(`--bucket "${values.bucket}" can name no S3 bucket: it ${bucketProblem}`);
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
  });
}

export const auditCommand = createAuditCommand();
