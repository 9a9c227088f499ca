/** THE fake Lambda context of the tests and benchmarks: a full `Context`, as middy and Powertools expect. */
import type { Context } from 'aws-lambda';

export function fakeLambdaContext(
  options: { functionName?: string; remainingMs?: number; requestId?: string } = {},
): Context {
  const functionName = options.functionName ?? 'connect-fulfillment-dev-purchase';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: options.requestId ?? crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => options.remainingMs ?? 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
