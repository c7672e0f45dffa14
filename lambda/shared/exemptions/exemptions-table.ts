/**
 * The exemptions table: reviewed exceptions written with `bucket-guardrail exempt`, read by the remediator
 * in the same parallel round trip as the bucket's state, alongside the exemptions from `cdk.json`.
 *
 * One item per bucket name or glob (partition key `bucket`). Items are never expired by DynamoDB TTL: an
 * expired exemption stays visible (`exemptions list` marks it, the remediator's alert says it no longer
 * applies) until someone removes it. This module is pure: it maps items to exemptions and back.
 */
import { validateExemption, type Exemption } from './exemption';

export const EXEMPTIONS_TABLE = {
  /**
   * Partition key: the bucket name or glob exactly as given (`*` any run of characters, `?` one); for an exemption
   * scoped to an account, `<account>/<bucket or glob>` (no bucket name or glob contains a `/`), so the same name can
   * be exempted in two accounts by two reviewed decisions.
   */
  partitionKey: 'bucket',
  /** The account an item is scoped to (a 12-digit ID or `*`); absent on items that name none. */
  accountAttribute: 'account',
} as const;

/** The table key of an exemption: the bucket or glob, prefixed with its account when it names one. */
export function exemptionKey(exemption: { readonly bucket: string; readonly account?: string }): string {
  return exemption.account === undefined ? exemption.bucket : `${exemption.account}/${exemption.bucket}`;
}

/** How an exemption came to be. */
export const EXEMPTION_SOURCES = ['exempt-command', 'restore'] as const;
export type ExemptionSource = (typeof EXEMPTION_SOURCES)[number];

/** An exemption as stored: the reviewed fields plus who wrote it, when, and the audit record of that change. */
export interface StoredExemption extends Exemption {
  /** ISO 8601 time the item was written. */
  readonly createdAt: string;
  /** ARN of the principal that wrote it (STS GetCallerIdentity). */
  readonly createdBy: string;
  readonly source: ExemptionSource;
  /** Id of the audit record that recorded this change. */
  readonly auditId: string;
}

/** An item that is not a valid exemption: skipped by readers, reported by `exemptions list`. */
export interface InvalidExemptionItem {
  readonly bucket?: string;
  readonly problem: string;
}

export interface DecodedExemptions {
  readonly exemptions: StoredExemption[];
  readonly invalid: InvalidExemptionItem[];
}

/** The DynamoDB item (lib-dynamodb native values) for an exemption. */
export function toExemptionItem(exemption: StoredExemption): Record<string, string> {
  return {
    [EXEMPTIONS_TABLE.partitionKey]: exemptionKey(exemption),
    ...(exemption.account !== undefined ? { [EXEMPTIONS_TABLE.accountAttribute]: exemption.account } : {}),
    reason: exemption.reason,
    owner: exemption.owner,
    expires: exemption.expires,
    createdAt: exemption.createdAt,
    createdBy: exemption.createdBy,
    source: exemption.source,
    auditId: exemption.auditId,
  };
}

/** Reads one item; never throws. Metadata written by older versions may be missing and is filled in as unknown. */
export function fromExemptionItem(item: Record<string, unknown>): { exemption: StoredExemption } | { invalid: InvalidExemptionItem } {
  const key = typeof item[EXEMPTIONS_TABLE.partitionKey] === 'string' ? (item[EXEMPTIONS_TABLE.partitionKey] as string) : undefined;
  const account = item[EXEMPTIONS_TABLE.accountAttribute];
  // A scoped item's key is `<account>/<bucket or glob>`: the bucket is what follows its own account's prefix.
  const prefix = typeof account === 'string' ? `${account}/` : undefined;
  if (prefix !== undefined && key !== undefined && !key.startsWith(prefix)) {
    return { invalid: { bucket: key, problem: `exemption ${key}: its key does not start with its account ${String(account)}/` } };
  }
  const bucket = key !== undefined && prefix !== undefined ? key.slice(prefix.length) : key;
  let exemption: Exemption;
  try {
    exemption = validateExemption({ ...item, [EXEMPTIONS_TABLE.partitionKey]: bucket }, `exemption ${key ?? '(no bucket)'}`);
  } catch (error) {
    return { invalid: { bucket: key, problem: (error as Error).message } };
  }
  const text = (name: string): string => (typeof item[name] === 'string' ? (item[name] as string) : 'unknown');
  const source = (EXEMPTION_SOURCES as readonly unknown[]).includes(item.source) ? (item.source as ExemptionSource) : 'exempt-command';
  return {
    exemption: {
      ...exemption,
      createdAt: text('createdAt'),
      createdBy: text('createdBy'),
      source,
      auditId: text('auditId'),
    },
  };
}

/** Decodes a page (or all pages) of items, keeping valid exemptions in table order and listing the rest. */
export function decodeExemptionItems(items: readonly Record<string, unknown>[]): DecodedExemptions {
  const exemptions: StoredExemption[] = [];
  const invalid: InvalidExemptionItem[] = [];
  for (const item of items) {
    const decoded = fromExemptionItem(item);
    if ('exemption' in decoded) {
      exemptions.push(decoded.exemption);
    } else {
      invalid.push(decoded.invalid);
    }
  }
  return { exemptions, invalid };
}

/** True once the exemption's `expires` instant has passed (a bare date means midnight UTC of that day). */
export function isExpired(exemption: Pick<Exemption, 'expires'>, now: Date): boolean {
  return Date.parse(exemption.expires) <= now.getTime();
}
