import { UsageError } from '../../../cli/io';
import { resolveResources, resourcesFromOutputs } from '../../../cli/audit/stack-outputs';

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
