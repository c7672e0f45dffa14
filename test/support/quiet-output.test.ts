import { join } from 'node:path';
import { CDK_BUNDLING_PROGRESS_LINE, dropCdkBundlingProgress } from './quiet-output';
import { skipTitle } from './skip';

// The reporter is CommonJS (Jest loads reporters without ts-jest).
const { summariseSkips } = require('./skip-summary-reporter.cjs') as {
  summariseSkips: (results: unknown[], rootDir: string) => { file: string; reason: string; count: number }[];
};

describe('dropCdkBundlingProgress', () => {
  function fakeStream(): { stream: NodeJS.WriteStream; written: string[] } {
    const written: string[] = [];
    const stream = { write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
    return { stream, written };
  }

  it('drops only the CDK progress line and passes every other write through', () => {
    // GIVEN
    const { stream, written } = fakeStream();
    dropCdkBundlingProgress(stream);
    // WHEN
    stream.write('Bundling asset Test0/Guardrail/Remediate/Code/Stage...\n');
    stream.write('✘ [ERROR] Could not resolve "./missing"\n');
    stream.write('Bundling asset failed: see above\n');
    stream.write(Buffer.from('Bundling asset Test0/X/Code/Stage...\n') as unknown as string);
    // THEN
    expect(written).toEqual(['✘ [ERROR] Could not resolve "./missing"\n', 'Bundling asset failed: see above\n', expect.any(Buffer)]);
  });

  it('wraps a stream once however many test files run in the worker', () => {
    const { stream, written } = fakeStream();
    dropCdkBundlingProgress(stream);
    const once = stream.write;
    dropCdkBundlingProgress(stream);
    expect(stream.write).toBe(once);
    stream.write('kept\n');
    expect(written).toEqual(['kept\n']);
  });

  it('matches the exact line aws-cdk-lib writes', () => {
    expect(CDK_BUNDLING_PROGRESS_LINE.test('Bundling asset BucketGuardrail/Guardrail/Sweep/Worker/Code/Stage...\n')).toBe(true);
    expect(CDK_BUNDLING_PROGRESS_LINE.test('Bundling asset ...\n')).toBe(false);
  });

  it('turns off the AWS SDK Node.js version notice for the tests', () => {
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });
});

describe('summariseSkips', () => {
  const root = '/repo';
  const file = (path: string, tests: { status: string; title: string; ancestorTitles?: string[] }[]): unknown => ({
    testFilePath: join(root, path),
    testResults: tests.map((test) => ({ ancestorTitles: [], ...test })),
  });

  it('lists skipped tests per file with the reason their describe gave', () => {
    // GIVEN a skipped browser suite of two tests, a passing file and a bare it.skip
    const results = [
      file('test/cli/audit-html.test.ts', [
        { status: 'pending', title: 'renders', ancestorTitles: [skipTitle('audit in Chromium', 'needs Chromium at /usr/bin/chromium')] },
        { status: 'pending', title: 'filters', ancestorTitles: [skipTitle('audit in Chromium', 'needs Chromium at /usr/bin/chromium')] },
      ]),
      file('test/cli/scan.test.ts', [{ status: 'passed', title: 'scans' }]),
      file('test/x.test.ts', [{ status: 'pending', title: 'later' }, { status: 'todo', title: 'one day' }]),
    ];
    // WHEN / THEN
    expect(summariseSkips(results, root)).toEqual([
      { file: 'test/cli/audit-html.test.ts', reason: 'needs Chromium at /usr/bin/chromium', count: 2 },
      { file: 'test/x.test.ts', reason: 'no reason given', count: 1 },
      { file: 'test/x.test.ts', reason: 'todo', count: 1 },
    ]);
  });

  it('is empty when nothing was skipped', () => {
    expect(summariseSkips([file('test/a.test.ts', [{ status: 'passed', title: 'a' }, { status: 'failed', title: 'b' }])], root)).toEqual([]);
  });
});
