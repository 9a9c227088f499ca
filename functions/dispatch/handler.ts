/** The `dispatch` function's composition root: the dispatcher and the requester (for its continuations). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { configSource, perConfig } from '../../lib/config';
import {
  createConfiguredDispatcher,
  createConfiguredInvoker,
  createDispatchRequester,
} from '../../lib/dispatch';
import { flushMetrics, logger, metrics } from '../../lib/observability';
import { createTaskStore } from '../../lib/tasks';
import { automation } from '../automation';
import { type DispatchDeps, runDispatch } from './dispatch';

const config = configSource({ requireFunctionPrefix: true, requireTasksTable: true });

const depsFor = perConfig((current): DispatchDeps => {
  const tasks = createTaskStore({
    table: current.tasks.table ?? '',
    endpoint: current.aws.dynamoEndpoint,
    region: current.aws.region,
  });
  return {
    dispatcher: createConfiguredDispatcher(current, automation(current), tasks, logger, metrics),
    requester: createDispatchRequester(createConfiguredInvoker(current), current.dispatch.dispatcherFunction),
    locks: tasks,
    logger,
  };
});

export const handler = middy(async (event: unknown, context: Context) => {
  const order = event as { correlationId?: unknown };
  if (typeof order.correlationId === 'string') logger.appendKeys({ correlation_id: order.correlationId });
  return runDispatch(event, Date.now() + context.getRemainingTimeInMillis(), depsFor(await config()));
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetrics(metrics));
