/**
 * Every command's flags, positionals and help, as one table of plain data. The commands parse their
 * arguments with it (./command) and the top-level usage lists it (./main), so an option cannot be added to
 * a command without appearing in both. No AWS SDK import here: `explain` and `--help` stay fast.
 */
import type { CommandSpec, OptionSpecs, PositionalSpec } from './command';

function exactlyOne(synopsis: string, missing: string, extra: NonNullable<PositionalSpec['extra']>): PositionalSpec {
  return { synopsis, min: 1, max: 1, missing, extra };
}

/** Where the deployed guardrail is: every command that reads its tables or archive takes these. */
export const STACK_OPTIONS = {
  stack: { type: 'string', value: 'NAME', help: 'stack whose outputs name the tables and the archive (default BucketGuardrail)' },
  region: { type: 'string', value: 'R', help: 'region of the stack (default AWS_REGION, then the profile\'s region)' },
  table: { type: 'string', value: 'T', help: 'audit table to use instead of the stack output' },
  'archive-bucket': { type: 'string', value: 'B', help: 'audit archive bucket to use instead of the stack output' },
  'exemptions-table': { type: 'string', value: 'E', help: 'exemptions table to use instead of the stack output' },
} as const satisfies OptionSpecs;

/** How archive copies are locked: the commands that write (or verify) copies take these. */
const ARCHIVE_LOCK_OPTIONS = {
  'archive-lock-mode': { type: 'string', value: 'M', help: 'Object Lock mode of archive copies, COMPLIANCE, GOVERNANCE or NONE, instead of the stack output' },
  'archive-retention-days': { type: 'string', value: 'N', help: 'with --archive-lock-mode COMPLIANCE or GOVERNANCE: days each copy is retained' },
} as const satisfies OptionSpecs;

const RANGE_OPTIONS = {
  since: { type: 'string', value: '7d|ISO', help: 'start of the range: 30m, 36h, 7d, 2w or an ISO 8601 time (default 7d)' },
  until: { type: 'string', value: 'ISO', help: 'end of the range (default now)' },
} as const satisfies OptionSpecs;

export const EXPLAIN_SPEC = {
  name: 'explain',
  summary: 'why a bucket snapshot is (not) public, offline; - reads standard input',
  details:
    '  A snapshot is {"bucket", "accountId"?, "acl"?, "policy"?, "bucketPublicAccessBlock"?, "accountPublicAccessBlock"?, "ownership"?}\n' +
    '  or an array of them; the S3 API\'s own shapes (GetBucketPolicy\'s "Policy", GetBucketAcl\'s "Owner"/"Grants",\n' +
    '  GetPublicAccessBlock\'s "PublicAccessBlockConfiguration", GetBucketOwnershipControls\' "OwnershipControls") are accepted.',
  positionals: { synopsis: '<file|->', min: 1, max: 1, missing: 'name the snapshot file, or - for standard input' },
  options: {
    json: { type: 'boolean', help: 'print the exposure report as JSON' },
  },
} as const satisfies CommandSpec;

export const SCAN_SPEC = {
  name: 'scan',
  summary: 'find public buckets in the account with your credentials (read-only unless --fix)',
  details:
    '  --fix shows the plan, then asks; it honours the exemptions the deployed guardrail honours (cdk.json\n' +
    '  "exemptions", the exemptions table found through the stack outputs, and EXEMPTIONS) and refuses to\n' +
    '  change anything when it cannot read them.',
  positionals: { synopsis: '', min: 0, max: 0 },
  options: {
    region: { type: 'string', value: 'R', help: 'only buckets in this region' },
    json: { type: 'boolean', help: 'print the result as JSON' },
    fix: { type: 'boolean', help: 'apply the configured remediation to the public buckets that are not exempt' },
    yes: { type: 'boolean', short: 'y', help: 'with --fix: do not ask (required when standard input is not a terminal)' },
    strategy: { type: 'string', value: 'S', help: 'block-public-access (default) or strip-public-grants' },
    concurrency: { type: 'string', value: 'N', help: 'buckets checked at once, 1 to 256 (default 16)' },
    stack: STACK_OPTIONS.stack,
    'stack-region': { type: 'string', value: 'R', help: 'region of the stack (default AWS_REGION, then the profile\'s region)' },
    'exemptions-table': STACK_OPTIONS['exemptions-table'],
    'cdk-json': { type: 'string', value: 'FILE', help: 'the app\'s cdk.json, for its "exemptions" (default ./cdk.json)' },
  },
} as const satisfies CommandSpec;

