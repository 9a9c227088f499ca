/** The router's composition root: its configuration, verifier and dispatcher, rebuilt when the secrets rotate. */
import { configSource, perConfig } from '../../lib/config';
import { createConfiguredDispatcher } from '../../lib/dispatch';
import { logger } from '../../lib/observability';
import { createWebhookVerifier } from '../../lib/webhook';
import { automation } from '../automation';
import { createWebhookRoute, type RouterDeps } from './router';

const config = configSource({ requireWebhookSecrets: true, requireFunctionPrefix: true });

const depsFor = perConfig(
  (current): RouterDeps => ({
    verifier: createWebhookVerifier({ secrets: current.webhookSecrets }),
    products: current.products,
    dispatcher: createConfiguredDispatcher(current, automation(current), logger),
  }),
);

export const handler = createWebhookRoute({ deps: async () => depsFor(await config()), logger });
