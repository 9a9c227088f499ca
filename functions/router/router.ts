/**
 * POST /connect/webhook, the whole route. In ARCHITECTURE.md's order: raw body (base64 aware, size-capped) →
 * JWT (HS256) → JSON → envelope schema → object class and product checks → list every pending request →
 * one async invoke per request → 202 with a summary. Nothing is dispatched unless every check passed.
 *
 * The core is pure: it takes the headers and the raw body and returns the answer, or throws an `EdgeError`
 * (401, 413, 400) that `edgeErrors` turns into an answer saying what was wrong; anything else (Connect down,
 * the configuration unreadable) is the fixed 503. No error detail, token or secret ever reaches a response.
 * handler.ts wires it as a Lambda (lib/lambda `createEdgeHandler`).
 *
 * The payload's `api_url` is never called: the API key only goes to the configured Connect URL.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { acceptsProduct } from '../../lib/config';
import type { Dispatcher } from '../../lib/dispatch';
import { isObjectClassName } from '../../lib/object-classes';
import { type EdgeResult, json, readEnvelope, readRawBody, type WebhookVerifier } from '../../lib/webhook';

export type RouterDeps = {
  verifier: WebhookVerifier;
  /** Products this deployment processes; empty means all. */
  products: readonly string[];
  dispatcher: Dispatcher;
  maxBodyBytes?: number;
};

export type WebhookCall = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>;

export async function routeWebhook(
  call: WebhookCall,
  correlationId: string,
  deps: RouterDeps,
): Promise<EdgeResult> {
  const { text } = readRawBody(call, { maxBytes: deps.maxBodyBytes });
  await deps.verifier.verify(call.headers ?? {});
  const { object_class: objectClass, product_id: productId, webhook_id: webhookId } = readEnvelope(text);

  if (!isObjectClassName(objectClass)) {
    return json(202, { status: 'ignored', reason: `object_class ${objectClass} is not processed here` });
  }
  if (!acceptsProduct(deps, productId)) {
    return json(202, { status: 'ignored', reason: `product ${productId} is not processed here` });
  }
  // Connect (or Lambda) down or refusing: the fixed 503 tells Connect the delivery failed; the sweep retries.
  const summary = await deps.dispatcher.dispatch({ productId, objectClass, correlationId, webhookId });
  return json(202, {
    status: 'dispatched',
    correlationId,
    productId,
    objectClass,
    listed: summary.listed,
    dispatched: summary.dispatched,
    failed: summary.failed,
  });
}
