/**
 * Value checks shared by the context parser and the construct's prop validation. Pure, no aws-cdk-lib.
 * Each returns `undefined` when the value is fine, otherwise what is wrong and how to fix it.
 */

const REGION_PATTERN = /^[a-z]{2}(-(gov|iso|isob|isof|isoe))?-[a-z]+-\d{1,2}$/;
// Deliberately simple: one @, a dot in the domain, no spaces. SNS confirms the address anyway.
const EMAIL_PATTERN = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const NAMESPACE_PATTERN = /^[A-Za-z0-9.\-_/#:]{1,255}$/;
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
/** Forwarder stacks append `-Forwarder-<region>` (at most 27 characters) to the stack name. */
export const MAX_STACK_NAME_LENGTH = 100;

export function checkRegion(value: string): string | undefined {
  return REGION_PATTERN.test(value) ? undefined : `"${value}" is not an AWS Region code; use codes such as us-east-1 or eu-west-1`;
}

export function checkEmail(value: string): string | undefined {
  return EMAIL_PATTERN.test(value) ? undefined : `"${value}" is not an email address; use addresses such as oncall@example.com`;
}

export function checkMetricsNamespace(value: string): string | undefined {
  if (value.startsWith('AWS/')) {
    return `"${value}" starts with "AWS/", which CloudWatch reserves for AWS services; use a name such as BucketGuardrail`;
  }
  return NAMESPACE_PATTERN.test(value)
    ? undefined
    : `"${value}" is not a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :); use a name such as BucketGuardrail`;
}

export function checkSensitiveTagKey(value: string): string | undefined {
  if (value.trim() === '' || value !== value.trim()) {
    return `"${value}" is empty or has surrounding spaces; use a tag key such as data-classification`;
  }
  if (value.includes(',')) {
    return `"${value}" contains a comma, which separates keys in SENSITIVE_TAG_KEYS; list each key separately`;
  }
  return value.length <= 128 ? undefined : `"${value.slice(0, 20)}…" is longer than the 128 characters S3 allows in a tag key`;
}

export function checkStackName(value: string): string | undefined {
  if (!STACK_NAME_PATTERN.test(value)) {
    return `"${value}" is not a CloudFormation stack name (a letter, then letters, digits and hyphens); use a name such as BucketGuardrail`;
  }
  return value.length <= MAX_STACK_NAME_LENGTH
    ? undefined
    : `"${value}" is longer than ${MAX_STACK_NAME_LENGTH} characters; forwarder stacks append "-Forwarder-<region>" and CloudFormation allows 128`;
}

export function checkIntegerInRange(value: number, range: { readonly min: number; readonly max: number }): string | undefined {
  return Number.isInteger(value) && value >= range.min && value <= range.max
    ? undefined
    : `${value} is not a whole number from ${range.min} to ${range.max}`;
}
