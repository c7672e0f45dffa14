import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeGuardrailApp } from '../../scripts/local-template';
import { parseTeardownArgs, runTeardown } from '../../scripts/teardown';

/**
 * docs/cost-and-teardown.md shows the teardown as the script runs it: its commands are `npm run teardown` lines that
 * parse, and its dry-run block is word for word what the script prints for the default app (so a change to the
 * script's steps, or a new retained resource, fails here until the page says it).
 */
const ROOT = join(__dirname, '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'cost-and-teardown.md'), 'utf8');
const SECTION = '### Production (default profile)';

/** The fenced blocks with `language` in the section under `heading` (up to the next heading of any level). */
function fencedBlocks(markdown: string, heading: string, language: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  // A heading ends the section; a `# comment` line inside a fenced block does not.
  let fenced = false;
  const end = rest.findIndex((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && /^#{1,6} /.test(line);
  });
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n');
  return [...section.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1] as string);
}

/** `npm run teardown -- <args>` lines of a shell block, comments dropped, as argument lists. */
function teardownCommands(block: string): string[][] {
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('npm run teardown'))
    .map((line) => line.replace(/^npm run teardown --\s*/, '').split(/\s+/).filter((arg) => arg !== ''));
}

let cdkOut: string;
beforeAll(() => {
  // The default app, as `npx cdk synth` writes it from cdk.json (bundling skipped: templates only).
  cdkOut = mkdtempSync(join(tmpdir(), 'teardown-docs-'));
  synthesizeGuardrailApp({ region: 'us-east-1', outdir: cdkOut });
}, 600_000);

afterAll(() => rmSync(cdkOut, { recursive: true, force: true }));

describe('docs/cost-and-teardown.md', () => {
  const [shell] = fencedBlocks(PAGE, SECTION, 'sh');
  const [printed] = fencedBlocks(PAGE, SECTION, 'text');

  test('shows a dry run and a real run of npm run teardown, both valid', () => {
    const commands = teardownCommands(shell ?? '');
    expect(commands.map((args) => args.includes('--dry-run'))).toEqual([true, false]);
    for (const args of commands) expect(() => parseTeardownArgs(args, {})).not.toThrow();
  });

  test('prints, word for word, what its dry-run command prints for the default app', async () => {
    // GIVEN the page's dry-run command, pointed at the freshly synthesized cdk.out
    const dryRun = teardownCommands(shell ?? '').find((args) => args.includes('--dry-run')) as string[];
    let out = '';
    const io = { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (out += `stderr: ${text}`) }, env: {} };
    // WHEN it runs
    expect(await runTeardown([...dryRun, '--cdk-out', cdkOut], io)).toBe(0);
    // THEN the page shows exactly that (update the block from `npm run teardown -- --dry-run` when this fails)
    expect(printed).toBe(out);
  });

  test('package.json runs the script as `npm run teardown`', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.teardown).toBe('tsx scripts/teardown.ts');
  });
});

describe('the page helpers', () => {
  test('fencedBlocks reads the blocks of its own section only, up to the next heading of any level', () => {
    const md = ['### A', '```sh', 'a', '```', '```text', '# b', '```', '### B', '```sh', 'c', '```', ''].join('\n');
    expect(fencedBlocks(md, '### A', 'sh')).toEqual(['a\n']);
    expect(fencedBlocks(md, '### A', 'text')).toEqual(['# b\n']);
    expect(fencedBlocks(md, '### B', 'sh')).toEqual(['c\n']);
    expect(fencedBlocks(md, '### C', 'sh')).toEqual([]);
  });

  test('teardownCommands drops comments and other commands', () => {
    expect(teardownCommands('npx cdk synth   # x\nnpm run teardown -- --stack S --dry-run   # y\nnpm run teardown -- --stack S\n')).toEqual([
      ['--stack', 'S', '--dry-run'],
      ['--stack', 'S'],
    ]);
  });
});
