/**
 * The composition root of every type function (purchase, change, …, tier-config, unsupported): each deploys
 * as its own Lambda from this one handler; what runs is the automation table's handler for the request type.
 */
import { configSource, perConfig } from '../../lib/config';
import { createConnectClient } from '../../lib/connect';
import { entryFor } from '../../lib/dispatch';
import { createTypeFunction, type TypeFunctionDeps } from '../../lib/lambda';
import { connectHooks, logger, metrics } from '../../lib/observability';
import { createEventBridgeScheduler } from '../../lib/scheduler';
import { createTaskStore } from '../../lib/tasks';
import { automation } from '../automation';

const config = configSource({ requireTasksTable: true });

const depsFor = perConfig((current): TypeFunctionDeps => {
  const table = automation(current);
  return {
    client: createConnectClient({ ...current.connect, ...connectHooks(logger, metrics) }),
    handlerFor: (objectClass, type) => entryFor(table, objectClass, type)?.process,
    tasks: createTaskStore({
      table: current.tasks.table ?? '',
      endpoint: current.aws.dynamoEndpoint,
      region: current.aws.region,
    }),
    scheduler: createEventBridgeScheduler({
      group: current.scheduler.group ?? '',
      roleArn: current.scheduler.roleArn ?? '',
      deadLetterArn: current.scheduler.deadLetterArn,
      endpoint: current.scheduler.endpoint,
      region: current.aws.region,
    }),
    settings: current.tasks,
    functionPrefix: current.dispatch.functionPrefix,
  };
});

export const handler = createTypeFunction({ deps: async () => depsFor(await config()), logger, metrics });
