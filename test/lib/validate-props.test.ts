import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { GUARDRAIL_DEFAULTS } from '../../lib/defaults';
import { GuardrailPropsError, type PublicBucketGuardrailProps } from '../../lib/guardrail-props';
import { validateProps } from '../../lib/validate-props';

/** The GuardrailPropsError validateProps throws for `props` (fails the test when it throws nothing or another error). */
function propsError(props: PublicBucketGuardrailProps): GuardrailPropsError {
  try {
    validateProps(props);
  } catch (error) {
    if (error instanceof GuardrailPropsError) return error;
    throw error;
  }
  throw new Error('validateProps accepted the props');
}

describe('validateProps', () => {
  it('applies the documented defaults to empty props', () => {
    const validated = validateProps({});
    expect(validated).toMatchObject({
      mode: GUARDRAIL_DEFAULTS.remediationMode,
      strategy: GUARDRAIL_DEFAULTS.remediationStrategy,
      exemptions: [],
      alertEmails: [],
      auditRetentionDays: GUARDRAIL_DEFAULTS.auditRetentionDays,
      logRetention: logs.RetentionDays.ONE_YEAR,
      reservedConcurrency: GUARDRAIL_DEFAULTS.reservedConcurrency,
      removalPolicy: RemovalPolicy.RETAIN,
      auditArchiveLockMode: 'COMPLIANCE',
      deliveries: { securityHub: false },
    });
    expect(validated.network).toBeUndefined();
    expect(validated.coveredRegions).toBeUndefined();
  });

  it.each<[string, PublicBucketGuardrailProps, string, RegExp]>([
    ['an unknown mode', { remediationMode: 'fix-it' as never }, 'remediationMode', /"fix-it" is not one of 'enforce', 'report-only'/],
    ['a bad e-mail address', { alertEmails: ['oncall@example.com', 'not-an-address'] }, 'alertEmails[1]', /not-an-address/],
    ['an audit retention in part days', { auditRetention: Duration.hours(36) }, 'auditRetention', /not whole days/],
    ['logs kept forever', { logRetention: logs.RetentionDays.INFINITE }, 'logRetention', /INFINITE keeps logs forever/],
    ['an unsupported removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, 'removalPolicy', /use RemovalPolicy.RETAIN .* or RemovalPolicy.DESTROY/],
    ['an unknown archive lock mode', { auditArchiveLockMode: 'LEGAL_HOLD' as never }, 'auditArchiveLockMode', /"LEGAL_HOLD" is not one of 'COMPLIANCE', 'GOVERNANCE', 'NONE'/],
    ['a region that does not exist', { coveredRegions: ['us-east-1', 'mars-north-1'] }, 'coveredRegions[1]', /mars-north-1/],
    ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'vpcSubnets', /without vpc/],
  ])('refuses %s, naming the prop', (_name, props, prop, message) => {
    const error = propsError(props);
    expect(error.prop).toBe(prop);
    expect(error.message).toMatch(new RegExp(`^PublicBucketGuardrail ${prop.replace(/[[\]]/g, '\\$&')}: `));
    expect(error.message).toMatch(message);
  });

  it('places the functions in a VPC with endpoints unless told the VPC has them, and refuses a VPC with crossAccount', () => {
    const vpc = new ec2.Vpc(new Stack(), 'Vpc');
    expect(validateProps({ vpc }).network).toEqual({ vpc, endpoints: true });
    expect(validateProps({ vpc, vpcEndpoints: false }).network).toEqual({ vpc, endpoints: false });
    const error = propsError({ vpc, crossAccount: { memberRoleName: 'BucketGuardrailMember', organizationId: 'o-abcdefghij' } });
    expect(error.prop).toBe('vpc');
  });
});
