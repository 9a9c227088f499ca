/** The sweep's composition root (serverless.yml `sweepSchedule`, rate 5 minutes by default). */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { configSource, perConfig } from '../../lib/config';
import { createConfiguredDispatcher } from '../../lib/dispatch';
import { ALL_PRODUCTS } from '../../lib/object-classes';
import { logger } from '../../lib/observability';
import { automation } from '../automation';
import { type SweepDeps, sweep } from './sweep';

const config = configSource({ requireFunctionPrefix: true });

const depsFor = perConfig(
  (current): SweepDeps => ({
    // An empty CONNECT_PRODUCTS means every product: one listing without a product filter.
    products: current.products.length > 0 ? current.products : [ALL_PRODUCTS],
    dispatcher: createConfiguredDispatcher(current, automation(current), logger),
    logger,
  }),
);

export const handler = middy(async () => {
  const correlationId = `sweep-${randomUUID()}`;
  logger.appendKeys({ correlation_id: correlationId });
  const result = await sweep(correlationId, depsFor(await config()));
  if (result.failures > 0) throw new Error(`Sweep finished with ${result.failures} failed product(s)`);
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
