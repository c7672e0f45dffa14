/**
 * The home-region stack: one PublicBucketGuardrail plus the outputs the CLI reads.
 * Events from other covered regions reach this region's default bus through RegionForwarderStack; in the
 * same account the default bus accepts them without a resource policy.
 */
import { Annotations, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { checkVpcId, type VpcSetting } from './config-structured-readers';
import { newIsolatedVpc } from './guardrail-network';
import { GuardrailPropsError } from './guardrail-props';
import { PublicBucketGuardrail, type PublicBucketGuardrailProps } from './public-bucket-guardrail';
import { addGuardrailOutputs } from './guardrail-outputs';

export interface GuardrailStackProps extends StackProps {
  /**
   * Settings of the guardrail construct.
   * @default - the construct's defaults
   */
  readonly guardrail?: PublicBucketGuardrailProps;

  /**
   * Every region whose exposure events reach this stack (this stack's region included), for the outputs.
   * @default - this stack's region only
   */
  readonly coveredRegions?: readonly string[];

  /**
   * The VPC the guardrail's functions run in (context `vpc`): `{ create: true }` creates one for them (`Vpc`:
   * isolated subnets in two Availability Zones, no NAT gateway, flow logs to an encrypted log group);
   * `{ vpcId }` looks an existing one up at synth (`Vpc.fromLookup`, which needs a concrete `env.account`; until the
   * CLI has looked it up, the functions stay outside the placeholder VPC and a warning says so).
   * Passed to the construct as `vpc`; do not also set `guardrail.vpc`.
   * @default - the functions run outside any VPC
   */
  readonly vpc?: VpcSetting;
}

export class GuardrailStack extends Stack {
  readonly guardrail: PublicBucketGuardrail;
  /** The VPC of the functions, when `vpc` is set. */
  readonly vpc?: ec2.IVpc;

  constructor(scope: Construct, id: string, props: GuardrailStackProps = {}) {
    super(scope, id, props);
    // The sweep checks trail coverage in every covered region, unless the caller set the construct's own list.
    const coveredRegions = props.guardrail?.coveredRegions ?? props.coveredRegions;
    if (props.vpc !== undefined && props.guardrail?.vpc !== undefined) {
      throw new GuardrailPropsError('vpc', 'is set both on the stack (vpc) and on the construct (guardrail.vpc); set one');
    }
    if (props.vpc !== undefined && 'vpcId' in props.vpc) {
      const lookedUp = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpc.vpcId });
      if (checkVpcId(lookedUp.vpcId) === undefined) {
        this.vpc = lookedUp;
      } else {
        // The lookup is not in the context yet: the CDK answers with a placeholder VPC (whose IDs CloudFormation
        // validation refuses) and records the lookup as missing. The CDK CLI then looks the VPC up, caches it in
        // cdk.context.json and runs the app again; this first pass only has to finish, so the functions stay out of
        // the placeholder.
        Annotations.of(this).addWarningV2(
          'bucket-guardrail:vpcLookupPending',
          `VPC ${props.vpc.vpcId} is not looked up yet: the CDK CLI looks it up with your credentials and synthesizes again. This template (functions outside the VPC) is not deployable as it is.`,
        );
      }
    } else if (props.vpc !== undefined) {
      this.vpc = newIsolatedVpc(this, 'Vpc', {
        flowLogRetention: props.guardrail?.logRetention ?? logs.RetentionDays.ONE_YEAR,
        ...(props.guardrail?.removalPolicy === RemovalPolicy.DESTROY ? { removalPolicy: RemovalPolicy.DESTROY } : {}),
      });
    }
    // vpcEndpoints goes with the VPC: not while a lookup is pending (the construct refuses it without a vpc).
    const { vpcEndpoints, ...guardrail } = props.guardrail ?? {};
    const keepEndpoints = vpcEndpoints !== undefined && (this.vpc !== undefined || props.vpc === undefined);
    this.guardrail = new PublicBucketGuardrail(this, 'Guardrail', {
      ...guardrail,
      ...(coveredRegions !== undefined ? { coveredRegions } : {}),
      ...(this.vpc !== undefined ? { vpc: this.vpc } : {}),
      ...(keepEndpoints ? { vpcEndpoints } : {}),
    });

    addGuardrailOutputs(this, this.guardrail, {
      value: (props.coveredRegions ?? [this.region]).join(','),
      description: 'Regions whose events reach the remediator',
    });
  }
}
