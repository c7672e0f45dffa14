import { readFile } from 'node:fs/promises';
import { evaluateExposure, parseSnapshot } from '../../lambda/shared/exposure';
import type { BucketSnapshot, ExposureReport, Finding, PublicAccessBlock } from '../../lambda/shared/exposure/types';
import { defineCommand } from '../command';
import { EXIT, UsageError, readAll, type CliIo } from '../io';
import { SnapshotKeyError, normaliseSnapshotKeys } from '../snapshot-input';
import { EXPLAIN_SPEC } from '../specs';

/** One candidate change, proven by re-running the engine on the changed snapshot. */
export interface ProvenFix {
  readonly change: string;
  /** Whether the change removes anything (a statement or grant) or only switches a reversible setting on. */
  readonly removesAnything: boolean;
}

function withBucketBlock(snapshot: BucketSnapshot, settings: PublicAccessBlock): BucketSnapshot {
  return { ...snapshot, bucketPublicAccessBlock: { ...(snapshot.bucketPublicAccessBlock ?? {}), ...settings } };
}

function parsedPolicy(policy: unknown): { Statement?: unknown } | undefined {
  if (typeof policy === 'string') {
    try {
      return JSON.parse(policy) as { Statement?: unknown };
    } catch {
      return undefined;
    }
  }
  return typeof policy === 'object' && policy !== null ? (policy as { Statement?: unknown }) : undefined;
}

/** The snapshot with the given ACL grants and policy statements removed; undefined when that cannot be expressed. */
function withoutFindings(snapshot: BucketSnapshot, findings: readonly Finding[]): BucketSnapshot | undefined {
  const grantIndexes = new Set<number>();
  const statementIndexes = new Set<number>();
  for (const finding of findings) {
    if (finding.source === 'acl') {
      grantIndexes.add(finding.grantIndex);
    } else if (finding.statementIndex === null) {
      return undefined;
    } else {
      statementIndexes.add(finding.statementIndex);
    }
  }
  let changed: BucketSnapshot = snapshot;
  if (grantIndexes.size > 0) {
    const grants = snapshot.acl?.Grants ?? [];
    changed = { ...changed, acl: { ...snapshot.acl, Grants: grants.filter((_, index) => !grantIndexes.has(index)) } };
  }
  if (statementIndexes.size > 0) {
    const document = parsedPolicy(snapshot.policy);
    if (!document) {
      return undefined;
    }
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    const remaining = statements.filter((_, index) => !statementIndexes.has(index));
    changed = { ...changed, policy: remaining.length === 0 ? null : { ...document, Statement: remaining } };
  }
  return changed;
}

function describeSource(finding: Finding): string {
  if (finding.source === 'acl') {
    return `ACL grant #${finding.grantIndex} (${finding.grantee} ${finding.permission})`;
  }
  if (finding.statementIndex === null) {
    return 'Bucket policy (whole document)';
  }
  return `Policy statement #${finding.statementIndex}${finding.sid ? ` "${finding.sid}"` : ''}`;
}

/**
 * The smallest changes that make the bucket private, each checked with the engine itself: removing the one
 * public statement or grant that is left, or switching on one (then two) Block Public Access settings.
 */
export function provenFixes(snapshot: BucketSnapshot, report: ExposureReport): ProvenFix[] {
  if (!report.public) {
    return [];
  }
  const fixes: ProvenFix[] = [];
  const active = report.findings.filter((finding) => finding.neutralisedBy === undefined);
  for (const finding of active) {
    const changed = withoutFindings(snapshot, [finding]);
    if (changed && !evaluateExposure(changed).public) {
      fixes.push({ change: `Remove ${describeSource(finding).replace(/^ACL/, 'the ACL').replace(/^Policy/, 'policy')}`, removesAnything: true });
    }
  }
  if (fixes.length === 0 && active.length > 1) {
    const changed = withoutFindings(snapshot, active);
    if (changed && !evaluateExposure(changed).public) {
      fixes.push({ change: `Remove all ${active.length} public grants and statements: ${active.map(describeSource).join('; ')}`, removesAnything: true });
    }
  }
  const settings: PublicAccessBlock[] = [
    { IgnorePublicAcls: true },
    { RestrictPublicBuckets: true },
    { IgnorePublicAcls: true, RestrictPublicBuckets: true },
  ];
  for (const setting of settings) {
    if (!evaluateExposure(withBucketBlock(snapshot, setting)).public) {
      const names = Object.keys(setting).join(' and ');
      fixes.push({ change: `Turn on ${names} for the bucket (reversible, removes nothing)`, removesAnything: false });
      break;
    }
  }
  return fixes;
}

function label(report: ExposureReport): string {
  if (report.public) {
    return 'PUBLIC';
  }
  if (report.aclIsPublic || report.policyIsPublic) {
    return 'not public (public grants exist but are neutralised)';
  }
  return 'not public';
}

