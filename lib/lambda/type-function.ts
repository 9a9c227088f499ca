/**
 * A type function's Lambda handler: the request's lifecycle (lifecycle.ts) under middy, the logger's Lambda
 * context attached to every line of the invocation and reset after it.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger as defaultLogger } from '../observability';
import { createTypeFunctionCore, type TypeFunctionOptions } from './lifecycle';

export function createTypeFunction(options: TypeFunctionOptions) {
  const logger = options.logger ?? defaultLogger;
  return middy(createTypeFunctionCore({ ...options, logger })).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
}
