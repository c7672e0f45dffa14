import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfigError, parseAppConfig } from '../../lib/config';
import { ORGANIZATION_DEFAULTS, type OrganizationConfig } from '../../lib/organization/organization-settings';

const REQUIRED = { organization: 'true', organizationId: 'o-abcdefghij', memberOrganizationalUnits: 'ou-ab12-cdefgh12' } as const;

function problemsOf(context: Record<string, unknown>, env: { defaultRegion?: string } = {}): string[] {
  try {
    parseAppConfig(context, env);
  } catch (error) {
    if (error instanceof AppConfigError) return error.problems.map((p) => `${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected AppConfigError');
}

describe('parseAppConfig organization settings', () => {
  it('leaves organization off by default', () => {
    expect(parseAppConfig({}).organization).toBeUndefined();
    expect(parseAppConfig({ organization: false }).organization).toBeUndefined();
  });

  it('reads the documented offline synth command', () => {
    // GIVEN -c organization=true -c organizationId=o-abcdefghij -c memberOrganizationalUnits=ou-ab12-cdefgh12 -c memberRegions=us-east-1,eu-west-1
    const config = parseAppConfig({ ...REQUIRED, memberRegions: 'us-east-1,eu-west-1' });
    // THEN the organization settings come out typed, with the defaults for the rest
    expect(config.organization).toEqual<OrganizationConfig>({
      organizationId: 'o-abcdefghij',
      memberRegions: ['us-east-1', 'eu-west-1'],
      memberRoleRegion: 'us-east-1',
      memberOrganizationalUnits: ['ou-ab12-cdefgh12'],
      memberRoleName: ORGANIZATION_DEFAULTS.memberRoleName,
      preventive: false,
    });
  });

  it.each<[string, Record<string, unknown>, { defaultRegion?: string }, Partial<OrganizationConfig>]>([
    ['member regions default to the covered regions', { regions: 'us-east-1,ap-southeast-2' }, {}, { memberRegions: ['us-east-1', 'ap-southeast-2'] }],
    ['member regions default to the home region alone', {}, { defaultRegion: 'eu-central-1' }, { memberRegions: ['eu-central-1'], memberRoleRegion: 'eu-central-1' }],
    ['the member role goes to the home region when it is a member region', { memberRegions: 'eu-west-1,us-east-1' }, {}, { memberRoleRegion: 'us-east-1' }],
    ['the member role goes to the first member region otherwise', { memberRegions: 'eu-west-1,eu-central-1' }, {}, { memberRoleRegion: 'eu-west-1' }],
    ['OUs and the root from a JSON array', { memberOrganizationalUnits: ['ou-ab12-cdefgh12', 'r-ab12'] }, {}, { memberOrganizationalUnits: ['ou-ab12-cdefgh12', 'r-ab12'] }],
    ['a delegated administrator from -c', { delegatedAdminAccount: '111122223333' }, {}, { delegatedAdminAccount: '111122223333' }],
    ['a delegated administrator given as a JSON number', { delegatedAdminAccount: 111122223333 }, {}, { delegatedAdminAccount: '111122223333' }],
    ['a custom member role name', { memberRoleName: 'SecurityGuardrail' }, {}, { memberRoleName: 'SecurityGuardrail' }],
    ['the preventive layer with its break-glass role', { preventive: 'true', breakGlassRoleName: 'BreakGlass' }, {}, { preventive: true, breakGlassRoleName: 'BreakGlass' }],
  ])('reads %s', (_title, context, env, expected) => {
    expect(parseAppConfig({ ...REQUIRED, ...context }, env).organization).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no organization ID', { organization: true, memberOrganizationalUnits: 'ou-ab12-cdefgh12' }, /^organizationId: is required with organization=true; for example -c organizationId=o-abcdefghij/],
    ['an account ID as organization ID', { ...REQUIRED, organizationId: '111122223333' }, /^organizationId: "111122223333" is not an organization ID \("o-" and 10-32 lower-case letters or digits\); find yours with aws organizations describe-organization/],
    ['an organization ID in capitals', { ...REQUIRED, organizationId: 'o-ABCDEFGHIJ' }, /^organizationId: "o-ABCDEFGHIJ" is not an organization ID/],
    ['no OU', { organization: 'true', organizationId: 'o-abcdefghij' }, /^memberOrganizationalUnits: is required with organization=true: the OUs \(ou-…\) or the root \(r-…\).*-c memberOrganizationalUnits=ou-ab12-cdefgh12/],
    ['an OU without its root part', { ...REQUIRED, memberOrganizationalUnits: 'ou-cdefgh12' }, /^memberOrganizationalUnits\[0\]: "ou-cdefgh12" is not an OU ID \(ou-xxxx-xxxxxxxx\) or root ID \(r-xxxx\)/],
    ['an account ID as OU', { ...REQUIRED, memberOrganizationalUnits: 'ou-ab12-cdefgh12,111122223333' }, /^memberOrganizationalUnits\[1\]: "111122223333" is not an OU ID/],
    ['a member region that is not a region', { ...REQUIRED, memberRegions: 'us-east-1,europe' }, /^memberRegions\[1\]: "europe" is not an AWS Region code/],
    ['a delegated administrator that is not an account ID', { ...REQUIRED, delegatedAdminAccount: '1111-2222-3333' }, /^delegatedAdminAccount: "1111-2222-3333" is not an AWS account ID \(12 digits\)/],
    ['preventive without a break-glass role', { ...REQUIRED, preventive: true }, /^breakGlassRoleName: is required with preventive=true: .*-c breakGlassRoleName=BreakGlass/],
    ['a break-glass role with a path', { ...REQUIRED, preventive: true, breakGlassRoleName: 'admin/BreakGlass' }, /^breakGlassRoleName: "admin\/BreakGlass" is not an IAM role name without a path/],
    ['the member role as break-glass role', { ...REQUIRED, preventive: true, breakGlassRoleName: ORGANIZATION_DEFAULTS.memberRoleName }, /^breakGlassRoleName: "BucketGuardrailRemediation" is the member role's name/],
    ['organization spelt yes', { ...REQUIRED, organization: 'yes' }, /^organization: "yes" is not true or false/],
    ['an organization setting with organization off', { organizationId: 'o-abcdefghij' }, /^organizationId: is set but organization is off; add -c organization=true for the organization-wide deployment, or remove organizationId/],
    ['preventive with organization off', { preventive: 'true' }, /^preventive: is set but organization is off/],
    ['a misspelt organization key', { ...REQUIRED, memberRegion: 'us-east-1' }, /^memberRegion: is not a setting of this app; did you mean "memberRegions"\?/],
  ])('fails when given %s, naming the value and the fix', (_title, context, message) => {
    const problems = problemsOf(context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every organization problem at once', () => {
    expect(problemsOf({ organization: 'true', organizationId: 'x', memberOrganizationalUnits: 'y', preventive: 'true' }).map((p) => p.split(':')[0])).toEqual([
      'organizationId',
      'memberOrganizationalUnits[0]',
      'breakGlassRoleName',
    ]);
  });

  it('does not report organization keys that are off or empty while organization is off', () => {
    expect(() => parseAppConfig({ organization: 'false', preventive: false, memberRegions: [], memberOrganizationalUnits: '' })).not.toThrow();
  });
});

describe('cdk.json', () => {
  it('states that organization is off by default', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    expect(cdkJson.context.organization).toBe(false);
    expect(parseAppConfig(cdkJson.context).organization).toBeUndefined();
  });
});
