/**
 * The Node.js version check the `bucket-guardrail` binary runs before anything else. Pure: the running
 * version and package.json's `engines.node` range come in, a one-line warning (or nothing) comes out.
 *
 * The AWS SDK for JavaScript v3 requires Node.js 22 for versions published after the first week of January
 * 2027, and the Lambdas run on Node.js 22; older versions still work today, so this warns, it does not stop.
 */

/** The lowest major version a `>=N` (or `>=N.x.y`) engines range accepts; undefined for any other range shape. */
export function minimumNodeMajor(enginesRange: string): number | undefined {
  const match = /^\s*>=\s*v?(\d+)(?:\.\d+){0,2}\s*$/.exec(enginesRange);
  return match ? Number(match[1]) : undefined;
}

/** The warning to print when `runningVersion` (process.versions.node, e.g. "20.19.0") is below the range; else undefined. */
export function nodeVersionWarning(runningVersion: string, enginesRange: string): string | undefined {
  const required = minimumNodeMajor(enginesRange);
  const running = Number(/^v?(\d+)\./.exec(runningVersion)?.[1]);
  if (required === undefined || !Number.isInteger(running) || running >= required) {
    return undefined;
  }
  return `bucket-guardrail: warning: Node.js ${runningVersion.replace(/^v/, '')} is older than the required ${required} (package.json engines "${enginesRange.trim()}"); upgrade to Node.js ${required} or later, the AWS SDK will stop supporting this version.`;
}
