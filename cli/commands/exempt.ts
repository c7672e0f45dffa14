import { validateExemption, type Exemption } from '../../lambda/remediate/environment';
import { EVERY_ACCOUNT, exemptionAccountProblem } from '../../lambda/shared/exemptions/exemption';
import { exemptionKey, isExpired, type StoredExemption } from '../../lambda/shared/exemptions/exemptions-table';
import { scanExemptions } from '../../lambda/shared/exemptions/exemptions-store';
import { EXIT, UsageError, type CliIo } from '../io';
import { createContext, type AuditCommandDeps, type GuardrailContext } from '../audit/context';
import { defineCommand, renderUsage } from '../command';
import { EXEMPT_SPEC, EXEMPTIONS_SPEC } from '../specs';
import { grantExemption, revokeExemption, type ExemptionChangeInput, type ExemptionStores } from '../audit/exemption-changes';
import { parseInstant } from '../audit/time-range';

async function exemptionStores(context: GuardrailContext): Promise<ExemptionStores> {
  const { exemptionsTable, auditTable, archiveBucket } = await context.resources(['exemptionsTable', 'auditTable', 'archiveBucket']);
  const archiveLock = await context.archiveLock();
  return {
    dynamoDb: context.clients.dynamoDbDocument(context.region),
    s3: context.clients.s3(context.region),
    exemptionsTable,
    auditTable,
    archiveBucket,
    ...(archiveLock !== undefined ? { archiveLock } : {}),
    now: context.deps.now,
  };
}

/** The stores and the who/when of an audited exemption change made by the caller, in the caller's account. */
async function changeContext(context: GuardrailContext, startedAt: Date): Promise<{ stores: ExemptionStores; input: ExemptionChangeInput }> {
  const stores = await exemptionStores(context);
  const caller = await context.deps.callerIdentity(context.clients);
  const input = { caller, id: context.deps.newId(), startedAt, now: context.deps.now, account: caller.account, region: context.region ?? 'unknown' };
  return { stores, input };
}

