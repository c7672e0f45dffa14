/**
 * How every Lambda in this project is bundled: one set of esbuild settings, used by the construct
 * (`NodejsFunction` runs esbuild locally, never Docker) and by `bench/bundles.ts`, which measures the result.
 * No aws-cdk-lib import here, so the bench can use it without loading the CDK.
 *
 * AWS SDK: bundled, not external. The Node.js 22 runtime ships an SDK v3, but loading it from the runtime's
 * node_modules resolves and compiles hundreds of unminified files at cold start, and its version drifts
 * under us. Bundled and minified (with `module` first in mainFields so esbuild takes the ES builds and
 * tree-shakes them), the whole function is one file: a larger zip, a faster and reproducible cold load.
 * `npm run bench` reports `lambda.<name>.bundleBytes` and `lambda.<name>.coldLoadMs` for both choices to
 * keep that decision honest (remediator, first measurement: 1.16 MB and 136 ms bundled against 0.57 MB and
 * 170 ms with the SDK external).
 */

export const LAMBDA_NODE_MAJOR = 22;

export const LAMBDA_ESBUILD = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourceMap: true,
  /** The maps carry mappings only, not the TypeScript sources: smaller zips, same stack traces. */
  sourcesContent: false,
  mainFields: ['module', 'main'] as string[],
  /** Nothing external: see the note above. */
  externalModules: [] as string[],
} as const;

/**
 * NODE_OPTIONS for every function: source-mapped stack traces in the logs. Measured on the remediator's
 * bundle, the flag changes the cold load by about 1 ms (within noise); the bench runs with it.
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** Lambda entries of the sweep (GuardrailSweep), relative to the repository root. */
export const SWEEP_LAMBDA_ENTRIES = {
  sweepList: 'lambda/sweep/list-handler.ts',
  sweepWork: 'lambda/sweep/worker-handler.ts',
} as const;

/** The Lambda entries, by function name, relative to the repository root (the bench measures each). */
export const LAMBDA_ENTRIES = {
  remediate: 'lambda/remediate/handler.ts',
  ...SWEEP_LAMBDA_ENTRIES,
} as const;

/**
 * esbuild's build options for one handler, from LAMBDA_ESBUILD: used by the package build
 * (scripts/bundle-lambdas.ts) and by the bench (bench/bundles.ts), which also measures an SDK-external variant.
 */
export function esbuildHandlerOptions(entryPoint: string, outfile: string, options: { readonly external?: readonly string[]; readonly logLevel: 'silent' | 'warning' }) {
  return {
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: LAMBDA_ESBUILD.platform,
    target: LAMBDA_ESBUILD.target,
    format: LAMBDA_ESBUILD.format,
    minify: LAMBDA_ESBUILD.minify,
    sourcemap: LAMBDA_ESBUILD.sourceMap,
    sourcesContent: LAMBDA_ESBUILD.sourcesContent,
    mainFields: [...LAMBDA_ESBUILD.mainFields],
    external: [...(options.external ?? LAMBDA_ESBUILD.externalModules)],
    logLevel: options.logLevel,
  };
}
