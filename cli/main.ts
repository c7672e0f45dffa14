import { optionList, type Command } from './command';
import { withHint } from './hints';
import { EXIT, UsageError, type CliIo } from './io';
import { COMMAND_SPECS } from './specs';

/**
 * Each command's module, loaded on first use so `explain` never loads the AWS SDK (require, so it works the
 * same under tsx, ts-jest and esbuild). The help of every command comes from ./specs, not from these modules.
 */
const LOADERS: Record<string, () => Command> = {
  explain: () => (require('./commands/explain') as typeof import('./commands/explain')).explainCommand,
  scan: () => (require('./commands/scan') as typeof import('./commands/scan')).scanCommand,
  audit: () => (require('./commands/audit') as typeof import('./commands/audit')).auditCommand,
  verify: () => (require('./commands/verify') as typeof import('./commands/verify')).verifyCommand,
  restore: () => (require('./commands/restore') as typeof import('./commands/restore')).restoreCommand,
  exempt: () => (require('./commands/exempt') as typeof import('./commands/exempt')).exemptCommand,
  exemptions: () => (require('./commands/exempt') as typeof import('./commands/exempt')).exemptionsCommand,
};

/** The top-level usage: every command with its positionals, summary and every option it takes. */
export function usage(): string {
  const lines = COMMAND_SPECS.flatMap((spec) => [
    `  bucket-guardrail ${spec.name}${spec.positionals.synopsis ? ` ${spec.positionals.synopsis}` : ''}`,
    `      ${spec.summary}`,
    ...(Object.keys(spec.options).length > 0 ? [`      ${optionList(spec)}`] : []),
  ]);
  return [
    'Usage:',
    ...lines,
    '',
    'Every command also takes -h/--help. "bucket-guardrail COMMAND --help" explains each option.',
    'Exit codes: 0 nothing public, 1 public found (or a check failed), 2 error.',
    'Environment: AWS_REGION / AWS_PROFILE as for the AWS CLI; BUCKET_GUARDRAIL_DEBUG=1 prints stack traces.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  const load = LOADERS[name];
  if (!load) {
    io.stderr.write(`bucket-guardrail: unknown command "${name}"\n${usage()}`);
    return EXIT.error;
  }
  try {
    return await load()(rest, io);
  } catch (error) {
    const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    io.stderr.write(`bucket-guardrail ${name}: ${withHint(error, { env: io.env, region })}\n`);
    if (!(error instanceof UsageError) && io.env.BUCKET_GUARDRAIL_DEBUG) {
      io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    }
    return EXIT.error;
  }
}
