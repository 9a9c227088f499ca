/**
 * A type function's Lambda handler: the request's lifecycle (lifecycle.ts) under middy, the logger's Lambda
 * context attached to every line of the invocation and reset after it, its metrics flushed when it ends.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger as defaultLogger, metrics as defaultMetrics, flushMetrics } from '../observability';
import { createTypeFunctionCore, type TypeFunctionOptions } from './lifecycle';

export function createTypeFunction(options: TypeFunctionOptions) {
  const logger = options.logger ?? defaultLogger;
  const metrics = options.metrics ?? defaultMetrics;
  return middy(createTypeFunctionCore({ ...options, logger, metrics }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics(metrics));
}