/** Checks a new exemption: shape (as the remediator checks cdk.json exemptions) and an expiry in the future. */
export function parseNewExemption(bucket: string | undefined, values: { reason?: string; owner?: string; expires?: string; account?: string }, now: Date): Exemption {
  if (bucket === undefined) {
    throw new UsageError(`name the bucket or glob to exempt\n${renderUsage(EXEMPT_SPEC)}`);
  }
  for (const flag of ['reason', 'owner', 'expires'] as const) {
    if (values[flag] === undefined || values[flag].trim() === '') {
      throw new UsageError(`--${flag} is required: an exemption is a reviewed decision with a reason, an owner and an end\n${renderUsage(EXEMPT_SPEC)}`);
    }
  }
  let exemption: Exemption;
  try {
    exemption = validateExemption(
      { bucket, ...(values.account !== undefined ? { account: values.account } : {}), reason: values.reason, owner: values.owner, expires: values.expires },
      'exemption',
    );
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const expires = parseInstant(exemption.expires, '--expires');
  if (expires.getTime() <= now.getTime()) {
    throw new UsageError(`--expires ${exemption.expires} is not in the future`);
  }
  return exemption;
}

/**
 * Whether a glob matches every possible bucket name: only `*` and `?`, at least one `*`, and no more `?`
 * than the shortest bucket name has characters (3), as in `*`, `**`, `*?`, `?*??`.
 */
export function matchesEveryBucketName(glob: string): boolean {
  return /^[*?]+$/.test(glob) && glob.includes('*') && glob.replace(/\*/g, '').length <= MIN_BUCKET_NAME_LENGTH;
}

const MIN_BUCKET_NAME_LENGTH = 3;

/**
 * The account scope of a new exemption, checked against the deployment: `*` (every account) only with --force and a
 * warning; an organization-wide guardrail needs an account named (without one, the exemption would cover only the
 * guardrail's own account, which is seldom what was meant).
 */
async function checkAccountScope(exemption: Exemption, force: boolean, context: GuardrailContext, io: CliIo): Promise<void> {
  if (exemption.account === EVERY_ACCOUNT) {
    if (!force) {
      throw new UsageError(`--account '*' exempts "${exemption.bucket}" in EVERY account until ${exemption.expires}; name the account, or pass --force if that is what you mean`);
    }
    io.stderr.write(`warning: "${exemption.bucket}" is exempt in EVERY account; the guardrail contains no bucket of that name anywhere until ${exemption.expires}\n`);
    return;
  }
  if (exemption.account !== undefined) return;
  const organizationId = await context.organizationId();
  if (organizationId !== undefined) {
    throw new UsageError(
      `stack "${context.stackName}" guards organization ${organizationId}: name the account whose "${exemption.bucket}" may be public with --account <12-digit ID> ` +
        `(or --account '*' --force for the same name in every account)`,
    );
  }
}

export function createExemptCommand(deps: Partial<AuditCommandDeps> = {}) {
  return defineCommand(EXEMPT_SPEC, async ({ values, positionals }, io) => {
    const context = createContext(values, io, deps);
    const startedAt = context.deps.now();
    const exemption = parseNewExemption(positionals[0], values, startedAt);
    await checkAccountScope(exemption, values.force === true, context, io);
    if (matchesEveryBucketName(exemption.bucket)) {
      if (values.force !== true) {
        throw new UsageError(`"${exemption.bucket}" matches every bucket: the guardrail would contain nothing until ${exemption.expires}; name the buckets, or pass --force if that is what you mean`);
      }
      io.stderr.write(`warning: "${exemption.bucket}" exempts EVERY bucket; the guardrail contains nothing until ${exemption.expires}\n`);
    }
    const { stores, input } = await changeContext(context, startedAt);
    const change = await grantExemption(stores, exemption, 'exempt-command', input);
    const replaced = change.previous ? ` (replaces the exemption owned by ${change.previous.owner} until ${change.previous.expires})` : '';
    const where = exemption.account === undefined ? '' : exemption.account === EVERY_ACCOUNT ? ' in every account' : ` in account ${exemption.account}`;
    io.stdout.write(
      `Exempted ${exemption.bucket}${where} until ${exemption.expires}, owner ${exemption.owner}${replaced}.\nAudit record ${change.record.id}, archived as ${change.archiveKey}.\n`,
    );
    return EXIT.ok;
  });
}

function renderExemptions(exemptions: readonly StoredExemption[], now: Date): string {
  const header = ['BUCKET/GLOB', 'STATUS', 'EXPIRES', 'OWNER', 'REASON', 'CREATED BY', 'CREATED AT'];
  const rows = [...exemptions]
    .sort((a, b) => exemptionKey(a).localeCompare(exemptionKey(b)))
    .map((exemption) => [
      exemptionKey(exemption),
      isExpired(exemption, now) ? 'expired' : 'active',
      exemption.expires,
      exemption.owner,
      exemption.reason,
      exemption.createdBy,
      exemption.createdAt,
    ]);
  const widths = header.map((title, column) => Math.min(60, Math.max(title.length, ...rows.map((row) => (row[column] as string).length))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] as number;
        return (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell).padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function createExemptionsCommand(deps: Partial<AuditCommandDeps> = {}) {
  return defineCommand(EXEMPTIONS_SPEC, async ({ values, positionals }, io) => {
    const [action, ...rest] = positionals;
    const context = createContext(values, io, deps);
    if (action === 'list' && rest.length === 0) {
      const { exemptionsTable } = await context.resources(['exemptionsTable']);
      const { exemptions, invalid } = await scanExemptions(context.clients.dynamoDbDocument(context.region), exemptionsTable);
      const now = context.deps.now();
      if (values.json) {
        io.stdout.write(`${JSON.stringify({ exemptions: exemptions.map((exemption) => ({ ...exemption, expired: isExpired(exemption, now) })), invalid }, null, 2)}\n`);
        return EXIT.ok;
      }
      const lines = exemptions.length === 0 ? ['No exemptions in the table (exemptions in cdk.json are listed there).'] : [renderExemptions(exemptions, now)];
      for (const item of invalid) {
        lines.push(`invalid item ${item.bucket ?? '(no bucket)'}: ${item.problem} (the remediator ignores it)`);
      }
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    }
    if (action === 'remove' && rest.length === 1) {
      const bucket = rest[0] as string;
      const account = values.account;
      const accountProblem = account !== undefined ? exemptionAccountProblem(account) : undefined;
      if (account !== undefined && accountProblem !== undefined) throw new UsageError(`--account "${account}" ${accountProblem}`);
      const { stores, input } = await changeContext(context, context.deps.now());
      const change = await revokeExemption(stores, bucket, input, account);
      const scoped = exemptionKey({ bucket, ...(account !== undefined ? { account } : {}) });
      if (!change) {
        throw new UsageError(`there is no exemption for "${scoped}" in ${stores.exemptionsTable}; "exemptions list" shows them (a scoped one as <account>/<bucket>: pass --account)`);
      }
      io.stdout.write(`Removed the exemption for ${scoped}.\nAudit record ${change.record.id}, archived as ${change.archiveKey}.\n`);
      return EXIT.ok;
    }
    throw new UsageError(renderUsage(EXEMPTIONS_SPEC));
  });
}

export const exemptCommand = createExemptCommand();
export const exemptionsCommand = createExemptionsCommand();
