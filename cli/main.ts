import { EXIT, UsageError, type CliIo } from './io';

/** A CLI command: gets its own arguments, returns the exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

interface CommandEntry {
  readonly summary: string;
  /** Loads the command's module on first use (require, so it works the same under tsx, ts-jest and esbuild). */
  readonly load: () => Command;
}

/** Commands are loaded on demand so `explain` never loads the AWS SDK. */
const COMMANDS: Record<string, CommandEntry> = {
  explain: {
    summary: 'explain <file|-> [--json]       why a bucket snapshot is (not) public, offline',
    load: () => (require('./commands/explain') as typeof import('./commands/explain')).explainCommand,
  },
  scan: {
    summary: 'scan [--region R] [--json] [--fix [--yes]]   find public buckets in the account (read-only unless --fix)',
    load: () => (require('./commands/scan') as typeof import('./commands/scan')).scanCommand,
  },
  audit: {
    summary: 'audit [--since 7d|ISO] [--until ISO] [--bucket B] [--outcome O] [--actor A] [--format table|json|csv|md|html] [--out FILE]',
    load: () => (require('./commands/audit') as typeof import('./commands/audit')).auditCommand,
  },
  verify: {
    summary: 'verify [--since …]               check every audit record against its write-once archive copy',
    load: () => (require('./commands/verify') as typeof import('./commands/verify')).verifyCommand,
  },
  restore: {
    summary: 'restore <record-id> [--yes]      put back exactly what a remediation changed (exempts the bucket first)',
    load: () => (require('./commands/restore') as typeof import('./commands/restore')).restoreCommand,
  },
  exempt: {
    summary: 'exempt <bucket|glob> --reason … --owner … --expires …   let a bucket stay public until a date',
    load: () => (require('./commands/exempt') as typeof import('./commands/exempt')).exemptCommand,
  },
  exemptions: {
    summary: 'exemptions list|remove <bucket|glob>   review or revoke exemptions',
    load: () => (require('./commands/exempt') as typeof import('./commands/exempt')).exemptionsCommand,
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((entry) => `  bucket-guardrail ${entry.summary}`);
  return ['Usage:', ...lines, '', 'Exit codes: 0 nothing public, 1 public found (or a check failed), 2 error.', ''].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`bucket-guardrail: unknown command "${name}"\n${usage()}`);
    return EXIT.error;
  }
  try {
    const command = entry.load();
    return await command(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`bucket-guardrail ${name}: ${message}\n`);
    if (!(error instanceof UsageError) && io.env.BUCKET_GUARDRAIL_DEBUG) {
      io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    }
    return EXIT.error;
  }
}
