import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateExposure } from '../lambda/shared/exposure';

/** A policy of about 100 statements and 20 KB: the mix a large shared bucket accumulates over the years. */
export function largePolicy(bucket: string, statements = 100): { Version: string; Statement: unknown[] } {
  const Statement: unknown[] = [];
  for (let index = 0; index < statements; index += 1) {
    const kind = index % 5;
    const resource = [`arn:aws:s3:::${bucket}/t${index}/*`, `arn:aws:s3:::${bucket}`];
    if (kind === 0) {
      Statement.push({
        Sid: `Read${index}`,
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${String(100000000000 + index)}:role/r${index}`] },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: resource,
      });
    } else if (kind === 1) {
      Statement.push({
        Sid: `Ip${index}`,
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: resource[0],
        Condition: { IpAddress: { 'aws:SourceIp': [`10.${index}.0.0/16`] } },
      });
    } else if (kind === 2) {
      Statement.push({
        Sid: `Vpce${index}`,
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: resource,
        Condition: { StringEquals: { 'aws:SourceVpce': `vpce-${index.toString(16).padStart(8, '0')}` } },
      });
    } else if (kind === 3) {
      Statement.push({
        Sid: `Tls${index}`,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: resource,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    } else {
      Statement.push({
        Sid: `Org${index}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'],
        Resource: resource[0],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      });
    }
  }
  return { Version: '2012-10-17', Statement };
}

function timeLoop(run: () => void, minimumMs: number): { iterations: number; elapsedMs: number } {
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minimumMs) {
    for (let batch = 0; batch < 100; batch += 1) {
      run();
    }
    iterations += 100;
    elapsed = performance.now() - start;
  }
  return { iterations, elapsedMs: elapsed };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function runEngineBench(): Promise<Record<string, number>> {
  const typical = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'public-website.json'), 'utf8')) as unknown;
  // Warm up the JIT before measuring.
  timeLoop(() => evaluateExposure(typical), 300);
  const { iterations, elapsedMs } = timeLoop(() => evaluateExposure(typical), 2000);

  const bucket = 'shared-data-lake';
  const policy = largePolicy(bucket);
  const policyText = JSON.stringify(policy);
  const large = { bucket, accountId: '111122223333', acl: null, policy: policyText, bucketPublicAccessBlock: null, accountPublicAccessBlock: null, ownership: 'BucketOwnerEnforced' };
  for (let warm = 0; warm < 50; warm += 1) {
    evaluateExposure(large);
  }
  const samples: number[] = [];
  for (let run = 0; run < 200; run += 1) {
    const start = performance.now();
    evaluateExposure(large);
    samples.push(performance.now() - start);
  }
  return {
    'engine.typicalPerSecond': Math.round((iterations / elapsedMs) * 1000),
    'engine.policy20kbMs': Number(median(samples).toFixed(3)),
    'engine.policy20kbBytes': Buffer.byteLength(policyText),
    'engine.policy20kbStatements': policy.Statement.length,
  };
}
