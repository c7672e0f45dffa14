/**
 * The next steps an alert names: the CLI commands that put back what the guardrail changed (or exempt the
 * bucket), and the plain AWS CLI commands that do the same without the guardrail's CLI. Pure; from the audit
 * record alone, so a re-sent alert names the same commands.
 */
import type { AuditRecord } from '../shared/audit/record';
import type { PublicAccessBlock } from '../shared/exposure/types';

/** The CLI restore command (exempts, then puts back what was changed), for a bucket record the pipeline changed. */
export function restoreCommand(record: AuditRecord): string | undefined {
  if (record.scope !== 'bucket' || record.trigger === 'operator' || restoreCommands(record).length === 0) return undefined;
  return `npx bucket-guardrail restore ${record.id}`;
}

/** The CLI exempt command for a bucket record (90 days from the event), or undefined for account records. */
export function exemptCommand(record: AuditRecord): string | undefined {
  if (record.scope !== 'bucket' || !record.bucket || record.trigger === 'operator') return undefined;
  return `npx bucket-guardrail exempt ${record.bucket} --reason "<why>" --owner "<team>" --expires ${addDays(record.eventTime, 90)}`;
}

/** The calendar day `days` after `iso` (YYYY-MM-DD, UTC); an unreadable time counts from the epoch. */
export function addDays(iso: string, days: number): string {
  const time = Date.parse(iso);
  return new Date((Number.isNaN(time) ? 0 : time) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The AWS CLI commands that put back exactly what was changed (none when nothing was changed). */
export function restoreCommands(record: AuditRecord): string[] {
  const before = record.before ?? {};
  const succeeded = new Set(record.actions.filter((action) => action.result === 'succeeded').map((action) => action.api));
  const lines: string[] = [];
  const flags = (block: PublicAccessBlock) =>
    `BlockPublicAcls=${block.BlockPublicAcls === true},IgnorePublicAcls=${block.IgnorePublicAcls === true},` +
    `BlockPublicPolicy=${block.BlockPublicPolicy === true},RestrictPublicBuckets=${block.RestrictPublicBuckets === true}`;
  if (record.scope === 'account') {
    if (succeeded.has('PutAccountPublicAccessBlock')) {
      lines.push(
        before.accountPublicAccessBlock
          ? `aws s3control put-public-access-block --account-id ${record.account} --public-access-block-configuration ${flags(before.accountPublicAccessBlock)}`
          : `aws s3control delete-public-access-block --account-id ${record.account}`,
      );
    }
    return lines;
  }
  const bucket = record.bucket ?? '';
  const owner = `--expected-bucket-owner ${record.account}`;
  if (succeeded.has('PutBucketPublicAccessBlock')) {
    lines.push(
      before.bucketPublicAccessBlock
        ? `aws s3api put-public-access-block --bucket ${bucket} ${owner} --public-access-block-configuration ${flags(before.bucketPublicAccessBlock)}`
        : `aws s3api delete-public-access-block --bucket ${bucket} ${owner}`,
    );
  }
  if (succeeded.has('PutBucketPolicy') || succeeded.has('DeleteBucketPolicy')) {
    lines.push(`aws s3api put-bucket-policy --bucket ${bucket} ${owner} --policy file://policy.json`);
    lines.push(`  (policy.json: "before.policy" of audit record ${record.id})`);
  }
  if (succeeded.has('PutBucketAcl')) {
    lines.push(`aws s3api put-bucket-acl --bucket ${bucket} ${owner} --access-control-policy file://acl.json`);
    lines.push(`  (acl.json: "before.acl" of audit record ${record.id})`);
  }
  return lines;
}
