/**
 * The composition root of every type function (purchase, change, …, tier-config, unsupported): each deploys
 * as its own Lambda from this one handler; what runs is the automation table's handler for the request type.
 */
import { configSource, perConfig } from '../../lib/config';
import { createConnectClient } from '../../lib/connect';
import { entryFor } from '../../lib/dispatch';
import { createPersistenceStore, createTypeFunction, type TypeFunctionDeps } from '../../lib/lambda';
import { connectLogHooks, logger } from '../../lib/observability';
import { automation } from '../automation';

const config = configSource({ requireIdempotencyTable: true });

const depsFor = perConfig((current): TypeFunctionDeps => {
  const table = automation(current);
  const store = {
    table: current.idempotency.table ?? '',
    endpoint: current.aws.dynamoEndpoint,
    region: current.aws.region,
  };
  return {
    client: createConnectClient({ ...current.connect, ...connectLogHooks(logger) }),
    handlerFor: (objectClass, type) => entryFor(table, objectClass, type)?.process,
    newPersistenceStore: () => createPersistenceStore(store),
  };
});

export const handler = createTypeFunction({ deps: async () => depsFor(await config()), logger });
