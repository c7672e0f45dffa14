/**
 * One helper drives every table of exposure cases: it builds the snapshot from a base plus the case's
 * overrides, evaluates it, and compares the verdict and the findings (source, index, access,
 * neutralisedBy) with what the AWS documentation says.
 */
import {
  ACCESS_LEVELS,
  type AccessLevel,
  type BucketSnapshot,
  type ExposureReport,
  type Finding,
  type Neutraliser,
  evaluateExposure,
} from '../../../../lambda/shared/exposure';

export const BUCKET = 'amzn-s3-demo-bucket';
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const OBJECTS_ARN = `${BUCKET_ARN}/*`;
export const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

/** AWS documentation pages the cases are written from. */
export const DOCS = {
  blockPublicAccess: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
  publicAccessBlockApi: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html',
  aclOverview: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html',
  objectOwnership: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html',
  conditionOperators: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  conditionElement: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html',
  multiValuedKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
  principal: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
  notPrincipal: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
  action: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html',
  notAction: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html',
  notResource: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html',
  effect: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html',
  version: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
  grammar: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
  variables: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
  evaluationLogic: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  s3Actions: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
  bucketPolicyExamples: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html',
  multiRegionAccessPointPermissions: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html',
} as const;

export type SnapshotOverrides = { -readonly [K in keyof BucketSnapshot]?: unknown };

/** A finding as the cases describe it: where it is, what it gives, what neutralises it. */
export interface ExpectedFinding {
  readonly source: 'acl' | 'policy';
  /** Grant index for an ACL finding, statement index (or null for the whole document) for a policy one. */
  readonly index: number | null;
  readonly access: AccessLevel[];
  readonly neutralisedBy?: Neutraliser;
}

export interface ExpectedReport {
  readonly public: boolean;
  readonly policyIsPublic?: boolean;
  readonly aclIsPublic?: boolean;
  readonly access?: AccessLevel[];
  readonly policyValid?: boolean;
  /** The exact findings, in report order. */
  readonly findings?: ExpectedFinding[];
  /** Words the `why` of some finding must contain. */
  readonly whyMentions?: string[];
}

export interface ExposureCase {
  /** The behaviour, stated as the test title. */
  readonly title: string;
  /** The AWS documentation page the expectation comes from. */
  readonly source: string;
  readonly given: SnapshotOverrides;
  readonly expected: ExpectedReport;
}

export const BASE_SNAPSHOT = {
  bucket: BUCKET,
  accountId: '111122223333',
  acl: { Owner: { ID: OWNER_ID }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' }] },
  policy: null,
  bucketPublicAccessBlock: null,
  accountPublicAccessBlock: null,
  ownership: 'BucketOwnerPreferred',
} as const;

export function snapshotFor(given: SnapshotOverrides): Record<string, unknown> {
  return { ...BASE_SNAPSHOT, ...given };
}

function projectFinding(finding: Finding): ExpectedFinding {
  const index = finding.source === 'acl' ? finding.grantIndex : finding.statementIndex;
  return {
    source: finding.source,
    index,
    access: finding.access,
    ...(finding.neutralisedBy === undefined ? {} : { neutralisedBy: finding.neutralisedBy }),
  };
}

/** Evaluate the case and assert everything it states, plus the invariants every report keeps. */
export function expectCase(testCase: ExposureCase): ExposureReport {
  // WHEN the engine evaluates the snapshot
  const report = evaluateExposure(snapshotFor(testCase.given));
  const { expected } = testCase;
  // THEN the verdict and the stated fields are as documented
  expect(report.public).toBe(expected.public);
  if (expected.policyIsPublic !== undefined) expect(report.policyIsPublic).toBe(expected.policyIsPublic);
  if (expected.aclIsPublic !== undefined) expect(report.aclIsPublic).toBe(expected.aclIsPublic);
  if (expected.access !== undefined) expect(report.access).toEqual(expected.access);
  if (expected.policyValid !== undefined) expect(report.policyValid).toBe(expected.policyValid);
  if (expected.findings !== undefined) expect(report.findings.map(projectFinding)).toEqual(expected.findings);
  for (const words of expected.whyMentions ?? []) {
    expect(report.findings.map((finding) => finding.why).join('\n')).toContain(words);
  }
  // AND the invariants hold: access is ordered, effective access comes from live findings only, and
  // every finding explains itself and says how to fix it
  expect(report.access).toEqual(ACCESS_LEVELS.filter((level) => report.access.includes(level)));
  expect(report.public).toBe(report.findings.some((finding) => finding.neutralisedBy === undefined));
  for (const finding of report.findings) {
    expect(finding.why.length).toBeGreaterThan(20);
    expect(finding.fix.length).toBeGreaterThan(20);
  }
  return report;
}

// Small builders for policy documents, so the tables read like the documentation examples.

export type Statement = Record<string, unknown>;

export function policy(...statements: Statement[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

/** The canonical public-read statement of the S3 website-hosting examples. */
export function publicRead(overrides: Statement = {}): Statement {
  return { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN, ...overrides };
}

export function allowEveryone(action: unknown, resource: unknown, extra: Statement = {}): Statement {
  return { Effect: 'Allow', Principal: '*', Action: action, Resource: resource, ...extra };
}

export function denyEveryone(action: unknown, resource: unknown, extra: Statement = {}): Statement {
  return { Effect: 'Deny', Principal: '*', Action: action, Resource: resource, ...extra };
}

export const ALL_LEVELS: AccessLevel[] = [...ACCESS_LEVELS];

export function policyFinding(index: number | null, access: AccessLevel[], neutralisedBy?: Neutraliser): ExpectedFinding {
  return { source: 'policy', index, access, ...(neutralisedBy === undefined ? {} : { neutralisedBy }) };
}

export function aclFinding(index: number, access: AccessLevel[], neutralisedBy?: Neutraliser): ExpectedFinding {
  return { source: 'acl', index, access, ...(neutralisedBy === undefined ? {} : { neutralisedBy }) };
}
