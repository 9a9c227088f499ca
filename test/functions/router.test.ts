import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookRoute } from '../../functions/router/handler';
import type { RouterDeps, WebhookCall } from '../../functions/router/router';
import type { DispatchRequest } from '../../lib/dispatch';
import { createLogger } from '../../lib/observability';
import { createWebhookVerifier, signWebhookToken } from '../../lib/webhook';
import { type CapturedOutput, captureOutput } from '../support/capture-output';
import { fakeLambdaContext } from '../support/lambda-context';

const SECRET = 'router-test-secret';
const envelope = {
  webhook_id: 'WH-000-000-001',
  webhook_name: 'fulfillment',
  object_class: 'fulfillment_request',
  account_id: 'VA-000-000',
  product_id: 'PRD-100-200-300',
  api_url: 'http://127.0.0.1:9/decoy/public/v1',
  triggered_at: '2026-11-27T10:00:00+00:00',
  last_success_at: null,
  last_failure_at: null,
  processing_timeout: 600,
  data: {},
};

async function token(secret = SECRET) {
  return signWebhookToken({ secret, claims: { webhook_id: envelope.webhook_id } });
}

let output: CapturedOutput | undefined;
afterEach(() => output?.restore());

/**
 * The route as deployed (the core, the edge's error mapping, the logger's context), with a recording
 * dispatcher; `logger.text()` is everything the route logged.
 */
function setup(products: string[] = ['*']) {
  const dispatched: DispatchRequest[] = [];
  const deps: RouterDeps = {
    verifier: createWebhookVerifier({ secrets: [SECRET] }),
    products,
    requester: {
      request: async (order) => {
        dispatched.push(order);
      },
    },
  };
  output = captureOutput();
  const capture = output;
  const route = createWebhookRoute({
    deps: async () => deps,
    logger: createLogger({ logLevel: 'DEBUG' }),
    newCorrelationId: () => 'corr-1',
  });
  const context = fakeLambdaContext({ functionName: 'connect-fulfillment-dev-router' });
  return { deps, dispatched, logger: capture, routeWebhook: (call: WebhookCall) => route(call, context) };
}

const event = (body: string, headers: Record<string, string>, isBase64Encoded = false) => ({
  body,
  headers,
  isBase64Encoded,
});

describe('routeWebhook', () => {
  it("asks for the product's dispatch and answers 202 at once", async () => {
    const { dispatched, routeWebhook } = setup(['PRD-100-200-300', 'PRD-999-999-999']);
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
    );
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toEqual({
      status: 'accepted',
      correlationId: 'corr-1',
      productId: 'PRD-100-200-300',
      objectClass: 'fulfillment_request',
    });
    expect(dispatched).toEqual([
      {
        productId: 'PRD-100-200-300',
        objectClass: 'fulfillment_request',
        correlationId: 'corr-1',
        webhookId: 'WH-000-000-001',
      },
    ]);
  });

  it('asks a stage of every product (*) for the whole account, the dispatch its sweep asks for too', async () => {
    const { dispatched, routeWebhook } = setup(['*']);
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
    );
    expect(JSON.parse(result.body)).toMatchObject({ status: 'accepted', productId: 'PRD-100-200-300' });
    expect(dispatched.map((order) => order.productId)).toEqual(['*']);
  });

  it('reads a base64 body', async () => {
    const { dispatched, routeWebhook } = setup();
    const body = Buffer.from(JSON.stringify(envelope)).toString('base64');
    const result = await routeWebhook(event(body, { authorization: `Bearer ${await token()}` }, true));
    expect(result.statusCode).toBe(202);
    expect(dispatched).toHaveLength(1);
  });

  it('answers 401 with a generic body for a wrong secret, and dispatches nothing', async () => {
    const { dispatched, logger, routeWebhook } = setup();
    const bad = await token('another-secret');
    const result = await routeWebhook(event(JSON.stringify(envelope), { authorization: `Bearer ${bad}` }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({
      error: 'unauthorized',
      message: 'A valid Bearer token is required',
    });
    expect(dispatched).toEqual([]);
    expect(logger.text()).not.toContain(bad);
  });

  it('checks the token before it parses the body', async () => {
    const { routeWebhook } = setup();
    const result = await routeWebhook(event('not json', {}));
    expect(result.statusCode).toBe(401);
  });

  it('answers 413 for a body over the limit, before verifying anything', async () => {
    const { dispatched, routeWebhook } = setup();
    const result = await routeWebhook(event('x'.repeat(300 * 1024), {}));
    expect(result.statusCode).toBe(413);
    expect(dispatched).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { routeWebhook } = setup();
    const result = await routeWebhook(event('{oops', { authorization: `Bearer ${await token()}` }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_json' });
  });

  it('answers 400 naming the missing fields of an invalid envelope', async () => {
    const { dispatched, routeWebhook } = setup();
    const { product_id: _product, webhook_id: _webhook, ...partial } = envelope;
    const result = await routeWebhook(
      event(JSON.stringify(partial), { authorization: `Bearer ${await token()}` }),
    );
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body) as { issues: string[] };
    expect(body.issues.join(' ')).toContain('product_id');
    expect(body.issues.join(' ')).toContain('webhook_id');
    expect(dispatched).toEqual([]);
  });

  it('ignores other object classes and products with a 202 that says why', async () => {
    const { dispatched, routeWebhook } = setup(['PRD-999-999-999']);
    const auth = { authorization: `Bearer ${await token()}` };
    const otherClass = await routeWebhook(
      event(JSON.stringify({ ...envelope, object_class: 'usage_file' }), auth),
    );
    const otherProduct = await routeWebhook(event(JSON.stringify(envelope), auth));
    expect([otherClass.statusCode, otherProduct.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(otherClass.body)).toMatchObject({ status: 'ignored' });
    expect(JSON.parse(otherProduct.body).reason).toContain('PRD-100-200-300');
    expect(dispatched).toEqual([]);
  });

  it('dispatches nothing when the product list is empty: fail closed, never every product', async () => {
    const { dispatched, routeWebhook } = setup([]);
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
    );
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'ignored' });
    expect(dispatched).toEqual([]);
  });

  it('answers 503 without error details when the dispatch cannot be asked for', async () => {
    const { deps, routeWebhook } = setup();
    deps.requester = {
      request: async () => {
        throw new Error('lambda exploded with ApiKey SU-1:secret');
      },
    };
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
    );
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('exploded');
    expect(JSON.parse(result.body)).toEqual({
      error: 'unavailable',
      message: 'The call could not be processed; retry later',
    });
  });
});
