/**
 * The guardrail stack's CloudFormation template, synthesized in-process from cdk.json exactly as `npx cdk synth`
 * builds it (same context, same app builder, cdk-nag included), except that Lambda bundling is skipped: the
 * local recipe needs the resources and the remediator's environment, not the bundles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as cdkJson from '../cdk.json';
import { collectContext, parseAppConfig } from '../lib/config';
import { buildGuardrailApp } from '../lib/guardrail-app';
import type { CfnTemplate } from './local-plan';

/** aws-cdk-lib's context key listing the stacks to bundle assets for; empty = bundle none. */
const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

export interface SynthesisOptions {
  readonly region: string;
  /** Context on top of cdk.json's, as `-c key=value` gives it. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * Synthesizes the app into `outdir` as `npx cdk synth` writes cdk.out (one `<stack>.template.json` per stack), bundling
 * skipped; returns the home stack's name and template.
 */
export function synthesizeGuardrailApp(options: SynthesisOptions & { readonly outdir: string }): { stackName: string; template: CfnTemplate } {
  const context = { ...(cdkJson as { context: Record<string, unknown> }).context, ...options.context, [BUNDLING_STACKS_CONTEXT]: [] };
  const app = new App({ context, outdir: options.outdir });
  const config = parseAppConfig(collectContext((key) => app.node.tryGetContext(key), app.node.getAllContext()), { defaultRegion: options.region });
  const { home } = buildGuardrailApp(app, config);
  return { stackName: home.stackName, template: app.synth().getStackByName(home.stackName).template as CfnTemplate };
}

export function synthesizeGuardrailTemplate(options: SynthesisOptions): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'bucket-guardrail-local-'));
  try {
    return synthesizeGuardrailApp({ ...options, outdir }).template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
