/**
 * The `vpc` and `vpcEndpoints` context keys: what they parse to, and the rules that tie them to the other keys
 * (home region only for a created VPC, an account for a lookup, single-account only).
 */
import { AppConfigError, parseAppConfig } from '../../lib/config';
import { guardrailPropsFrom } from '../../lib/guardrail-app';

function problemsOf(context: Record<string, unknown>, env: { defaultRegion?: string; defaultAccount?: string } = {}): string[] {
  try {
    parseAppConfig(context, env);
  } catch (error) {
    if (error instanceof AppConfigError) return error.problems.map((p) => `${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected AppConfigError');
}

describe('context vpc', () => {
  it.each<[string, Record<string, unknown>, { defaultAccount?: string }, Record<string, unknown>]>([
    ['is off by default, with no account pinned', {}, { defaultAccount: '111122223333' }, { vpc: undefined, vpcEndpoints: true, account: undefined }],
    ['is off when set to false in cdk.json', { vpc: false }, {}, { vpc: undefined }],
    ['reads create', { vpc: 'create' }, {}, { vpc: { create: true }, vpcEndpoints: true, account: undefined }],
    ['reads create with the endpoints off', { vpc: 'create', vpcEndpoints: 'false' }, {}, { vpc: { create: true }, vpcEndpoints: false }],
    [
      'reads a 17-digit VPC ID and pins the account a lookup needs',
      { vpc: 'vpc-0123456789abcdef0' },
      { defaultAccount: '111122223333' },
      { vpc: { vpcId: 'vpc-0123456789abcdef0' }, account: '111122223333' },
    ],
    ['reads an 8-digit VPC ID', { vpc: 'vpc-0123abcd' }, { defaultAccount: '111122223333' }, { vpc: { vpcId: 'vpc-0123abcd' } }],
    ['lets a looked-up VPC cover other regions (it may route there)', { vpc: 'vpc-0123abcd', regions: 'us-east-1,eu-west-1' }, { defaultAccount: '111122223333' }, { regions: ['us-east-1', 'eu-west-1'] }],
  ])('%s', (_title, context, env, expected) => {
    const config = parseAppConfig(context, env) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect({ key, value: config[key] }).toEqual({ key, value });
  });

  it.each<[string, Record<string, unknown>, { defaultAccount?: string }, RegExp]>([
    ['neither create nor a VPC ID', { vpc: 'default' }, {}, /^vpc: "default" is neither "create" nor a VPC ID; use -c vpc=create \(a new isolated VPC\) or -c vpc=vpc-0123456789abcdef0/],
    ['a VPC ID in capitals', { vpc: 'vpc-0123ABCD' }, {}, /^vpc: "vpc-0123ABCD" is neither "create" nor a VPC ID/],
    ['a number', { vpc: 1 }, {}, /^vpc: 1 is not a string/],
    ['a VPC ID with no account to look it up in', { vpc: 'vpc-0123abcd' }, {}, /^vpc: looking up vpc-0123abcd needs the account, and CDK_DEFAULT_ACCOUNT is not set: run cdk synth with AWS credentials for the account, or use -c vpc=create$/],
    ['a VPC ID with an account that is not one', { vpc: 'vpc-0123abcd' }, { defaultAccount: 'unknown' }, /CDK_DEFAULT_ACCOUNT is "unknown"/],
    [
      'create with other regions',
      { vpc: 'create', regions: 'us-east-1,eu-west-1' },
      {},
      /^vpc: "create" makes an isolated VPC whose endpoints serve us-east-1 only, but regions also names eu-west-1, .*use -c vpc=<VPC ID> of a VPC that routes to those regions/,
    ],
    ['vpcEndpoints without vpc', { vpcEndpoints: 'false' }, {}, /^vpcEndpoints: is set but vpc is not; add -c vpc=create/],
    ['vpcEndpoints that is not a boolean', { vpc: 'create', vpcEndpoints: 'some' }, {}, /^vpcEndpoints: "some" is not true or false/],
  ])('fails on %s, saying the fix', (_title, context, env, message) => {
    const problems = problemsOf(context, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('is refused with organization=true', () => {
    const problems = problemsOf({ vpc: 'create', organization: 'true', organizationId: 'o-abcdefghij', memberOrganizationalUnits: 'ou-ab12-cdefgh12' });
    expect(problems).toEqual(['vpc: is not supported with organization=true yet (the member-role calls need STS and Organizations endpoints); remove vpc']);
  });

  it('passes vpcEndpoints to the construct only with a vpc (the stack creates or looks up the VPC itself)', () => {
    expect(guardrailPropsFrom(parseAppConfig({ vpc: 'create', vpcEndpoints: 'false' })).vpcEndpoints).toBe(false);
    expect('vpcEndpoints' in guardrailPropsFrom(parseAppConfig({}))).toBe(false);
  });
});
