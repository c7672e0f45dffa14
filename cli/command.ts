/**
 * The one preamble every CLI command runs before its own work: flags parsed with node:util `parseArgs`
 * (strict, errors as UsageError with the usage), `--help`/`-h` answered with the usage and exit 0, and the
 * positional arguments counted against the command's spec. The spec (options, positionals, help text) is
 * plain data in ./specs, so the top-level usage is built from the same table and cannot drift from it.
 */
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliIo } from './io';

/** A CLI command: gets its own arguments, returns the exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** One flag: its parseArgs type, and what the help says about it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder for the value in the help (`--region R`); string options only. */
  readonly value?: string;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec {
  /** As shown in the synopsis, for example `<file|->` or `list|remove <bucket|glob>`. */
  readonly synopsis: string;
  readonly min: number;
  readonly max: number;
  /** Message when fewer than `min` are given. @default - "missing <synopsis>" */
  readonly missing?: string;
  /** Message when more than `max` are given. @default - `unexpected argument "X"` */
  readonly extra?: (count: number, first: string) => string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line: what the command does. */
  readonly summary: string;
  /** Further lines of help, already indented by two spaces. */
  readonly details?: string;
  readonly positionals: PositionalSpec;
  readonly options: OptionSpecs;
}

/** The parsed flag values: booleans for boolean options, strings for string options, undefined when absent. */
export type FlagValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ParsedArgs<O extends OptionSpecs> {
  readonly values: FlagValues<O>;
  readonly positionals: readonly string[];
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit 0' };

function optionSynopsis(name: string, option: OptionSpec): string {
  return option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`;
}

/** The command's help: synopsis, summary, details and every option with its meaning. */
export function renderUsage(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP });
  const left = options.map(([name, option]) => `${option.short !== undefined ? `-${option.short}, ` : ''}${optionSynopsis(name, option)}`);
  const width = Math.max(...left.map((text) => text.length));
  const lines = [
    `usage: bucket-guardrail ${spec.name}${spec.positionals.synopsis ? ` ${spec.positionals.synopsis}` : ''} [options]`,
    `  ${spec.summary}`,
    ...(spec.details !== undefined ? [spec.details] : []),
    ...options.map(([, option], index) => `  ${(left[index] as string).padEnd(width)}  ${option.help}`),
  ];
  return lines.join('\n');
}

/** One line per option, for the top-level usage. */
export function optionList(spec: CommandSpec): string {
  return Object.entries(spec.options)
    .map(([name, option]) => `[${optionSynopsis(name, option)}]`)
    .join(' ');
}

/** Parses `args` against the spec; throws UsageError (with the usage) for anything the spec does not allow. */
export function parseCommandArgs<O extends OptionSpecs>(spec: CommandSpec & { readonly options: O }, args: readonly string[]): ParsedArgs<O> & { readonly help: boolean } {
  const parseOptions = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => [name, option.short !== undefined ? { type: option.type, short: option.short } : { type: option.type }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: parseOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${renderUsage(spec)}`, { cause: error });
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  if (help === true) {
    return { values: values as FlagValues<O>, positionals: parsed.positionals, help: true };
  }
  const { positionals } = parsed;
  const rule = spec.positionals;
  if (positionals.length < rule.min) {
    throw new UsageError(`${rule.missing ?? `missing ${rule.synopsis}`}\n${renderUsage(spec)}`);
  }
  if (positionals.length > rule.max) {
    const first = positionals[rule.max] as string;
    throw new UsageError(`${rule.extra !== undefined ? rule.extra(positionals.length, first) : `unexpected argument "${first}"`}\n${renderUsage(spec)}`);
  }
  return { values: values as FlagValues<O>, positionals, help: false };
}

/**
 * A command from its spec and its body: the body runs only for valid arguments, and `--help` prints the
 * usage on stdout and exits 0 without running it.
 */
export function defineCommand<O extends OptionSpecs>(spec: CommandSpec & { readonly options: O }, run: (parsed: ParsedArgs<O>, io: CliIo) => Promise<number>): Command {
  return async (args, io) => {
    const parsed = parseCommandArgs(spec, args);
    if (parsed.help) {
      io.stdout.write(`${renderUsage(spec)}\n`);
      return EXIT.ok;
    }
    return run(parsed, io);
  };
}
