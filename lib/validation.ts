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

const RATE_EXPRESSION = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON_EXPRESSION = /^cron\((.+)\)$/;
const AT_EXPRESSION = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;

/**
 * A recurring EventBridge Scheduler expression for the sweep: `rate(<n> minute[s]|hour[s]|day[s])` with n ≥ 1,
 * or `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` with `?` in one of the two day
 * fields. One-time `at(...)` expressions are refused: the sweep must recur.
 */
export function checkSweepSchedule(value: string): string | undefined {
  const fix = 'use for example "rate(6 hours)" or "cron(0 */6 * * ? *)"';
  const rate = RATE_EXPRESSION.exec(value);
  if (rate) {
    return Number(rate[1]) >= 1 ? undefined : `"${value}" has a rate of 0; use at least "rate(1 hour)"`;
  }
  if (AT_EXPRESSION.test(value)) {
    return `"${value}" is a one-time schedule; the sweep must recur, ${fix}`;
  }
  const cron = CRON_EXPRESSION.exec(value);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      return `"${value}" has ${fields.length} cron fields; EventBridge Scheduler takes six (minutes hours day-of-month month day-of-week year), ${fix}`;
    }
    if (fields[2] !== '?' && fields[4] !== '?') {
      return `"${value}" sets both day-of-month and day-of-week; one of them must be "?", ${fix}`;
    }
    return undefined;
  }
  return `"${value}" is not an EventBridge Scheduler expression; ${fix}`;
}

const WRITER_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/*?]{1,512}$/;

/** An IAM role ARN (a path and `*` / `?` wildcards allowed, as ArnLike takes them), account included. */
export function checkRoleArn(value: string): string | undefined {
  return WRITER_ROLE_ARN.test(value)
    ? undefined
    : `"${value}" is not an IAM role ARN; use arn:aws:iam::<account>:role/<name> (a path and * wildcards are allowed, e.g. arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*)`;
}
