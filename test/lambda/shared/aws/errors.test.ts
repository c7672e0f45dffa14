import { S3ServiceException } from '@aws-sdk/client-s3';
import { awsErrorCode, describeError, hasErrorCode, httpStatusOf, isAccessDenied } from '../../../../lambda/shared/aws/errors';

const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'REQ1' }, message: 'Access Denied' });

describe('reading SDK errors', () => {
  it.each([
    [denied, 'AccessDenied'],
    [Object.assign(new Error('x'), { Code: 'NoSuchBucket' }), 'NoSuchBucket'],
    [new Error('plain'), undefined],
    ['a string', undefined],
    [null, undefined],
  ])('the code of %p is %p', (error, code) => {
    expect(awsErrorCode(error)).toBe(code);
  });

  it.each([
    ['AccessDenied', true],
    ['AccessDeniedException', true],
    ['AllAccessDisabled', true],
    ['NoSuchBucket', false],
  ])('%s is a denial: %s', (name, expected) => {
    expect(isAccessDenied(Object.assign(new Error(name), { name }))).toBe(expected);
  });

  it('matches any of several codes and reads the HTTP status', () => {
    expect(hasErrorCode(denied, 'NoSuchBucket', 'AccessDenied')).toBe(true);
    expect(hasErrorCode(denied, 'NoSuchBucket')).toBe(false);
    expect(httpStatusOf(denied)).toBe(403);
    expect(httpStatusOf(new Error('x'))).toBeUndefined();
  });

  it('describes an error as plain data, without serialising the error object', () => {
    expect(describeError(denied)).toEqual({ name: 'AccessDenied', message: 'Access Denied', code: 'AccessDenied', httpStatus: 403, requestId: 'REQ1' });
    expect(describeError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeError(42)).toEqual({ name: 'NonError', message: '42' });
  });
});
