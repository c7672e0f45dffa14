import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { minimumNodeMajor, nodeVersionWarning } from '../../cli/node-version';
import * as packageJson from '../../package.json';

const ROOT = join(__dirname, '..', '..');

describe('engines', () => {
  it('requires Node.js 22, the Lambda runtime and the AWS SDK floor', () => {
    expect(minimumNodeMajor(packageJson.engines.node)).toBe(22);
  });
});

describe('nodeVersionWarning', () => {
  it.each([
    ['20.19.0', '>=22', true],
    ['v20.19.0', '>=22', true],
    ['21.7.3', '>=22.0.0', true],
    ['22.0.0', '>=22', false],
    ['22.12.0', '>= 22', false],
    ['24.1.0', '>=22', false],
    ['20.19.0', '^22 || ^24', false], // not a >=N range: no opinion
  ])('Node.js %s against engines "%s" warns: %s', (running, range, warns) => {
    expect(nodeVersionWarning(running, range) !== undefined).toBe(warns);
  });

  it('is one line naming the running version, the required major and the fix', () => {
    const warning = nodeVersionWarning('20.19.0', '>=22') as string;
    expect(warning).not.toContain('\n');
    expect(warning).toMatch(/^bucket-guardrail: warning: Node\.js 20\.19\.0 is older than the required 22 .*upgrade to Node\.js 22 or later/);
  });
});

describe('the bucket-guardrail binary', () => {
  /** Runs the real binary with process.versions.node reporting `version`. */
  function runAs(version: string): { status: number | null; stdout: string; stderr: string } {
    const script = [
      `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });`,
      `process.argv.splice(1, 0, ${JSON.stringify(join(ROOT, 'cli', 'bucket-guardrail.cjs'))});`,
      `require(process.argv[1]);`,
    ].join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const result = spawnSync(process.execPath, ['-e', script, 'explain', join(ROOT, 'examples', 'all.json')], { cwd: ROOT, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('prints one warning line on Node.js 20 and still runs the command', () => {
    const { status, stdout, stderr } = runAs('20.19.0');
    expect(stderr.split('\n').filter((line) => line.includes('warning: Node.js'))).toEqual([
      expect.stringMatching(/^bucket-guardrail: warning: Node\.js 20\.19\.0 is older than the required 22/),
    ]);
    expect(stdout).toContain('PUBLIC');
    expect(status).toBe(1); // explain: 1 = at least one snapshot is public
  }, 60_000);

  it('prints no warning on Node.js 22', () => {
    const { stdout, stderr } = runAs('22.12.0');
    expect(stderr).not.toContain('warning: Node.js');
    expect(stdout).toContain('PUBLIC');
  }, 60_000);
});
