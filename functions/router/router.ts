/**
 * POST /connect/webhook, the whole route: raw body (base64 aware, size-capped) → JWT (HS256) → JSON →
 * envelope schema → object class and product checks → the product's dispatch asked for (one asynchronous
 * invocation of the `dispatch` function) → 202. The answer does not wait for the listing: it takes the same
 * time whatever the queue's depth. Nothing is dispatched unless every check passed.
 *
 * The core is pure: it takes the headers and the raw body and returns the answer, or throws an `EdgeError`
 * (401, 413, 400) that `edgeErrors` turns into an answer saying what was wrong; anything else (Connect down,
 * the configuration unreadable) is the fixed 503. No error detail, token or secret ever reaches a response.
 * handler.ts wires it as a Lambda (lib/lambda `createEdgeHandler`).
 *
 * The payload's `api_url` is never called: the API key only goes to the configured Connect URL.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ALL_PRODUCTS, acceptsProduct } from '../../lib/config';
import type { DispatchRequester } from '../../lib/dispatch';
import { isObjectClassName } from '../../lib/object-classes';
import { type EdgeResult, json, readEnvelope, readRawBody, type WebhookVerifier } from '../../lib/webhook';

export type RouterDeps = {
  verifier: WebhookVerifier;
  /** Products this deployment processes (`*`: every product). */
  products: readonly string[];
  requester: DispatchRequester;
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
  // Lambda refusing the invocation: the fixed 503 tells Connect the delivery failed; the sweep retries.
  // A stage of every product (`*`) dispatches the whole account, as its sweep does: the same lock, so that a
  // webhook's dispatch and the sweep's never list and run the same requests side by side.
  const dispatched = deps.products.includes(ALL_PRODUCTS) ? ALL_PRODUCTS : productId;
  await deps.requester.request({ productId: dispatched, objectClass, correlationId, webhookId });
  return json(202, { status: 'accepted', correlationId, productId, objectClass });
}
