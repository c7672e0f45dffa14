/**
 * The benchmark's verdicts, pure: figures and targets in, verdicts out. `bench/run.ts` prints them and
 * exits 1 when any figure misses its target (or a figure with a target was not produced at all).
 */

/** A target from the issues: the figure must be `>=` or `<=` the bound. */
export type BenchTarget = readonly ['>=' | '<=', number];

export interface TargetVerdict {
  readonly figure: string;
  readonly target: BenchTarget;
  /** The measured value; undefined when the benchmark did not produce the figure. */
  readonly value: number | undefined;
  readonly met: boolean;
}

/** One verdict per target, in the targets' order. A figure that is missing or not a finite number misses. */
export function checkTargets(figures: Readonly<Record<string, number | string>>, targets: Readonly<Record<string, BenchTarget>>): TargetVerdict[] {
  return Object.entries(targets).map(([figure, target]) => {
    const raw = figures[figure];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
    const met = value !== undefined && (target[0] === '>=' ? value >= target[1] : value <= target[1]);
    return { figure, target, value, met };
  });
}

/** "meets <= 2" / "MISSES >= 10000" / "MISSING (target <= 2)", for the table. */
export function describeVerdict(verdict: TargetVerdict): string {
  const bound = `${verdict.target[0]} ${verdict.target[1]}`;
  if (verdict.value === undefined) {
    return `MISSING (target ${bound})`;
  }
  return `${verdict.met ? 'meets' : 'MISSES'} ${bound}`;
}

/** Usage error in `npm run bench` arguments: names the bad argument and the choices. */
export class BenchUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchUsageError';
  }
}

export interface BenchArgs {
  /** Benchmarks to run; empty = all. */
  readonly only: readonly string[];
  /** Write bench/results.json (tracked) instead of the untracked output file. */
  readonly update: boolean;
}

/** Parses `npm run bench -- [name…] [--update]`; unknown names or options are a BenchUsageError. */
export function parseBenchArgs(argv: readonly string[], benchNames: readonly string[]): BenchArgs {
  const only: string[] = [];
  let update = false;
  for (const arg of argv) {
    if (arg === '--update') {
      update = true;
    } else if (arg.startsWith('-')) {
      throw new BenchUsageError(`unknown option ${arg}; use --update to write bench/results.json`);
    } else if (!benchNames.includes(arg)) {
      throw new BenchUsageError(`unknown benchmark "${arg}"; choose from ${benchNames.join(', ')}`);
    } else {
      only.push(arg);
    }
  }
  return { only, update };
}

/** Exit code of a run: 0 when every verdict is met, 1 otherwise. */
export function benchExitCode(verdicts: readonly TargetVerdict[]): 0 | 1 {
  return verdicts.every((verdict) => verdict.met) ? 0 : 1;
}
