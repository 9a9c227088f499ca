/** POST /connect/webhook: Connect's webhook call, routed by `routeWebhook`. */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Config } from '../../lib/config';
import { type DispatchRuntime, dispatchPending, dispatchRuntime } from '../../lib/dispatch';
import { logger } from '../../lib/observability';
import { createWebhookVerifier, type WebhookVerifier } from '../../lib/webhook';
import { routeWebhook } from './router';

const unavailable = {
  statusCode: 503,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: 'unavailable', message: 'The function set is not ready; retry later' }),
};

/** The verifier of the current configuration (rebuilt when a refresh brings new secrets). */
let verifierOf: { config: Config; verifier: WebhookVerifier } | undefined;

function verifierFor(config: Config): WebhookVerifier {
  if (verifierOf?.config !== config) {
    verifierOf = { config, verifier: createWebhookVerifier({ secrets: config.webhookSecrets }) };
  }
  return verifierOf.verifier;
}

async function webhook(event: APIGatewayProxyEventV2) {
  let runtime: DispatchRuntime;
  try {
    runtime = await dispatchRuntime();
  } catch (error) {
    // Configuration or secrets unreadable (SSM throttled, a parameter missing): say so in the log only.
    logger.error('The router could not load its configuration', {
      error: { name: error instanceof Error ? error.name : 'Error', message: (error as Error)?.message },
    });
    return unavailable;
  }
  const { config, client, invoker } = runtime;
  if (config.webhookSecrets.length === 0) {
    logger.error('CONNECT_WEBHOOK_SECRETS (or CONNECT_WEBHOOK_SECRETS_PARAMETER) names no secret');
    return unavailable;
  }
  // Ours, not API Gateway's: it follows the request into every type function's logs.
  const correlationId = randomUUID();
  logger.appendKeys({ correlation_id: correlationId });
  return routeWebhook(event, correlationId, {
    verifier: verifierFor(config),
    products: config.products,
    logger,
    dispatch: (args) =>
      dispatchPending({ ...args, client, invoker, concurrency: config.dispatchConcurrency, logger }),
  });
}

export const handler = middy(webhook).use(injectLambdaContext(logger, { resetKeys: true }));
