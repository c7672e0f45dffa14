import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandArgs } from '../../cli/command';
import { hintFor } from '../../cli/hints';
import { UsageError } from '../../cli/io';
import { main, usage } from '../../cli/main';
import { COMMAND_SPECS, EXEMPT_SPEC } from '../../cli/specs';
import { memoryIo } from './cli-io';

/** Issue 14.3 (one preamble, no import circle) and issue 12.9 (help, usage, error hints). */
describe('every command answers --help with exit 0', () => {
  test.each(COMMAND_SPECS.map((spec) => [spec.name]))('%s answers --help and -h with the usage on stdout, exit 0, nothing on stderr', async (name) => {
    for (const flag of ['--help', '-h']) {
      // GIVEN no AWS configuration at all WHEN asked for help THEN the usage, exit 0, and no AWS call
      const io = memoryIo();
      expect(await main([name, flag], io)).toBe(0);
      expect(io.out()).toContain(`usage: bucket-guardrail ${name}`);
      expect(io.out()).toContain('-h, --help');
      expect(io.err()).toBe('');
    }
  });

  test('--help wins over missing positionals (explain --help needs no file)', async () => {
    const io = memoryIo();
    expect(await main(['explain', '--help'], io)).toBe(0);
    expect(io.out()).toContain('<file|->');
  });
});

describe('the top-level usage', () => {
  const EVERY_OPTION = [
    '--json', '--region', '--fix', '--yes', '--strategy', '--concurrency', '--stack', '--stack-region', '--cdk-json',
    '--since', '--until', '--bucket', '--outcome', '--actor', '--format', '--out',
    '--table', '--archive-bucket', '--exemptions-table', '--expires', '--reason', '--owner', '--force',
  ];
  test.each(EVERY_OPTION)('lists %s', (option) => {
    expect(usage()).toMatch(new RegExp(`\\[${option}( [^\\]]+)?\\]`));
  });

  test('lists every option of every command on that command\'s lines, and each command\'s help explains it', async () => {
    for (const spec of COMMAND_SPECS) {
      const block = usage().split('\n  bucket-guardrail ').find((part) => part.startsWith(`${spec.name} `) || part.startsWith(`${spec.name}\n`)) ?? '';
      const io = memoryIo();
      await main([spec.name, '--help'], io);
      for (const option of Object.keys(spec.options)) {
        expect({ command: spec.name, option, inUsage: block.includes(`[--${option}`), inHelp: io.out().includes(`--${option}`) }).toEqual({ command: spec.name, option, inUsage: true, inHelp: true });
      }
    }
  });
});

describe('the shared preamble', () => {
  test('counts positionals against the spec and names the surplus', () => {
    expect(() => parseCommandArgs(EXEMPT_SPEC, ['a', 'b'])).toThrow(new RegExp('exempt takes one bucket or glob, got 2'));
    expect(() => parseCommandArgs(EXEMPT_SPEC, [])).toThrow(UsageError);
    expect(parseCommandArgs(EXEMPT_SPEC, ['site-*', '--force']).values.force).toBe(true);
  });

  test('an unknown flag is a usage error through main (exit 2) with the command\'s usage', async () => {
    const io = memoryIo();
    expect(await main(['verify', '--frobnicate'], io)).toBe(2);
    expect(io.err()).toMatch(/Unknown option '--frobnicate'[\s\S]*usage: bucket-guardrail verify/);
  });

  test('no command module imports cli/main (no import circle)', () => {
    const dir = join(__dirname, '..', '..', 'cli', 'commands');
    for (const file of readdirSync(dir)) {
      expect({ file, importsMain: /from '\.\.\/main'/.test(readFileSync(join(dir, file), 'utf8')) }).toEqual({ file, importsMain: false });
    }
  });
});

describe('error hints name the real cause', () => {
  const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };
  test.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 4566 }), /connection refused by 127\.0\.0\.1:4566 \(AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:4566\): is the emulator or endpoint running\?/],
    ['connection refused, wrapped', new Error('cannot read the outputs', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 4566 }) }), /connection refused by 127\.0\.0\.1:4566/],
    ['no region', new Error('Region is missing'), /no AWS region: set AWS_REGION/],
    ['table not found', Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }), /the table does not exist in region eu-west-1/],
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /no AWS credentials/],
  ])('%s', (_, error, hint) => {
    expect(hintFor(error, { env, region: 'eu-west-1' })).toMatch(hint);
  });

  test('an error with no known cause gets no hint', () => {
    expect(hintFor(new Error('AccessDenied'), { env: {} })).toBeUndefined();
  });

  test('main prints the hint after the message', async () => {
    // GIVEN no region anywhere WHEN a command needs the stack THEN the message names the region problem
    const io = memoryIo({ env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' } });
    expect(await main(['exemptions', 'list'], io)).toBe(2);
    expect(io.err()).toMatch(/looked in no region: set AWS_REGION or pass --region/);
  });
});
