/**
 * Turns MemberStack into the TemplateBody of the member StackSet, offline and at synth time.
 *
 * How: the member stack is built in a private App (its own construct tree, synthesized into a temporary
 * directory that is removed afterwards) with BootstraplessSynthesizer, which refuses file and image assets and
 * adds no BootstrapVersion parameter or rule; no version, path or asset metadata. The template is then embedded
 * in the central stack as a JSON string. The private App runs cdk-nag's AwsSolutions checks and the Control Tower
 * proactive controls too, so a finding in the member template stops synthesis like one in the central stack.
 *
 * Why not a Stage in the main app: its stacks would appear in the cloud assembly, where `cdk deploy --all`
 * could deploy the member template into the central account. Why not TemplateURL: it needs an asset bucket
 * that member accounts' StackSet operations can read. A template body must be at most 51,200 bytes; the member
 * template is a few kilobytes and this module checks the limit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, BootstraplessSynthesizer, Tags } from 'aws-cdk-lib';
import { addPolicyChecks } from '../policy-checks';
import { MemberStack, type MemberStackProps } from './member-stack';

/** CreateStackSet / UpdateStackSet accept a TemplateBody of at most 51,200 bytes. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Construct ID (and artifact name) of the member stack in the private App. */
export const MEMBER_STACK_ID = 'BucketGuardrailMember';

/** The member template could not be synthesized (a cdk-nag finding, an asset, or too large a template). */
export class MemberTemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Member StackSet template: ${message}`, options);
    this.name = 'MemberTemplateError';
  }
}

export interface MemberTemplate {
  /** The CloudFormation template as an object (for tests and inspection). */
  readonly template: Readonly<Record<string, unknown>>;
  /** The same template as the compact JSON string the StackSet gets. */
  readonly templateBody: string;
}

export interface SynthesizeMemberTemplateOptions {
  /**
   * Context of the private App: pass the main app's context so the same feature flags apply.
   * @default - no context
   */
  readonly context?: Readonly<Record<string, unknown>>;

  /**
   * Adds to the member stack before it is synthesized, for example a permissions boundary your organization
   * requires on every role. The result is still checked by cdk-nag and must stay assets-free.
   * @default - nothing added
   */
  readonly customize?: (stack: MemberStack) => void;

  /**
   * Tags for every taggable resource of the member stack.
   * @default - { application: 'bucket-guardrail' }
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Context that keeps CDK bookkeeping out of the member template. Applied after any CLI context. */
const TEMPLATE_ONLY_CONTEXT = {
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:enable-asset-metadata': false,
  'aws:cdk:version-reporting': false,
} as const;

export function synthesizeMemberTemplate(props: MemberStackProps, options: SynthesizeMemberTemplateOptions = {}): MemberTemplate {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bucket-guardrail-member-'));
  try {
    // autoSynth off: otherwise, under the CDK CLI, the private App would synthesize again at process exit.
    const app = new App({
      outdir,
      autoSynth: false,
      analyticsReporting: false,
      context: { ...options.context },
      postCliContext: { ...TEMPLATE_ONLY_CONTEXT },
    });
    const stack = new MemberStack(app, MEMBER_STACK_ID, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      description: props.description ?? 'S3 bucket guardrail member: forwards exposure events to the central bus; member remediation role',
    });
    try {
      // BootstraplessSynthesizer throws here if the addition brings a file or image asset.
      options.customize?.(stack);
    } catch (error) {
      throw new MemberTemplateError(`customize failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    for (const [key, value] of Object.entries(options.tags ?? { application: 'bucket-guardrail' })) Tags.of(app).add(key, value);
    // Same registration as the main app: any unacknowledged finding stops synthesis.
    addPolicyChecks(app);
    let template: Record<string, unknown>;
    try {
      const assembly = app.synth();
      template = assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
    } catch (error) {
      if (error instanceof MemberTemplateError) throw error;
      throw new MemberTemplateError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const templateBody = JSON.stringify(template);
    const bytes = Buffer.byteLength(templateBody, 'utf8');
    if (bytes > MAX_TEMPLATE_BODY_BYTES) {
      throw new MemberTemplateError(
        `${bytes} bytes is more than the ${MAX_TEMPLATE_BODY_BYTES} a StackSet TemplateBody accepts; keep the member stack small (no large inline policies or code)`,
      );
    }
    return { template, templateBody };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