/** The access point and Multi-Region Access Point sections of a report (none when the snapshot listed none). */
function renderAccessPoints(report: ExposureReport): string[] {
  const lines: string[] = [];
  for (const door of [...(report.accessPoints ?? []), ...(report.multiRegionAccessPoints ?? [])]) {
    const kind = door.kind === 'accessPoint' ? `Access point ${door.name} (${door.networkOrigin ?? 'Internet'})` : `Multi-Region Access Point ${door.name}`;
    lines.push('', `  ${kind}: ${door.public ? 'PUBLIC' : 'not public'}; the public can: ${door.access.length > 0 ? door.access.join(', ') : 'nothing'}`);
    for (const finding of door.findings) {
      const where = finding.statementIndex === null ? 'policy (whole document)' : `policy statement #${finding.statementIndex}`;
      lines.push(`   - ${where}${finding.neutralisedBy ? ` — neutralised today by ${finding.neutralisedBy}` : ''}`, `     why: ${finding.why}`, `     fix: ${finding.fix}`);
    }
  }
  return lines;
}

/** Renders one report for a person reading it on a terminal or in a ticket. */
export function renderExplanation(snapshot: BucketSnapshot, report: ExposureReport): string {
  const lines: string[] = [];
  const account = snapshot.accountId ? ` (account ${snapshot.accountId})` : '';
  lines.push(`${report.bucket}${account}: ${label(report)}`);
  lines.push(`  The public can: ${report.access.length > 0 ? report.access.join(', ') : 'nothing'}`);
  const block = Object.entries(report.effectiveBlock)
    .filter(([, on]) => on)
    .map(([name]) => name);
  lines.push(`  Block Public Access in force (bucket or account): ${block.length > 0 ? block.join(', ') : 'none'}`);
  if (!report.policyValid) {
    lines.push('  The bucket policy is not one S3 would accept; treated as public until fixed.');
  }
  report.findings.forEach((finding, index) => {
    lines.push('');
    const state = finding.neutralisedBy ? ` — neutralised today by ${finding.neutralisedBy}` : '';
    lines.push(`  ${index + 1}. ${describeSource(finding)}${state}`);
    if (finding.source === 'policy' && finding.principal !== null) {
      lines.push(`     principal: ${finding.principal}`);
    }
    lines.push(`     why: ${finding.why}`);
    lines.push(`     gives the public: ${finding.access.length > 0 ? finding.access.join(', ') : 'nothing'}`);
    lines.push(`     fix: ${finding.fix}`);
  });
  lines.push(...renderAccessPoints(report));
  const fixes = provenFixes(snapshot, report);
  if (fixes.length > 0) {
    lines.push('');
    lines.push('  Smallest changes that make it private (each checked with the engine):');
    for (const fix of fixes) {
      lines.push(`   - ${fix.change}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function readInput(source: string, io: CliIo): Promise<string> {
  if (source === '-') {
    return readAll(io.stdin);
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

/** Reads one snapshot or an array of them; any unreadable one rejects the whole input with its reason. */
export function parseSnapshots(text: string, source: string): { snapshots: BucketSnapshot[]; isArray: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const isArray = Array.isArray(parsed);
  const items: unknown[] = isArray ? (parsed as unknown[]) : [parsed];
  if (items.length === 0) {
    throw new UsageError(`${source} holds an empty array; expected one snapshot or an array of snapshots`);
  }
  const snapshots = items.map((item, index) => {
    const where = isArray ? `${source}[${index}]` : source;
    let normalised: unknown;
    try {
      normalised = normaliseSnapshotKeys(item);
    } catch (error) {
      if (error instanceof SnapshotKeyError) throw new UsageError(`${where}: ${error.message}`, { cause: error });
      throw error;
    }
    const result = parseSnapshot(normalised);
    if (!result.ok) {
      throw new UsageError(`${where}: ${result.reason}`);
    }
    return result.snapshot;
  });
  return { snapshots, isArray };
}

export const explainCommand = defineCommand(EXPLAIN_SPEC, async ({ values, positionals }, io) => {
  const source = positionals[0] as string;
  const { snapshots, isArray } = parseSnapshots(await readInput(source, io), source === '-' ? 'standard input' : source);
  const reports = snapshots.map((snapshot) => evaluateExposure(snapshot));
  if (values.json) {
    io.stdout.write(`${JSON.stringify(isArray ? reports : reports[0], null, 2)}\n`);
  } else {
    io.stdout.write(reports.map((report, index) => renderExplanation(snapshots[index] as BucketSnapshot, report)).join('\n'));
  }
  return reports.some((report) => report.public) ? EXIT.findings : EXIT.ok;
});
