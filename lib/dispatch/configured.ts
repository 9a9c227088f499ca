/**
 * The dispatcher of a deployment, as the router and the sweep both build it from their configuration: the
 * Connect client with the listing budget, the Lambda invoker, the concurrency, the vendor's table.
 */
import type { AutomationTable } from '../automation';
import type { Config } from '../config';
import { createConnectClient } from '../connect';
import { connectLogHooks, type Logger } from '../observability';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { createLambdaInvoker } from './invoker';

export function createConfiguredDispatcher(
  config: Config,
  automation: AutomationTable,
  logger: Logger,
): Dispatcher {
  const { functionPrefix } = config.dispatch;
  if (functionPrefix === undefined)
    throw new TypeError('dispatch.functionPrefix is required (SERVICE and STAGE)');
  return createDispatcher({
    client: createConnectClient({
      ...config.connect,
      // A listing of several pages can still run longer; the sweep then picks up what the router could not.
      retry: { maxElapsedMs: config.dispatch.listingBudgetMs },
      ...connectLogHooks(logger),
    }),
    invoker: createLambdaInvoker({
      functionPrefix,
      endpoint: config.aws.lambdaEndpoint,
      region: config.aws.region,
    }),
    automation,
    concurrency: config.dispatch.concurrency,
    logger,
  });
}
