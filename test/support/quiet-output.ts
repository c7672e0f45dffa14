/**
 * Jest setup (every test file, before the framework): keeps `npm test` output to what a reader needs, so a
 * failure stands out. Nothing here changes what a test checks.
 *
 * - The AWS SDK's multi-line NodeVersionSupportWarning, emitted once per test file on Node.js < 22, is turned
 *   off through the SDK's documented switch. `package.json` engines requires Node.js 22 and the CLI says so.
 * - aws-cdk-lib's "Bundling asset <path>..." progress line, written straight to stderr for every Lambda of every
 *   synthesized stack, is dropped. esbuild's own summary is off at the source (`logLevel: WARNING` in the
 *   constructs' bundling options); esbuild's warnings and errors, and every other stderr write, still print.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** aws-cdk-lib's AssetStaging progress line, exactly: `Bundling asset Stack/Construct/Code/Stage...`. */
export const CDK_BUNDLING_PROGRESS_LINE = /^Bundling asset \S.*\.\.\.\r?\n$/;

const FILTERED = Symbol.for('bucket-guardrail.quiet-output');

type Write = typeof process.stderr.write;

/** Wraps a stream's write once so it drops the CDK progress line (jest runs this setup for every test file in a worker). */
export function dropCdkBundlingProgress(stream: NodeJS.WriteStream & { [FILTERED]?: true }): void {
  if (stream[FILTERED]) {
    return;
  }
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && CDK_BUNDLING_PROGRESS_LINE.test(chunk)) {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return write(chunk, ...rest);
  }) as Write;
  stream[FILTERED] = true;
}

dropCdkBundlingProgress(process.stderr);
