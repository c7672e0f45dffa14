import { Readable } from 'node:stream';
import type { CliIo } from '../../cli/io';

/** An in-memory CliIo: what the command printed, and a stdin fed from a string. */
export function memoryIo(options: { stdin?: string; env?: Record<string, string>; tty?: boolean; interactive?: boolean } = {}): CliIo & {
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as NodeJS.ReadableStream & { isTTY?: boolean };
  // `interactive`: standard input is a terminal, so commands may ask.
  if (options.interactive === true) stdin.isTTY = true;
  return {
    stdout: { write: (chunk: string) => (out += chunk), isTTY: options.tty ?? false, columns: 120 },
    stderr: { write: (chunk: string) => (err += chunk), isTTY: options.tty ?? false },
    stdin,
    env: options.env ?? {},
    out: () => out,
    err: () => err,
  };
}
