import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README is a front page: short, linking every docs/ page, and its construct example is the file the
 * consumer smoke test (scripts/consumer-smoke.sh) compiles, so the example a reader copies is known to build.
 */
const ROOT = join(__dirname, '..', '..');
const README_PATH = join(ROOT, 'README.md');
const EXAMPLE_PATH = join(ROOT, 'examples', 'construct-app.ts');
const MAX_README_LINES = 250;
const EXAMPLE_HEADING = '## Use the construct in your own app';

/** The body of the first fenced block with `language` in the section under `heading` (undefined if none). */
export function fencedBlockUnder(markdown: string, heading: string, language: string): string | undefined {
  const start = markdown.split('\n').findIndex((line) => line.trim() === heading);
  if (start < 0) return undefined;
  const lines = markdown.split('\n').slice(start + 1);
  const end = lines.findIndex((line) => line.startsWith('## '));
  const section = (end < 0 ? lines : lines.slice(0, end)).join('\n');
  const match = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm').exec(section);
  return match?.[1];
}

/** The docs pages a markdown text links to (relative `docs/x.md` links, anchors ignored). */
export function linkedDocsPages(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/\]\((?:\.\/)?docs\/([^)#\s]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1]));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces → '-'. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

describe('README front page', () => {
  const readme = readFileSync(README_PATH, 'utf8');

  test('the construct example is word for word examples/construct-app.ts', () => {
    // GIVEN the README's example block and the file the consumer smoke test compiles
    const block = fencedBlockUnder(readme, EXAMPLE_HEADING, 'ts');
    const example = readFileSync(EXAMPLE_PATH, 'utf8');

    // THEN they are identical (change both together)
    expect(block).toBeDefined();
    expect(block).toBe(example);
  });

  test('links every page under docs/', () => {
    const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const linked = linkedDocsPages(readme);

    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  test('every docs/ link with an anchor names a heading of that page', () => {
    const links = [...readme.matchAll(/\]\(docs\/([^)#\s]+\.md)#([^)\s]+)\)/g)].map((m) => ({ page: m[1], anchor: m[2] }));
    const broken = links.filter(({ page, anchor }) => {
      const headings = readFileSync(join(ROOT, 'docs', page), 'utf8')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => headingAnchor(line.replace(/^#+ /, '')));
      return !headings.includes(anchor);
    });

    expect(links.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  test(`stays at most ${MAX_README_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });
});

describe('the helpers read what they claim to read', () => {
  test('fencedBlockUnder finds the block of its own section only', () => {
    const md = ['## A', '```ts', 'a();', '```', '## B', 'text', '```ts', 'b();', '```', ''].join('\n');
    expect(fencedBlockUnder(md, '## A', 'ts')).toBe('a();\n');
    expect(fencedBlockUnder(md, '## B', 'ts')).toBe('b();\n');
    expect(fencedBlockUnder(md, '## C', 'ts')).toBeUndefined();
    expect(fencedBlockUnder('## A\ntext\n## B\n```ts\nb();\n```\n', '## A', 'ts')).toBeUndefined();
  });

  test('headingAnchor follows GitHub for punctuation and code spans', () => {
    expect(headingAnchor('Runbook: what to do with each outcome')).toBe('runbook-what-to-do-with-each-outcome');
    expect(headingAnchor('On demand: `bucket-guardrail scan`')).toBe('on-demand-bucket-guardrail-scan');
    expect(headingAnchor('The sweep: every bucket, on a schedule')).toBe('the-sweep-every-bucket-on-a-schedule');
  });

  test('linkedDocsPages reads relative links with and without anchors', () => {
    const md = '[a](docs/a.md) [b](./docs/b.md#x) [c](https://example.com/docs/c.md) [d](docs/d.txt)';
    expect([...linkedDocsPages(md)].sort()).toEqual(['a.md', 'b.md']);
  });
});
