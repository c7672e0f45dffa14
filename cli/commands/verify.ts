import type { ArchiveLockMode } from '../../lambda/shared/audit/archive-lock';
import { EXIT } from '../io';
import { StackOutputsUnreadableError } from '../audit/stack-outputs';
import { listArchiveKeys, mapLimit, queryAll, readFirstArchiveVersion } from '../audit/aws';
import { createContext, type AuditCommandDeps, type GuardrailContext } from '../audit/context';
import { defineCommand } from '../command';
import { VERIFY_SPEC } from '../specs';
import { planAuditQueries } from '../audit/query-plan';
import { daysNewestFirst, parseTimeRange, type TimeRange } from '../audit/time-range';
import { archivePrefixForDay, checkItem, expectedArchiveKey, isTampering, isUnfinishedClaim, orphanedArchiveKeys, type VerifyFinding } from '../audit/verify-records';

/** Widens a range to whole UTC days, so every item and archive copy of those days is compared. */
function wholeDays(range: TimeRange): TimeRange {
  const days = daysNewestFirst(range);
  return { from: new Date(`${days[days.length - 1]}T00:00:00.000Z`), to: new Date(`${days[0]}T23:59:59.999Z`) };
}

export interface VerifyResult {
  readonly from: string;
  readonly to: string;
  readonly archiveBucket: string;
  /** The Object Lock mode the copies were checked against: the deployment's (COMPLIANCE when the stack does not say). */
  readonly lockMode: ArchiveLockMode;
  readonly checked: number;
  readonly ok: number;
  /** Missing, altered, deleted or rewritten records: any of these makes verify exit 1. */
  readonly findings: readonly VerifyFinding[];
  /** Remediations still in progress (claimed, not yet completed): listed, not failures. */
  readonly unfinished: readonly VerifyFinding[];
}

export function createVerifyCommand(deps: Partial<AuditCommandDeps> = {}) {
  return defineCommand(VERIFY_SPEC, async ({ values }, io) => {
    const context = createContext(values, io, deps);
    const range = wholeDays(parseTimeRange({ since: values.since, until: values.until }, context.deps.now()));
    const { auditTable, archiveBucket } = await context.resources(['auditTable', 'archiveBucket']);
    const s3 = context.clients.s3(context.region);
    const lockMode = await expectedLockMode(context);

    const items = await queryAll(context.clients.dynamoDbDocument(context.region), planAuditQueries(auditTable, range, {}));
    const now = context.deps.now();
    const perItem = await mapLimit(items, 16, async (item) => {
      const key = expectedArchiveKey(item) ?? String(item.archiveKey ?? '');
      const archive = isUnfinishedClaim(item, now) || key === '' ? { body: null } : await readFirstArchiveVersion(s3, archiveBucket, key);
      return checkItem(item, archive, now, lockMode);
    });
    const archiveKeys = (await mapLimit(daysNewestFirst(range), 8, (day) => listArchiveKeys(s3, archiveBucket, archivePrefixForDay(day)))).flat();
    const all = [...perItem.flat(), ...orphanedArchiveKeys(archiveKeys, items)];
    const findings = all.filter(isTampering);
    const unfinished = all.filter((finding) => !isTampering(finding));
    const result: VerifyResult = {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      archiveBucket,
      lockMode,
      checked: items.length - unfinished.length,
      ok: perItem.filter((list) => list.length === 0).length,
      findings,
      unfinished,
    };

    if (values.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = [
        `Checked ${result.checked} record${result.checked === 1 ? '' : 's'} from ${result.from} to ${result.to} against s3://${archiveBucket}: ${result.ok} intact, ${findings.length} problem${findings.length === 1 ? '' : 's'}.`,
      ];
      for (const finding of findings) {
        lines.push(`  ${finding.problem.padEnd(20)} ${finding.id ?? '(unknown id)'}  ${finding.archiveKey}`, `      ${finding.detail}`);
      }
      for (const claim of unfinished) {
        lines.push(`  ${'in progress'.padEnd(20)} ${claim.id ?? '(unknown id)'}  ${claim.detail}`);
      }
      if (lockMode === 'NONE') {
        lines.push('', 'The deployment writes archive copies without Object Lock (NONE, a trial): they can be deleted, so this check shows only what is still there.');
      }
      if (findings.length > 0) {
        lines.push('', `The archive copies are write-once (Object Lock${lockMode === 'NONE' ? ' versions' : `, ${lockMode} mode`}): where they differ, the first version of the archive copy holds the record as written.`);
      }
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return findings.length > 0 ? EXIT.findings : EXIT.ok;
  });
}

/**
 * The lock mode the copies must have: the deployment's (flags, then the stack's outputs). When the stack cannot
 * tell (an older stack, or no permission to read it), the strictest, COMPLIANCE, so nothing goes unreported.
 */
async function expectedLockMode(context: GuardrailContext): Promise<ArchiveLockMode> {
  try {
    return (await context.archiveLock())?.mode ?? 'COMPLIANCE';
  } catch (error) {
    if (error instanceof StackOutputsUnreadableError) return 'COMPLIANCE';
    throw error;
  }
}

export const verifyCommand = createVerifyCommand();
