/**
 * What `npm pack` ships: the compiled construct, CLI and pre-bundled handlers, and nothing a user does not need
 * (no tests, no bench, no TypeScript sources, no repository app). Builds the package first (`npm run build`),
 * then lists the tarball with `npm pack --dry-run --json`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_ENTRIES } from '../../lib/lambda-bundling';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};

interface PackEntry {
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

let packed: string[] = [];

beforeAll(() => {
  // GIVEN a fresh build (tsc into dist/ and the pre-bundled handlers)
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // WHEN npm lists what the tarball would hold (scripts skipped: the build above is what prepack runs)
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [entry] = JSON.parse(output) as PackEntry[];
  packed = (entry?.files ?? []).map((file) => file.path);
}, 600_000);

describe('npm pack', () => {
  it('ships no tests, bench, repository app or TypeScript sources', () => {
    expect(packed.length).toBeGreaterThan(0);
    const unwanted = packed.filter(
      (file) =>
        /^(test|bench|bin|scripts|examples|lambda|lib|cdk\.out)\//.test(file) ||
        /\.test\.(js|ts|d\.ts)$/.test(file) ||
        (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
        /(^|\/)(cdk\.json|tsconfig[^/]*\.json|jest\.config\.js|package-lock\.json)$/.test(file),
    );
    expect(unwanted).toEqual([]);
  });

  it('ships what main, types, exports and bin point to', () => {
    const exported = Object.values(PACKAGE.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default]));
    const targets = [PACKAGE.main, PACKAGE.types, ...exported, ...Object.values(PACKAGE.bin)].map((target) => target.replace(/^\.\//, ''));
    expect(targets.filter((target) => !packed.includes(target))).toEqual([]);
    expect(packed).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/cli/main.js', 'cli/bucket-guardrail.cjs']));
  });

  it('ships one pre-bundled handler per Lambda, the compiled modules the construct imports, and no handler sources', () => {
    for (const name of Object.keys(LAMBDA_ENTRIES)) {
      expect(packed).toContain(`dist/handlers/${name}/index.js`);
    }
    // The construct imports the typed environment contracts from lambda/ at synth.
    expect(packed).toEqual(expect.arrayContaining(['dist/lambda/remediate/environment.js', 'dist/lambda/sweep/environment.js']));
    expect(packed.filter((file) => file.startsWith('dist/handlers/') && !/^dist\/handlers\/[A-Za-z]+\/index\.js(\.map)?$/.test(file))).toEqual([]);
  });
});
