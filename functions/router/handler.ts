/** POST /connect/webhook: Connect's webhook call, routed by `routeWebhook`. */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dispatchPending, dispatchRuntime } from '../../lib/dispatch';
import { logger } from '../../lib/observability';
import { createWebhookVerifier, type WebhookVerifier } from '../../lib/webhook';
import { routeWebhook } from './router';

let verifier: WebhookVerifier | undefined;

function getVerifier(webhookSecrets: readonly string[]): WebhookVerifier {
  if (!verifier) {
    if (webhookSecrets.length === 0) throw new Error('CONNECT_WEBHOOK_SECRETS: needs at least one secret');
    verifier = createWebhookVerifier({ secrets: webhookSecrets });
  }
  return verifier;
}

async function webhook(event: APIGatewayProxyEventV2) {
  const { config, client, invoker } = await dispatchRuntime();
  // Ours, not API Gateway's: it follows the request into every type function's logs.
  const correlationId = randomUUID();
  logger.appendKeys({ correlation_id: correlationId });
  return routeWebhook(event, correlationId, {
    verifier: getVerifier(config.webhookSecrets),
    products: config.products,
    logger,
    dispatch: (args) =>
      dispatchPending({ ...args, client, invoker, concurrency: config.dispatchConcurrency, logger }),
  });
}

export const handler = middy(webhook).use(injectLambdaContext(logger, { resetKeys: true }));
