import { partitionOfRegion } from '../../../../lambda/shared/aws/partition';

describe('partitionOfRegion', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['mx-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('%s is in %s', (region, expected) => {
    // GIVEN a Region  WHEN its partition is derived from the SDK's partition data  THEN it is the expected one
    expect(partitionOfRegion(region)).toBe(expected);
  });
});
