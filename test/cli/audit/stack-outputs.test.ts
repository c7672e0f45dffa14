import { UsageError } from '../../../cli/io';
import { ORGANIZATION_ID_OUTPUT, resolveArchiveLock, resolveResources, resourcesFromOutputs, StackOutputsUnreadableError, stackOrganizationId } from '../../../cli/audit/stack-outputs';
import { CENTRAL_STACK_OUTPUTS } from '../../../lib/organization/central-stack';

const OUTPUTS = [
  { OutputKey: 'AuditTableName', OutputValue: 'BucketGuardrail-AuditTable-1ABC' },
  { OutputKey: 'AuditArchiveBucketName', OutputValue: 'bucketguardrail-auditarchive-xyz' },
  { OutputKey: 'ExemptionsTableName', OutputValue: 'BucketGuardrail-Exemptions-9XYZ' },
  { OutputKey: 'AlertTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111122223333:alerts' },
  { OutputKey: 'SomethingElse', OutputValue: 'ignored' },
];

describe('stack outputs', () => {
  test('maps the output keys the stack publishes to the resources the CLI uses, ignoring the rest', () => {
    expect(resourcesFromOutputs(OUTPUTS)).toEqual({
      auditTable: 'BucketGuardrail-AuditTable-1ABC',
      archiveBucket: 'bucketguardrail-auditarchive-xyz',
      exemptionsTable: 'BucketGuardrail-Exemptions-9XYZ',
    });
  });

  test('explicit flags win and the stack is not asked when every needed name is given', async () => {
    // GIVEN every needed resource as a flag
    const describe = jest.fn(async () => OUTPUTS);
    // WHEN resolved
    const resolved = await resolveResources(['auditTable'], { auditTable: 'my-table' }, 'BucketGuardrail', describe);
    // THEN the flag value, and no DescribeStacks
    expect(resolved).toEqual({ auditTable: 'my-table' });
    expect(describe).not.toHaveBeenCalled();
  });

  test('missing names come from the stack, flags still win for the others', async () => {
    const describe = jest.fn(async () => OUTPUTS);
    const resolved = await resolveResources(['auditTable', 'archiveBucket'], { archiveBucket: 'explicit-archive' }, 'Custom', describe);
    expect(resolved).toEqual({ auditTable: 'BucketGuardrail-AuditTable-1ABC', archiveBucket: 'explicit-archive' });
    expect(describe).toHaveBeenCalledWith('Custom');
  });

  test('an output the stack lacks is a UsageError naming the output and the flag', async () => {
    const describe = async () => OUTPUTS.filter((output) => output.OutputKey !== 'ExemptionsTableName');
    await expect(resolveResources(['exemptionsTable'], {}, 'BucketGuardrail', describe)).rejects.toThrow(
      new UsageError('stack "BucketGuardrail" has no output ExemptionsTableName; deploy the current version of the stack or pass --exemptions-table'),
    );
  });

  test('a stack that cannot be read is a UsageError suggesting --stack and the flags', async () => {
    const describe = async (): Promise<never> => {
      throw new Error('Stack with id Nope does not exist');
    };
    await expect(resolveResources(['auditTable', 'archiveBucket'], {}, 'Nope', describe)).rejects.toThrow(
      /cannot read the outputs of stack "Nope" \(Stack with id Nope does not exist\); pass --stack .* or --table, --archive-bucket/,
    );
  });
});

describe('resolveArchiveLock', () => {
  const withLock = (mode: string, days?: string) => async () => [
    ...OUTPUTS,
    { OutputKey: 'AuditArchiveLockMode', OutputValue: mode },
    ...(days !== undefined ? [{ OutputKey: 'AuditArchiveRetentionDays', OutputValue: days }] : []),
  ];

  test.each([
    ['COMPLIANCE', '365', { mode: 'COMPLIANCE', retentionDays: 365 }],
    ['GOVERNANCE', '7', { mode: 'GOVERNANCE', retentionDays: 7 }],
    ['NONE', undefined, { mode: 'NONE' }],
  ])('reads %s (%s days) from the stack outputs', async (mode, days, expected) => {
    await expect(resolveArchiveLock({}, 'BucketGuardrail', withLock(mode, days))).resolves.toEqual(expected);
  });

  test('a stack deployed before copies were locked explicitly says nothing: undefined', async () => {
    await expect(resolveArchiveLock({}, 'BucketGuardrail', async () => OUTPUTS)).resolves.toBeUndefined();
  });

  test('the flags win and the stack is not read', async () => {
    const describe = jest.fn(withLock('COMPLIANCE', '365'));
    await expect(resolveArchiveLock({ mode: 'governance', retentionDays: '30' }, 'BucketGuardrail', describe)).resolves.toEqual({ mode: 'GOVERNANCE', retentionDays: 30 });
    expect(describe).not.toHaveBeenCalled();
  });

  test('a stack that cannot be read is a StackOutputsUnreadableError naming the flags', async () => {
    const describe = async (): Promise<never> => {
      throw new Error('Stack with id Nope does not exist');
    };
    const attempt = resolveArchiveLock({}, 'Nope', describe, 'eu-west-1');
    await expect(attempt).rejects.toThrow(StackOutputsUnreadableError);
    await expect(resolveArchiveLock({}, 'Nope', describe, 'eu-west-1')).rejects.toThrow(/--archive-lock-mode and --archive-retention-days \(looked in region eu-west-1\)/);
  });

  test('a retention output that is not a number is a UsageError', async () => {
    await expect(resolveArchiveLock({}, 'BucketGuardrail', withLock('COMPLIANCE', 'forever'))).rejects.toThrow(/says archive copies are locked "COMPLIANCE", but/);
  });
});

describe('stackOrganizationId', () => {
  test('is the output the central stack publishes', () => {
    expect(ORGANIZATION_ID_OUTPUT).toBe(CENTRAL_STACK_OUTPUTS.organizationId);
  });

  test('reads it, and is undefined for a single-account stack or one that cannot be read', async () => {
    await expect(stackOrganizationId('Central', async () => [...OUTPUTS, { OutputKey: 'OrganizationId', OutputValue: 'o-a1b2c3d4e5' }])).resolves.toBe('o-a1b2c3d4e5');
    await expect(stackOrganizationId('BucketGuardrail', async () => OUTPUTS)).resolves.toBeUndefined();
    await expect(stackOrganizationId('Nope', () => Promise.reject(new Error('no such stack')))).resolves.toBeUndefined();
  });
});
