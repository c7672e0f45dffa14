/**
 * The decision: is the bucket public, on the engine's word and S3's second opinion. Pure.
 *
 * S3's GetBucketPolicyStatus judges the bucket policy alone, like the engine's `policyIsPublic`. When S3 says
 * the policy is public and the engine does not, the guardrail trusts S3 (treats the bucket as public unless
 * RestrictPublicBuckets already neutralises any public policy), and the disagreement is logged and counted.
 * When S3 gives no answer, the engine decides alone.
 */
import type { AuditVerdict, S3PolicyStatusAnswer } from '../shared/audit/record';
import type { ExposureReport, PublicAccessBlock } from '../shared/exposure/types';

export interface PolicyStatusReading {
  readonly answer: S3PolicyStatusAnswer;
  /** Why S3 gave no answer (`unavailable`). */
  readonly detail?: string;
}

export function combineVerdict(
  report: ExposureReport,
  policyStatus: PolicyStatusReading,
  sensitiveTags: readonly string[],
): AuditVerdict {
  let disagreement: string | undefined;
  let publicByS3 = false;
  if (policyStatus.answer === 'public' && !report.policyIsPublic) {
    disagreement = 'S3 reports the bucket policy as public; the engine does not. Treated as public.';
    publicByS3 = !report.effectiveBlock.RestrictPublicBuckets;
  } else if (policyStatus.answer === 'not-public' && report.policyIsPublic) {
    disagreement = 'The engine finds the bucket policy public; S3 does not. The engine decides.';
  } else if (policyStatus.answer === 'no-policy' && report.policyIsPublic) {
    disagreement = 'The engine finds a public bucket policy; S3 reports no policy (changed between reads?). The engine decides.';
  }
  return {
    public: report.public || publicByS3,
    access: report.access,
    engine: report,
    s3PolicyStatus: policyStatus.answer,
    ...(policyStatus.detail !== undefined ? { s3PolicyStatusDetail: policyStatus.detail } : {}),
    ...(disagreement !== undefined ? { disagreement } : {}),
    sensitiveTags,
  };
}

/** All four Block Public Access settings on. */
export const ALL_BLOCKED: Required<PublicAccessBlock> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export function allFourOn(block: PublicAccessBlock | null | undefined): boolean {
  return (
    block?.BlockPublicAcls === true &&
    block.IgnorePublicAcls === true &&
    block.BlockPublicPolicy === true &&
    block.RestrictPublicBuckets === true
  );
}

/** The settings that are off (or missing), in AWS's order. */
export function settingsOff(block: PublicAccessBlock | null | undefined): (keyof PublicAccessBlock)[] {
  return (Object.keys(ALL_BLOCKED) as (keyof PublicAccessBlock)[]).filter((key) => block?.[key] !== true);
}
