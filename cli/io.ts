/** The streams and environment a CLI command runs with; tests pass in-memory ones. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Nothing public / success. */
  ok: 0,
  /** At least one public bucket found, or a check failed (verify). */
  findings: 1,
  /** Unreadable input, bad flags, or an error talking to AWS. */
  error: 2,
} as const;

/** A user-facing error: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Reads a whole stream as UTF-8 text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(io: CliIo, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let buffered = '';
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        io.stdin.removeListener('data', onData);
        io.stdin.removeListener('end', onEnd);
        io.stdin.pause();
        resolve(buffered.slice(0, newline));
      }
    };
    const onEnd = (): void => {
      io.stdin.removeListener('data', onData);
      resolve(buffered);
    };
    io.stdin.on('data', onData);
    io.stdin.on('end', onEnd);
    io.stdin.resume();
  });
  return /^\s*y(es)?\s*$/i.test(line);
}
