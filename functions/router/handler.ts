/**
 * POST /connect/webhook as a Lambda: the route (router.ts) with its errors mapped at the edge, and its
 * composition root: the configuration, verifier and dispatcher, rebuilt when the secrets rotate.
 */
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { configSource, perConfig } from '../../lib/config';
import { createConfiguredRequester } from '../../lib/dispatch';
import { createEdgeHandler } from '../../lib/lambda';
import { logger, type MetricsRecorder, metrics } from '../../lib/observability';
import { createWebhookVerifier } from '../../lib/webhook';
import { type RouterDeps, routeWebhook } from './router';

export type WebhookRouteOptions = {
  /** The router's dependencies for this invocation (built from the current configuration). */
  deps: () => Promise<RouterDeps>;
  logger: PowertoolsLogger;
  /** Flushed when each call ends (`WebhookRejected`). */
  metrics?: MetricsRecorder;
  newCorrelationId?: () => string;
};

export function createWebhookRoute({ deps, ...options }: WebhookRouteOptions) {
  return createEdgeHandler(async (call, correlationId) => routeWebhook(call, correlationId, await deps()), {
    ...options,
    route: 'Webhook',
    metricsRoute: 'webhook',
  });
}

const config = configSource({
  requireWebhookSecrets: true,
  requireFunctionPrefix: true,
  requireProducts: true,
});

const depsFor = perConfig(
  (current): RouterDeps => ({
    verifier: createWebhookVerifier({ secrets: current.webhookSecrets }),
    products: current.products,
    requester: createConfiguredRequester(current),
  }),
);

export const handler = createWebhookRoute({ deps: async () => depsFor(await config()), logger, metrics });
