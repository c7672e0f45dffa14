/**
 * `npm run bench`: runs every benchmark, prints a table and writes bench/results.json with one flat key per
 * figure plus the machine and the date. Timings depend on the machine; compare figures from the same machine.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { bundleBenchTargets, runBundleBench } from './bundles';
import { runEngineBench } from './engine';
import { runHandlerBench } from './handler';
import { runSweepBench } from './sweep';

interface Bench {
  readonly name: string;
  readonly run: () => Promise<Record<string, number>>;
  /** Targets from the issues: figure key → [comparison, bound]. */
  readonly targets: Record<string, ['>=' | '<=', number]>;
}

const BENCHES: Bench[] = [
  { name: 'engine', run: runEngineBench, targets: { 'engine.typicalPerSecond': ['>=', 10_000], 'engine.policy20kbMs': ['<=', 2] } },
  {
    name: 'handler',
    run: runHandlerBench,
    targets: { 'handler.containP50InD': ['<=', 2.2], 'handler.containP99InD': ['<=', 2.2], 'handler.totalP50InD': ['<=', 4] },
  },
  { name: 'sweep', run: runSweepBench, targets: { 'sweep.10k.overIdeal': ['<=', 1.3] } },
  { name: 'bundles', run: runBundleBench, targets: bundleBenchTargets() },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const figures: Record<string, number | string> = {
    machine: `${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${process.platform}/${process.arch}`,
    date: new Date().toISOString(),
  };
  const rows: string[][] = [];
  let missed = 0;
  for (const bench of BENCHES) {
    if (only.length > 0 && !only.includes(bench.name)) {
      continue;
    }
    process.stderr.write(`running ${bench.name}…\n`);
    const results = await bench.run();
    for (const [key, value] of Object.entries(results)) {
      figures[key] = value;
      const target = bench.targets[key];
      let verdict = '';
      if (target) {
        const met = target[0] === '>=' ? value >= target[1] : value <= target[1];
        verdict = `${met ? 'meets' : 'MISSES'} ${target[0]} ${target[1]}`;
        missed += met ? 0 : 1;
      }
      rows.push([key, String(value), verdict]);
    }
  }
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length), 6));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ');
  process.stdout.write(`${line(['figure', 'value', 'target'])}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) {
    process.stdout.write(`${line(row)}\n`);
  }
  process.stdout.write(`\nmachine: ${figures.machine}\ndate: ${figures.date}\n`);
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`wrote bench/results.json${missed > 0 ? ` (${missed} figure(s) miss their target)` : ''}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
