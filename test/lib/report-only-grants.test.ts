/**
 * Report-only mode changes nothing, so neither the remediator nor the sweep worker (nor, organization-wide, the
 * member role) may hold an S3 write: no s3:PutBucketPublicAccessBlock, no strip actions, no account-level write,
 * whatever the strategy and enforceAccountBlockPublicAccess say.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { PublicBucketGuardrail } from '../../lib/public-bucket-guardrail';
import {
  ACCOUNT_ENFORCE_ACTIONS,
  ACCOUNT_READ_ACTIONS,
  BUCKET_CONTAIN_ACTIONS,
  BUCKET_READ_ACTIONS,
  BUCKET_STRIP_ACTIONS,
  ACCESS_POINT_STRIP_ACTIONS,
  remediatorS3Actions,
} from '../../lib/remediator-permissions';
import { grantLines, logicalIdOf, newTestApp } from './stack-test-helpers';

/** Every S3 action that changes a bucket or the account setting. */
const S3_WRITES = [...BUCKET_CONTAIN_ACTIONS, ...BUCKET_STRIP_ACTIONS, ...ACCOUNT_ENFORCE_ACTIONS, ...ACCESS_POINT_STRIP_ACTIONS];

describe('remediatorS3Actions', () => {
  it.each([
    ['block-public-access', false],
    ['strip-public-grants', true],
  ] as const)('report-only with %s (enforce account BPA: %s) gets the reads only', (strategy, enforceAccountBlockPublicAccess) => {
    const actions = remediatorS3Actions({ mode: 'report-only', strategy, enforceAccountBlockPublicAccess });
    expect(actions).toEqual(expect.objectContaining({ bucketActions: [...BUCKET_READ_ACTIONS], accountActions: [...ACCOUNT_READ_ACTIONS] }));
    // The access point lists (issue 16) are reads in every mode: Get and List only.
    const accessPointActions = [...(actions.accessPointListActions ?? []), ...(actions.accessPointActions ?? []), ...(actions.multiRegionAccessPointActions ?? []), ...(actions.objectLambdaActions ?? [])];
    expect(accessPointActions.length).toBeGreaterThan(0);
    expect(accessPointActions.filter((action) => !/^s3:(Get|List)/.test(action))).toEqual([]);
    // No access point policy write either (issue 16 item 3: strip mode only)
    expect(actions.accessPointWriteActions).toEqual([]);
  });

  it.each([
    ['enforce', 'strip-public-grants', [...ACCESS_POINT_STRIP_ACTIONS]],
    ['enforce', 'block-public-access', []],
    ['report-only', 'strip-public-grants', []],
  ] as const)('%s with %s may write access point policies: %j', (mode, strategy, expected) => {
    const actions = remediatorS3Actions({ mode, strategy, enforceAccountBlockPublicAccess: false, regions: ['eu-west-1'] });
    expect(actions.accessPointWriteActions).toEqual(expected);
    expect(actions.accessPointWriteRegions).toEqual(expected.length > 0 ? ['eu-west-1'] : undefined);
  });

  it('enforce keeps containment, the strip actions and the account write when asked (and is the default)', () => {
    const settings = { strategy: 'strip-public-grants', enforceAccountBlockPublicAccess: true } as const;
    const expected = {
      bucketActions: [...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS, ...BUCKET_STRIP_ACTIONS],
      accountActions: [...ACCOUNT_READ_ACTIONS, ...ACCOUNT_ENFORCE_ACTIONS],
    };
    expect(remediatorS3Actions({ ...settings, mode: 'enforce' })).toEqual(expect.objectContaining(expected));
    expect(remediatorS3Actions(settings)).toEqual(expect.objectContaining(expected));
  });
});

describe('PublicBucketGuardrail in report-only mode', () => {
  it('grants neither the remediator nor the sweep worker any S3 write', () => {
    // GIVEN report-only, with the settings that would otherwise add every write
    const stack = new Stack(newTestApp(), 'ReportOnly', { env: { region: 'eu-west-1' } });
    const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', {
      remediationMode: 'report-only',
      remediationStrategy: 'strip-public-grants',
      enforceAccountBlockPublicAccess: true,
    });
    // WHEN synthesized
    const template = Template.fromStack(stack);
    const grantsOf = (role: iam.IRole): string[] => {
      const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(role as iam.Role) }] } });
      return Object.values(policies).flatMap((policy) => grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument));
    };
    const s3ActionsOf = (role: iam.IRole): string[] => grantsOf(role).map((line) => line.split(' ')[1] ?? '').filter((action) => action.startsWith('s3:'));
    // THEN both hold the reads they need to report, and no write
    for (const role of [guardrail.remediator.role, guardrail.sweep!.workerRole]) {
      const actions = s3ActionsOf(role);
      expect(actions).toEqual(expect.arrayContaining([...BUCKET_READ_ACTIONS, ...ACCOUNT_READ_ACTIONS]));
      expect(actions.filter((action) => (S3_WRITES as readonly string[]).includes(action))).toEqual([]);
    }
    // AND the remediator's only S3 write is its own audit archive copy (s3:PutObject under audit/, with the
    // s3:PutObjectRetention S3 requires to write it under the archive's lock)
    expect(s3ActionsOf(guardrail.remediator.role).filter((action) => !/^s3:(Get|List)/.test(action))).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
  });
});
