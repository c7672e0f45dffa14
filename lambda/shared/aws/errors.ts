/**
 * Reading AWS SDK errors without trusting their shape: SDK v3 errors carry the service's error code in
 * `name` (and sometimes `Code`), HTTP details in `$metadata`. Never `JSON.stringify` an error; use
 * `describeError` for a record or a log line.
 */

/**
 * The error code: `Code` when present, else the error's name (SDK v3 names each error after the service's
 * code: `NoSuchBucket`, `AccessDenied`, …). Undefined for a plain `Error` and for non-errors.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const candidate = error as { Code?: unknown; name?: unknown; $metadata?: unknown };
  if (typeof candidate.Code === 'string' && candidate.Code !== '') {
    return candidate.Code;
  }
  if (typeof candidate.name === 'string' && candidate.name !== '' && candidate.name !== 'Error') {
    return candidate.name;
  }
  return undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

const ACCESS_DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'AllAccessDisabled', 'InvalidAccessKeyId']);

/** Denied by IAM, an SCP, a resource control policy, an organization policy, or ExpectedBucketOwner. */
export function isAccessDenied(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && codes.includes(code);
}

/** A plain, serialisable description of an error for audit records and alerts. */
export interface ErrorDescription {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
}

/** True for errors the SDK raised for a service answer (they carry `$metadata` or `$fault`). */
function isServiceError(error: Error): boolean {
  return '$metadata' in error || '$fault' in error || typeof (error as { Code?: unknown }).Code === 'string';
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    const code = isServiceError(error) ? awsErrorCode(error) : undefined;
    const httpStatus = httpStatusOf(error);
    const requestId = (error as { $metadata?: { requestId?: unknown } }).$metadata?.requestId;
    return {
      name: error.name,
      message: error.message,
      ...(code !== undefined ? { code } : {}),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(typeof requestId === 'string' ? { requestId } : {}),
    };
  }
  return { name: 'NonError', message: String(error) };
}
