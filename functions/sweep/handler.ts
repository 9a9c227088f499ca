/** Scheduled sweep (serverless.yml `sweepSchedule`, rate 5 minutes by default). */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { dispatchPending, dispatchRuntime } from '../../lib/dispatch';
import { logger } from '../../lib/observability';
import { sweep } from './sweep';

async function scheduled() {
  const { config, client, invoker } = dispatchRuntime();
  const correlationId = `sweep-${randomUUID()}`;
  logger.appendKeys({ correlation_id: correlationId });
  if (config.products.length === 0) {
    logger.warn('CONNECT_PRODUCTS is empty: the sweep has no product to list');
  }
  const result = await sweep(correlationId, {
    products: config.products,
    logger,
    dispatch: (args) =>
      dispatchPending({ ...args, client, invoker, concurrency: config.dispatchConcurrency, logger }),
  });
  if (result.failures > 0) throw new Error(`Sweep finished with ${result.failures} failed product(s)`);
  return result;
}

export const handler = middy(scheduled).use(injectLambdaContext(logger, { resetKeys: true }));
