/** The sweep's composition root (serverless.yml `sweepRate`, every 5 minutes by default). */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ALL_PRODUCTS, configSource, perConfig } from '../../lib/config';
import { createConfiguredRequester } from '../../lib/dispatch';
import { flushMetrics, logger, metrics } from '../../lib/observability';
import { createTaskStore } from '../../lib/tasks';
import { type SweepDeps, sweep } from './sweep';

const config = configSource({ requireFunctionPrefix: true, requireProducts: true, requireTasksTable: true });

const depsFor = perConfig((current): SweepDeps => {
  const tasks = createTaskStore({
    table: current.tasks.table ?? '',
    endpoint: current.aws.dynamoEndpoint,
    region: current.aws.region,
  });
  return {
    // `*`: one listing per kind without a product filter.
    products: current.products.includes(ALL_PRODUCTS) ? [ALL_PRODUCTS] : current.products,
    requester: createConfiguredRequester(current),
    countParked: () => tasks.countParked(),
    metrics,
    logger,
  };
});

export const handler = middy(async () => {
  const correlationId = `sweep-${randomUUID()}`;
  logger.appendKeys({ correlation_id: correlationId });
  const result = await sweep(correlationId, depsFor(await config()));
  if (result.failures > 0) throw new Error(`Sweep finished with ${result.failures} failed product(s)`);
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetrics(metrics));
