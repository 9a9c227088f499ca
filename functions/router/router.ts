/**
 * The webhook edge, in ARCHITECTURE.md's order: raw body (base64 aware, size-capped) → JWT (HS256) → JSON →
 * envelope schema → object class and product checks → list every pending request → one async invoke per
 * request → 202 with a summary. Nothing is dispatched unless every check passed. Client mistakes get a 4xx
 * whose message says what was wrong; no error detail, token or secret ever reaches a response.
 *
 * The payload's `api_url` is never called: the API key only goes to the configured Connect URL.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptsProduct } from '../../lib/config';
import type { DispatchSummary, ObjectClass } from '../../lib/dispatch';
import {
  InvalidBodyEncodingError,
  isKnownObjectClass,
  PayloadTooLargeError,
  parseEnvelope,
  readRawBody,
  WebhookAuthError,
  type WebhookVerifier,
} from '../../lib/webhook';

type LogMethod = (message: string, ...extra: Array<Record<string, unknown>>) => void;

export type RouterDeps = {
  verifier: WebhookVerifier;
  /** Products this deployment processes; empty means all. */
  products: readonly string[];
  dispatch(args: {
    productId: string;
    objectClass: ObjectClass;
    correlationId: string;
    webhookId: string;
  }): Promise<DispatchSummary>;
  logger: { info: LogMethod; warn: LogMethod; error: LogMethod };
  maxBodyBytes?: number;
};

export type RouterResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

function json(statusCode: number, body: Record<string, unknown>): RouterResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export async function routeWebhook(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>,
  correlationId: string,
  deps: RouterDeps,
): Promise<RouterResult> {
  let text: string;
  try {
    text = readRawBody(event, { maxBytes: deps.maxBodyBytes }).text;
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      deps.logger.warn('Webhook refused: body too large', { bytes: error.actualBytes });
      return json(413, { error: 'payload_too_large', message: `The body exceeds ${error.limitBytes} bytes` });
    }
    if (error instanceof InvalidBodyEncodingError) {
      return json(400, { error: 'invalid_body', message: error.message });
    }
    throw error;
  }

  try {
    await deps.verifier.verify(event.headers ?? {});
  } catch (error) {
    if (error instanceof WebhookAuthError) {
      deps.logger.warn('Webhook refused: authentication failed', { reason: error.reason });
      return json(401, { error: 'unauthorized', message: 'A valid Bearer token is required' });
    }
    throw error;
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return json(400, { error: 'invalid_json', message: 'The body is not valid JSON' });
  }
  const parsed = parseEnvelope(body);
  if (!parsed.success) {
    deps.logger.warn('Webhook refused: invalid envelope', { issues: parsed.issues });
    return json(400, { error: 'invalid_envelope', message: parsed.message, issues: parsed.issues });
  }
  const { object_class: objectClass, product_id: productId, webhook_id: webhookId } = parsed.envelope;

  if (!isKnownObjectClass(objectClass)) {
    return json(202, { status: 'ignored', reason: `object_class ${objectClass} is not processed here` });
  }
  if (!acceptsProduct(deps, productId)) {
    return json(202, { status: 'ignored', reason: `product ${productId} is not processed here` });
  }

  let summary: DispatchSummary;
  try {
    summary = await deps.dispatch({ productId, objectClass, correlationId, webhookId });
  } catch (error) {
    // Connect (or Lambda) is down or refusing: a 5xx tells Connect the delivery failed; the sweep retries.
    deps.logger.error('Listing or dispatching pending requests failed', {
      productId,
      objectClass,
      error: { name: error instanceof Error ? error.name : 'Error' },
    });
    return json(503, { error: 'unavailable', message: 'Pending requests could not be listed; retry later' });
  }
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
