/**
 * The home-region stack: one PublicBucketGuardrail plus the outputs the CLI reads.
 * Events from other covered regions reach this region's default bus through RegionForwarderStack; in the
 * same account the default bus accepts them without a resource policy.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
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
}

export class GuardrailStack extends Stack {
  readonly guardrail: PublicBucketGuardrail;

  constructor(scope: Construct, id: string, props: GuardrailStackProps = {}) {
    super(scope, id, props);
    // The sweep checks trail coverage in every covered region, unless the caller set the construct's own list.
    const coveredRegions = props.guardrail?.coveredRegions ?? props.coveredRegions;
    this.guardrail = new PublicBucketGuardrail(this, 'Guardrail', {
      ...props.guardrail,
      ...(coveredRegions !== undefined ? { coveredRegions } : {}),
    });

    addGuardrailOutputs(this, this.guardrail, {
      value: (props.coveredRegions ?? [this.region]).join(','),
      description: 'Regions whose events reach the remediator',
    });
  }
}
