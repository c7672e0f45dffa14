/**
 * Turns the errors a first run meets into a hint naming the real cause: an endpoint that refuses the
 * connection (an emulator not started), no region configured, a table that is not there, missing
 * credentials. Pure: an error (and where the CLI looked) in, one line or undefined out.
 */

export interface HintContext {
  /** The region the CLI used for the call, when it had one. */
  readonly region?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The error and its causes, outermost first (the SDK wraps network errors). */
function chain(error: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && out.length < 5) {
    out.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

export function hintFor(error: unknown, context: HintContext): string | undefined {
  const links = chain(error);
  const endpoint = context.env.AWS_ENDPOINT_URL;
  const where = context.region !== undefined ? `region ${context.region}` : 'no region';
  for (const link of links) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    const name = typeof link.name === 'string' ? link.name : undefined;
    const message = typeof link.message === 'string' ? link.message : '';
    if (code === 'ECONNREFUSED') {
      const target = typeof link.address === 'string' ? `${link.address}:${String(link.port ?? '')}` : (endpoint ?? 'the endpoint');
      return `connection refused by ${target}${endpoint !== undefined ? ` (AWS_ENDPOINT_URL=${endpoint})` : ''}: is the emulator or endpoint running?`;
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return `cannot resolve ${String(link.hostname ?? 'the endpoint host')}: no network, or a wrong AWS_ENDPOINT_URL`;
    }
    if (/region is missing/i.test(message)) {
      return 'no AWS region: set AWS_REGION (or a region in the profile), or pass --region';
    }
    if (name === 'ResourceNotFoundException') {
      return `the table does not exist in ${where}: check --stack/--region, or the table named by --table/--exemptions-table`;
    }
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
      return 'no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (aws sso login for SSO profiles)';
    }
  }
  return undefined;
}

/** The error's message with the hint after it, when there is one. */
export function withHint(error: unknown, context: HintContext): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = hintFor(error, context);
  return hint !== undefined ? `${message}\n  hint: ${hint}` : message;
}
