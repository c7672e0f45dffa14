/**
 * The exemption contract shared by the remediator, the exemptions table, the sweep and the CLI: what a valid
 * exemption is, and the message that names the bad field when it is not.
 */
import { exemptionCoversAccount, validateExemption } from '../../../../lambda/shared/exemptions/exemption';

const VALID = { bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-01-31' };

describe('validateExemption', () => {
  it.each([
    ['a plain bucket name', { ...VALID, bucket: 'my-bucket.logs' }],
    ['a glob with * and ?', { ...VALID, bucket: 'site-?-*' }],
    ['a legacy us-east-1 name (upper case, underscores)', { ...VALID, bucket: 'Acme_Legacy_Reports_2016' }],
    ['a legacy name longer than 63 characters', { ...VALID, bucket: `Legacy_${'a'.repeat(100)}` }],
    ['a glob over legacy names', { ...VALID, bucket: 'Acme_Legacy_*' }],
    ['a date-time expiry', { ...VALID, expires: '2027-01-31T12:00:00Z' }],
  ])('accepts %s and returns exactly the four reviewed fields', (_name, raw) => {
    // GIVEN an exemption with an extra field a caller should not smuggle through
    const input = { ...raw, extra: 'ignored' };
    // WHEN it is validated
    const exemption = validateExemption(input, '[0]');
    // THEN only bucket, reason, owner and expires come back, unchanged
    expect(exemption).toEqual({ bucket: raw.bucket, reason: raw.reason, owner: raw.owner, expires: raw.expires });
  });

  it.each([
    ['not an object', 'site-a', '[2] must be an object with bucket, reason, owner and expires'],
    ['null', null, '[2] must be an object with bucket, reason, owner and expires'],
    ['an array', [VALID], '[2] must be an object with bucket, reason, owner and expires'],
    ['a missing reason', { ...VALID, reason: undefined }, '[2].reason must be a non-empty string'],
    ['a blank owner', { ...VALID, owner: '   ' }, '[2].owner must be a non-empty string'],
    ['a numeric expiry', { ...VALID, expires: 20270131 }, '[2].expires must be a non-empty string'],
    ['a bucket with a space', { ...VALID, bucket: 'Site A' }, '[2].bucket "Site A" is not a bucket name or glob'],
    ['a bucket with a slash', { ...VALID, bucket: 'site/a*' }, '[2].bucket "site/a*" is not a bucket name or glob'],
    ['a bucket name over 255 characters', { ...VALID, bucket: 'a'.repeat(256) }, 'is not a bucket name or glob'],
    ['a legacy-looking name beginning with "_"', { ...VALID, bucket: '_Acme_Reports' }, 'must begin with a letter or digit'],
    ['a legacy-looking name with ".."', { ...VALID, bucket: 'Acme..Reports' }, 'must not contain two adjacent periods'],
    ['an expiry that is not a date', { ...VALID, expires: 'next year' }, '[2].expires "next year" is not an ISO 8601 date'],
    ['an impossible date', { ...VALID, expires: '2027-13-45' }, '[2].expires "2027-13-45" is not an ISO 8601 date'],
  ])('rejects %s with a message naming the field', (_name, raw, message) => {
    // GIVEN an invalid exemption at position [2]
    // WHEN it is validated
    // THEN the error names the position and the field, and says what is expected
    expect(() => validateExemption(raw, '[2]')).toThrow(message);
  });
});

describe('the account an exemption covers', () => {
  it.each([
    ['a member account', '444455556666'],
    ['every account', '*'],
  ])('accepts %s and keeps it', (_name, account) => {
    expect(validateExemption({ ...VALID, account }, '[0]')).toEqual({ ...VALID, account });
  });

  it.each([
    ['11 digits', '44445555666'],
    ['an account with dashes', '4444-5555-6666'],
    ['a glob of accounts', '4444*'],
    ['a number', 444455556666],
  ])('refuses %s, naming the field', (_name, account) => {
    expect(() => validateExemption({ ...VALID, account }, '[1]')).toThrow(/^\[1\]\.account .*12-digit account ID or \* \(every account\)/);
  });

  it.each([
    // exemption account, bucket account → covered (home account 111122223333)
    [undefined, '111122223333', true],
    [undefined, '444455556666', false],
    ['444455556666', '444455556666', true],
    ['444455556666', '777788889999', false],
    ['444455556666', '111122223333', false],
    ['*', '777788889999', true],
  ])('an exemption for %s covers a bucket of %s: %s', (account, bucketAccount, covered) => {
    expect(exemptionCoversAccount(account === undefined ? {} : { account }, bucketAccount, '111122223333')).toBe(covered);
  });
});
