import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * A Lambda on-failure destination whose permissions the owning construct grants itself, exactly (the stock
 * SqsDestination would add its own, broader, statement to the function's role).
 */
export class QueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DestinationConfig {
    return { destination: this.queue.queueArn };
  }
}