export const AUDIT_SPEC = {
  name: 'audit',
  summary: 'list what the guardrail did: remediations, alerts, exemptions and restores, from the audit table',
  positionals: { synopsis: '', min: 0, max: 0 },
  options: {
    ...RANGE_OPTIONS,
    bucket: { type: 'string', value: 'B', help: 'only records about bucket B (uses the by-bucket index)' },
    outcome: { type: 'string', value: 'O', help: 'only records with outcome O (remediated, failed, exempt, …)' },
    actor: { type: 'string', value: 'A', help: 'only calls by a principal whose ARN, id, role or source IP contains A' },
    format: { type: 'string', value: 'F', help: 'table (default), json, csv, md or html (one self-contained page)' },
    out: { type: 'string', value: 'FILE', help: 'write to FILE instead of standard output' },
    ...STACK_OPTIONS,
  },
} as const satisfies CommandSpec;

export const VERIFY_SPEC = {
  name: 'verify',
  summary: 'check every audit record against the first version of its write-once archive copy; exit 1 on any mismatch',
  details:
    '  Lists records that are missing, altered or deleted, archive keys written over (archive-rewritten), and copies\n' +
    '  not under the deployment\'s Object Lock retention, COMPLIANCE unless the stack says GOVERNANCE or NONE\n' +
    '  (archive-not-locked). The range is widened to whole UTC days.',
  positionals: { synopsis: '', min: 0, max: 0 },
  options: {
    ...RANGE_OPTIONS,
    json: { type: 'boolean', help: 'print the result as JSON' },
    ...STACK_OPTIONS,
    ...ARCHIVE_LOCK_OPTIONS,
  },
} as const satisfies CommandSpec;

export const RESTORE_SPEC = {
  name: 'restore',
  summary: 'put back exactly what one remediation changed, after exempting the bucket so the guardrail leaves it alone',
  details:
    '  Block Public Access settings; for strip-public-grants the removed policy statements and ACL grants, merged\n' +
    '  into the current policy and ACL. Writes its own audit record naming you.',
  positionals: exactlyOne('<record-id>', 'restore takes exactly one audit record id', () => 'restore takes exactly one audit record id'),
  options: {
    yes: { type: 'boolean', short: 'y', help: 'do not ask for confirmation (required when standard input is not a terminal)' },
    expires: { type: 'string', value: 'ISO', help: 'end of the exemption (default 30 days from now)' },
    reason: { type: 'string', value: 'TEXT', help: 'reason of the exemption (default: the restore)' },
    owner: { type: 'string', value: 'WHO', help: 'owner of the exemption (default: you)' },
    ...STACK_OPTIONS,
    ...ARCHIVE_LOCK_OPTIONS,
  },
} as const satisfies CommandSpec;

export const EXEMPT_SPEC = {
  name: 'exempt',
  summary: 'let matching buckets stay public until a date (written to the exemptions table and the audit trail)',
  details:
    '  A glob uses * for any run of characters and ? for one. A glob that matches every bucket needs --force.\n' +
    '  Without --account an exemption covers the guardrail\'s own account; an organization-wide guardrail needs\n' +
    '  --account (a member account ID, or \'*\' with --force for the same names in every account).',
  positionals: exactlyOne('<bucket|glob>', 'name the bucket or glob to exempt', (count) => `exempt takes one bucket or glob, got ${count}`),
  options: {
    reason: { type: 'string', value: 'TEXT', help: 'why the bucket may be public (required)' },
    owner: { type: 'string', value: 'WHO', help: 'who answers for it (required)' },
    expires: { type: 'string', value: 'ISO', help: 'when the exemption ends, in the future (required)' },
    account: { type: 'string', value: 'ID', help: "the account whose buckets it covers (required in organization mode); '*' every account, with --force" },
    force: { type: 'boolean', help: "accept a glob that matches every bucket name (such as * or **), or --account '*'" },
    ...STACK_OPTIONS,
    ...ARCHIVE_LOCK_OPTIONS,
  },
} as const satisfies CommandSpec;

export const EXEMPTIONS_SPEC = {
  name: 'exemptions',
  summary: 'review (list) or revoke (remove <bucket|glob>) the exemptions in the table',
  positionals: { synopsis: 'list|remove <bucket|glob>', min: 1, max: 2, missing: 'say list or remove <bucket|glob>' },
  options: {
    json: { type: 'boolean', help: 'list: print the exemptions as JSON' },
    account: { type: 'string', value: 'ID', help: "remove: the account the exemption is scoped to ('*' for every account)" },
    ...STACK_OPTIONS,
    ...ARCHIVE_LOCK_OPTIONS,
  },
} as const satisfies CommandSpec;

/** Every command, in the order the top-level usage lists them. */
export const COMMAND_SPECS: readonly CommandSpec[] = [EXPLAIN_SPEC, SCAN_SPEC, AUDIT_SPEC, VERIFY_SPEC, RESTORE_SPEC, EXEMPT_SPEC, EXEMPTIONS_SPEC];
