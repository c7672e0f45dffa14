import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { LAMBDA_ENTRIES } from '../../lib/lambda-bundling';
import { HANDLER_BUNDLES_DIR, LambdaCodeError, lambdaCodeProps } from '../../lib/lambda-code';

const roots: string[] = [];
/** A package root with the given files, and the module directory a construct would pass (root/lib). */
function packageRoot(files: readonly string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-code-'));
  roots.push(root);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), 'exports.handler = async () => undefined;\n');
  }
  return path.join(root, 'lib');
}
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

describe('lambdaCodeProps', () => {
  it('uses the pre-bundled handler of the installed package as an asset, with the index.handler handler', () => {
    // GIVEN a package root with the bundle (and, as in dist/, no TypeScript source)
    const moduleDir = packageRoot([`${HANDLER_BUNDLES_DIR}/remediate/index.js`]);
    // WHEN
    const props = lambdaCodeProps('remediate', moduleDir);
    // THEN the asset is the bundle's folder
    expect(props.entry).toBeUndefined();
    expect(props.handler).toBe('index.handler');
    const stack = new Stack(new App(), 'Code');
    const config = props.code?.bind(stack);
    expect(config?.s3Location).toBeDefined();
  });

  it('bundles the TypeScript entry in this repository, where no pre-bundled handler sits next to lib/', () => {
    const moduleDir = packageRoot([LAMBDA_ENTRIES.sweepWork]);
    expect(lambdaCodeProps('sweepWork', moduleDir)).toEqual({ entry: path.join(moduleDir, '..', LAMBDA_ENTRIES.sweepWork), handler: 'handler' });
  });

  it('prefers the bundle when both exist, so an installed package never needs esbuild', () => {
    const moduleDir = packageRoot([`${HANDLER_BUNDLES_DIR}/sweepList/index.js`, LAMBDA_ENTRIES.sweepList]);
    expect(lambdaCodeProps('sweepList', moduleDir).handler).toBe('index.handler');
  });

  it('fails with the missing paths and the fix when neither exists', () => {
    const moduleDir = packageRoot([]);
    expect(() => lambdaCodeProps('remediate', moduleDir)).toThrow(LambdaCodeError);
    expect(() => lambdaCodeProps('remediate', moduleDir)).toThrow(/handlers\/remediate\/index\.js.*lambda\/remediate\/handler\.ts.*npm run build/);
  });

  it('resolves the real sources from this repository', () => {
    expect(lambdaCodeProps('remediate', path.join(__dirname, '..', '..', 'lib'))).toMatchObject({ handler: 'handler' });
  });
});
