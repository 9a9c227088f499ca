/** Scheduled sweep (serverless.yml `sweepSchedule`, rate 5 minutes by default). */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ALL_PRODUCTS, dispatchPending, dispatchRuntime } from '../../lib/dispatch';
import { logger } from '../../lib/observability';
import { sweep } from './sweep';

async function scheduled() {
  const { config, client, invoker } = await dispatchRuntime();
  const correlationId = `sweep-${randomUUID()}`;
  logger.appendKeys({ correlation_id: correlationId });
  const result = await sweep(correlationId, {
    // An empty CONNECT_PRODUCTS means every product: one listing without a product filter.
    products: config.products.length > 0 ? config.products : [ALL_PRODUCTS],
    logger,
    dispatch: (args) =>
      dispatchPending({ ...args, client, invoker, concurrency: config.dispatchConcurrency, logger }),
  });
  if (result.failures > 0) throw new Error(`Sweep finished with ${result.failures} failed product(s)`);
  return result;
}

export const handler = middy(scheduled).use(injectLambdaContext(logger, { resetKeys: true }));
