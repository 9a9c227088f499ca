/**
 * The dispatch side of a deployment, as the composition roots build it from their configuration: the Lambda
 * invoker, the requester (router, sweep), the dispatcher (the `dispatch` function).
 */
import type { AutomationTable } from '../automation';
import type { Config } from '../config';
import { createConnectClient } from '../connect';
import { connectHooks, type Logger, type MetricsRecorder, noMetrics } from '../observability';
import type { TaskStore } from '../tasks';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { createLambdaInvoker, type Invoker } from './invoker';
import { createDispatchRequester, type DispatchRequester } from './requester';

/** `event`: queued (asking for a dispatch); `wait`: the run, waited for (the dispatch running a type function). */
export function createConfiguredInvoker(config: Config, mode: 'event' | 'wait' = 'event'): Invoker {
  const { functionPrefix } = config.dispatch;
  if (functionPrefix === undefined)
    throw new TypeError('dispatch.functionPrefix is required (SERVICE and STAGE)');
  return createLambdaInvoker({
    functionPrefix,
    mode,
    endpoint: config.aws.lambdaEndpoint,
    region: config.aws.region,
  });
}

export function createConfiguredRequester(
  config: Config,
  invoker = createConfiguredInvoker(config),
): DispatchRequester {
  return createDispatchRequester(invoker, config.dispatch.dispatcherFunction);
}

export function createConfiguredDispatcher(
  config: Config,
  automation: AutomationTable,
  tasks: TaskStore,
  logger: Logger,
  metrics: MetricsRecorder = noMetrics,
): Dispatcher {
  return createDispatcher({
    client: createConnectClient({
      ...config.connect,
      // Each listing call gets this budget, its retries included; a page that cannot be read ends the dispatch.
      retry: { maxElapsedMs: config.dispatch.listingBudgetMs },
      ...connectHooks(logger, metrics),
    }),
    invoker: createConfiguredInvoker(config, 'wait'),
    tasks,
    automation,
    concurrency: config.dispatch.concurrency,
    leaseSeconds: config.tasks.leaseSeconds,
    failures: config.tasks,
    logger,
  });
}
