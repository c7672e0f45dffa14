/**
 * aws:PrincipalOrgPaths with a wildcard after a fixed organization ID (`o-…/r-…/ou-…/*`, the form of AWS's
 * examples): the statement is limited to principals of that organization, like a fixed aws:PrincipalOrgID,
 * so it is not public. Decision documented in lambda/shared/exposure/conditions.ts (RESTRICTING_CONDITION_KEYS).
 */
import { evaluateExposure } from '../../../../lambda/shared/exposure';
import { BUCKET, OBJECTS_ARN } from './case-helper';

const OU_PATH = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*';

function readFor(condition: Record<string, unknown>, extra: unknown[] = []) {
  return evaluateExposure({
    bucket: BUCKET,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN, Condition: condition }, ...extra],
    }),
  });
}

describe('aws:PrincipalOrgPaths with a fixed organization and a wildcard path', () => {
  it.each([
    ['ForAnyValue:StringLike', OU_PATH],
    ['ForAnyValue:StringLike', [OU_PATH, 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*']],
    ['ForAnyValue:StringLike', 'o-a1b2c3d4e5/*'],
    ['StringLike', OU_PATH],
    ['forAnyValue:stringlike', 'o-a1b2c3d4e5/r-ab12/ou-ab12-1111????/*'],
  ])('%s %j limits the statement to one organization: not public', (operator, value) => {
    const report = readFor({ [operator]: { 'aws:PrincipalOrgPaths': value } });
    expect(report.policyIsPublic).toBe(false);
    expect(report.public).toBe(false);
    expect(report.findings).toEqual([]);
  });

  it.each([
    ['ForAnyValue:StringLike', 'o-*', /does not begin with a fixed organization ID/],
    ['ForAnyValue:StringLike', '*', /does not begin with a fixed organization ID/],
    ['ForAnyValue:StringLike', 'o-a1b2c3d4e5*', /does not begin with a fixed organization ID/],
    ['ForAnyValue:StringLike', [OU_PATH, 'o-*/r-*/*'], /does not begin with a fixed organization ID/],
    ['ForAnyValue:StringLike', 'o-a1b2c3d4e5/${aws:username}/*', /policy variable/],
    ['ForAllValues:StringLike', OU_PATH, /ForAllValues passes when the request has no aws:PrincipalOrgPaths/],
    ['ForAnyValue:StringLikeIfExists', OU_PATH, /also passes when the request has no aws:PrincipalOrgPaths/],
    ['StringEquals', OU_PATH, /contains a wildcard/],
  ])('%s %j stays public', (operator, value, why) => {
    const report = readFor({ [operator]: { 'aws:PrincipalOrgPaths': value } });
    expect(report.public).toBe(true);
    expect(report.findings[0]?.why).toMatch(why);
  });

  it('a Deny with StringNotLike outside a fixed organization path takes public access away', () => {
    const report = readFor({}, [
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: OBJECTS_ARN, Condition: { StringNotLike: { 'aws:PrincipalOrgPaths': OU_PATH } } },
    ]);
    // The Allow has an empty Condition object: public on its own; the Deny removes read for every public caller
    expect(report.access).toEqual([]);
  });
});
