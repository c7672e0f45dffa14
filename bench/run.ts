/**
 * `npm run bench`: runs every benchmark (or those named: `npm run bench -- engine handler`), prints a table
 * and writes the figures, one flat key per figure plus the machine and the date, to bench/out/results.json
 * (gitignored). `--update` writes the tracked bench/results.json instead. Exits 1 when any figure misses its
 * target, 2 on a bad argument. Timings depend on the machine; compare figures from the same machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { bundleBenchTargets, runBundleBench } from './bundles';
import { runEngineBench } from './engine';
import { runHandlerBench } from './handler';
import { runSweepBench } from './sweep';
import { BenchUsageError, benchExitCode, checkTargets, describeVerdict, parseBenchArgs, type BenchTarget, type TargetVerdict } from './targets';

interface Bench {
  readonly name: string;
  readonly run: () => Promise<Record<string, number>>;
  /** Targets from the issues: figure key → [comparison, bound]. */
  readonly targets: Record<string, BenchTarget>;
}

const BENCHES: Bench[] = [
  { name: 'engine', run: runEngineBench, targets: { 'engine.typicalPerSecond': ['>=', 10_000], 'engine.policy20kbMs': ['<=', 2] } },
  {
    name: 'handler',
    run: runHandlerBench,
    // Round trips are counted (2 to containment, 4 in all); time is judged above the timer floor, because on
    // this machine four bare rounds of setTimeout(D) already take more than 4 D (bench/handler.ts).
    targets: {
      'handler.containRoundTripsMax': ['<=', 2],
      'handler.totalRoundTripsMax': ['<=', 4],
      'handler.containP50InD': ['<=', 2.2],
      'handler.containP99InD': ['<=', 2.2],
      'handler.totalOverFloorP50InD': ['<=', 0.25],
    },
  },
  { name: 'sweep', run: runSweepBench, targets: { 'sweep.10k.overIdeal': ['<=', 1.3] } },
  { name: 'bundles', run: runBundleBench, targets: bundleBenchTargets() },
];

/** Where a run writes its figures: the tracked file only when asked (`--update`). */
const RESULTS_FILES = {
  tracked: join(__dirname, 'results.json'),
  untracked: join(__dirname, 'out', 'results.json'),
} as const;

async function main(): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2), BENCHES.map((bench) => bench.name));
  } catch (error) {
    if (error instanceof BenchUsageError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const figures: Record<string, number | string> = {
    machine: `${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${process.platform}/${process.arch}`,
    date: new Date().toISOString(),
  };
  const rows: string[][] = [];
  const verdicts: TargetVerdict[] = [];
  for (const bench of BENCHES) {
    if (args.only.length > 0 && !args.only.includes(bench.name)) {
      continue;
    }
    process.stderr.write(`running ${bench.name}…\n`);
    const results = await bench.run();
    Object.assign(figures, results);
    const benchVerdicts = checkTargets(results, bench.targets);
    verdicts.push(...benchVerdicts);
    const verdictOf = new Map(benchVerdicts.map((verdict) => [verdict.figure, verdict]));
    for (const [key, value] of Object.entries(results)) {
      const verdict = verdictOf.get(key);
      rows.push([key, String(value), verdict ? describeVerdict(verdict) : '']);
    }
    for (const verdict of benchVerdicts.filter((v) => v.value === undefined)) {
      rows.push([verdict.figure, '-', describeVerdict(verdict)]);
    }
  }
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length), 6));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ');
  process.stdout.write(`${line(['figure', 'value', 'target'])}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) {
    process.stdout.write(`${line(row)}\n`);
  }
  process.stdout.write(`\nmachine: ${figures.machine}\ndate: ${figures.date}\n`);
  const file = args.update ? RESULTS_FILES.tracked : RESULTS_FILES.untracked;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`wrote ${relative(process.cwd(), file)}${args.update ? '' : ' (npm run bench -- --update writes bench/results.json)'}\n`);
  const missed = verdicts.filter((verdict) => !verdict.met);
  if (missed.length > 0) {
    process.stderr.write(`bench: ${missed.length} figure(s) miss their target: ${missed.map((v) => `${v.figure} ${describeVerdict(v)}`).join('; ')}\n`);
  }
  return benchExitCode(verdicts);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
