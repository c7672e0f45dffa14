/**
 * The exemptions `scan` honours: the same three sources the deployed guardrail reads — cdk.json's
 * `exemptions` context (bin/ passes it to the remediator), the exemptions table (`bucket-guardrail exempt`,
 * found through the stack's outputs or `--exemptions-table`) and the EXEMPTIONS variable. Matching is the
 * remediation pipeline's own: the configured ones go in its config, the table's through its exemptions port.
 *
 * `scan --fix` needs every source: when one cannot be read it refuses (ExemptionsUnavailableError, exit 2)
 * rather than contain a bucket the guardrail would leave alone. A read-only scan reads what it can and says
 * what it could not.
 */
import { readFile } from 'node:fs/promises';
import { REMEDIATE_ENV, validateExemption, type Exemption } from '../lambda/remediate/environment';
import type { DecodedExemptions } from '../lambda/shared/exemptions/exemptions-table';
import { UsageError } from './io';

/** A source of exemptions could not be read; `scan --fix` refuses to change anything. */
export class ExemptionsUnavailableError extends UsageError {
  constructor(source: string, why: string, options?: { cause?: unknown }) {
    super(
      `refusing to fix: cannot read the exemptions from ${source} (${why}). --fix honours the same exemptions as the deployed guardrail ` +
        '(cdk.json "exemptions", the exemptions table, EXEMPTIONS) and changes nothing without them; run from the app\'s directory or pass ' +
        '--cdk-json, and pass --stack (and --stack-region) or --exemptions-table',
      options,
    );
    this.name = 'ExemptionsUnavailableError';
  }
}

function validated(items: unknown, where: string): Exemption[] {
  if (!Array.isArray(items)) {
    throw new Error(`${where} must be a JSON array of {bucket, reason, owner, expires}`);
  }
  return items.map((item, index) => validateExemption(item, `${where}[${index}]`));
}

/** The EXEMPTIONS variable, as the remediator reads it; a bad value is a usage error in any mode. */
export function exemptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Exemption[] {
  const raw = env[REMEDIATE_ENV.exemptions]?.trim();
  if (!raw) return [];
  try {
    return validated(JSON.parse(raw) as unknown, REMEDIATE_ENV.exemptions);
  } catch (error) {
    throw new UsageError(`${REMEDIATE_ENV.exemptions}: ${(error as Error).message}`, { cause: error });
  }
}

/** cdk.json's `context.exemptions`, validated as bin/ validates it. Throws with the reason. */
export function exemptionsFromCdkJson(text: string): Exemption[] {
  const parsed = JSON.parse(text) as { context?: { exemptions?: unknown } };
  const raw = parsed?.context?.exemptions;
  return raw === undefined ? [] : validated(raw, 'context.exemptions');
}

export interface ExemptionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cdkJsonPath: string;
  /** Whether cdk.json was named explicitly (then it must exist even for a read-only scan). */
  readonly cdkJsonExplicit: boolean;
  /** Reads the exemptions table (resolving its name first); undefined when the table is not to be read. */
  readonly readTable: (() => Promise<DecodedExemptions>) | undefined;
  /** Whether every source must be read (`--fix`). */
  readonly required: boolean;
}

export interface LoadedExemptions {
  /** cdk.json's and EXEMPTIONS', for the pipeline's config. */
  readonly configured: Exemption[];
  /** The table's, for the pipeline's exemptions port; undefined when not read. */
  readonly table: DecodedExemptions | undefined;
  /** What could not be read, for a read-only scan's output. */
  readonly notes: string[];
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : (error as Error).message;
}

export async function loadExemptions(sources: ExemptionSources): Promise<LoadedExemptions> {
  const configured = exemptionsFromEnv(sources.env);
  const notes: string[] = [];
  try {
    configured.push(...exemptionsFromCdkJson(await readFile(sources.cdkJsonPath, 'utf8')));
  } catch (error) {
    if (sources.required || sources.cdkJsonExplicit) throw new ExemptionsUnavailableError(sources.cdkJsonPath, why(error), { cause: error });
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`cdk.json exemptions not read: ${sources.cdkJsonPath}: ${why(error)}`);
  }
  let table: DecodedExemptions | undefined;
  if (sources.readTable !== undefined) {
    try {
      table = await sources.readTable();
    } catch (error) {
      if (sources.required) throw new ExemptionsUnavailableError('the exemptions table', (error as Error).message, { cause: error });
      notes.push(`exemptions table not read: ${(error as Error).message}`);
    }
  }
  return { configured, table, notes };
}
