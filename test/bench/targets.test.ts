import { BenchUsageError, benchExitCode, checkTargets, describeVerdict, parseBenchArgs, type BenchTarget } from '../../bench/targets';

const TARGETS: Record<string, BenchTarget> = {
  'engine.typicalPerSecond': ['>=', 10_000],
  'engine.policy20kbMs': ['<=', 2],
};

describe('checkTargets', () => {
  it.each([
    // figures, expected met per target (in order), exit code
    [{ 'engine.typicalPerSecond': 10_000, 'engine.policy20kbMs': 2 }, [true, true], 0],
    [{ 'engine.typicalPerSecond': 292_504, 'engine.policy20kbMs': 0.2 }, [true, true], 0],
    [{ 'engine.typicalPerSecond': 9_999, 'engine.policy20kbMs': 0.2 }, [false, true], 1],
    [{ 'engine.typicalPerSecond': 20_000, 'engine.policy20kbMs': 2.01 }, [true, false], 1],
    [{ 'engine.typicalPerSecond': 20_000 }, [true, false], 1],
    [{ 'engine.typicalPerSecond': Number.NaN, 'engine.policy20kbMs': 1 }, [false, true], 1],
    [{ 'engine.typicalPerSecond': '20000', 'engine.policy20kbMs': 1 }, [false, true], 1],
  ] as const)('%j → met %j, exit %d', (figures, met, exitCode) => {
    // WHEN
    const verdicts = checkTargets(figures, TARGETS);
    // THEN
    expect(verdicts.map((verdict) => verdict.met)).toEqual(met);
    expect(benchExitCode(verdicts)).toBe(exitCode);
  });

  it('describes met, missed and missing figures with their bound', () => {
    const verdicts = checkTargets({ 'engine.typicalPerSecond': 5, 'other.figure': 1 }, TARGETS);
    expect(verdicts.map(describeVerdict)).toEqual(['MISSES >= 10000', 'MISSING (target <= 2)']);
    expect(describeVerdict(checkTargets({ 'engine.policy20kbMs': 1 }, { 'engine.policy20kbMs': ['<=', 2] })[0]!)).toBe('meets <= 2');
  });

  it('passes a run with no targets', () => {
    expect(benchExitCode(checkTargets({ 'sweep.10k.seconds': 99 }, {}))).toBe(0);
  });
});

describe('parseBenchArgs', () => {
  const names = ['engine', 'handler', 'sweep', 'bundles'];

  it('runs everything and writes the untracked file by default', () => {
    expect(parseBenchArgs([], names)).toEqual({ only: [], update: false });
  });

  it('takes benchmark names and --update in any order', () => {
    expect(parseBenchArgs(['engine', '--update', 'sweep'], names)).toEqual({ only: ['engine', 'sweep'], update: true });
  });

  it.each([
    [['--write'], /unknown option --write; use --update/],
    [['engin'], /unknown benchmark "engin"; choose from engine, handler, sweep, bundles/],
  ])('%j is a usage error naming the argument', (argv, message) => {
    expect(() => parseBenchArgs(argv, names)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv, names)).toThrow(message);
  });
});
