import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { type RouterDeps, routeWebhook } from '../../functions/router/router';
import type { DispatchSummary } from '../../lib/dispatch';
import { createWebhookVerifier } from '../../lib/webhook';
import { RecordingLogger } from '../support/recording-logger';

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
  return new SignJWT({ webhook_id: envelope.webhook_id })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

function setup(products: string[] = []) {
  const dispatched: Array<Parameters<RouterDeps['dispatch']>[0]> = [];
  const logger = new RecordingLogger();
  const deps: RouterDeps = {
    verifier: createWebhookVerifier({ secrets: [SECRET] }),
    products,
    logger,
    dispatch: async (args): Promise<DispatchSummary> => {
      dispatched.push(args);
      return {
        productId: args.productId,
        objectClass: args.objectClass,
        listed: 3,
        dispatched: { purchase: 3 },
        failed: 0,
      };
    },
  };
  return { deps, dispatched, logger };
}

const event = (body: string, headers: Record<string, string>, isBase64Encoded = false) => ({
  body,
  headers,
  isBase64Encoded,
});

describe('routeWebhook', () => {
  it('dispatches the product and answers 202 with a summary', async () => {
    const { deps, dispatched } = setup();
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
      'corr-1',
      deps,
    );
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toMatchObject({
      status: 'dispatched',
      listed: 3,
      dispatched: { purchase: 3 },
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

  it('reads a base64 body', async () => {
    const { deps, dispatched } = setup();
    const body = Buffer.from(JSON.stringify(envelope)).toString('base64');
    const result = await routeWebhook(
      event(body, { authorization: `Bearer ${await token()}` }, true),
      'c',
      deps,
    );
    expect(result.statusCode).toBe(202);
    expect(dispatched).toHaveLength(1);
  });

  it('answers 401 with a generic body for a wrong secret, and dispatches nothing', async () => {
    const { deps, dispatched, logger } = setup();
    const bad = await token('another-secret');
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${bad}` }),
      'c',
      deps,
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({
      error: 'unauthorized',
      message: 'A valid Bearer token is required',
    });
    expect(dispatched).toEqual([]);
    expect(logger.text()).not.toContain(bad);
  });

  it('checks the token before it parses the body', async () => {
    const { deps } = setup();
    const result = await routeWebhook(event('not json', {}), 'c', deps);
    expect(result.statusCode).toBe(401);
  });

  it('answers 413 for a body over the limit, before verifying anything', async () => {
    const { deps, dispatched } = setup();
    const result = await routeWebhook(event('x'.repeat(300 * 1024), {}), 'c', deps);
    expect(result.statusCode).toBe(413);
    expect(dispatched).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { deps } = setup();
    const result = await routeWebhook(
      event('{oops', { authorization: `Bearer ${await token()}` }),
      'c',
      deps,
    );
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_json' });
  });

  it('answers 400 naming the missing fields of an invalid envelope', async () => {
    const { deps, dispatched } = setup();
    const { product_id: _product, webhook_id: _webhook, ...partial } = envelope;
    const result = await routeWebhook(
      event(JSON.stringify(partial), { authorization: `Bearer ${await token()}` }),
      'c',
      deps,
    );
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body) as { issues: string[] };
    expect(body.issues.join(' ')).toContain('product_id');
    expect(body.issues.join(' ')).toContain('webhook_id');
    expect(dispatched).toEqual([]);
  });

  it('ignores other object classes and products with a 202 that says why', async () => {
    const { deps, dispatched } = setup(['PRD-999-999-999']);
    const auth = { authorization: `Bearer ${await token()}` };
    const otherClass = await routeWebhook(
      event(JSON.stringify({ ...envelope, object_class: 'usage_file' }), auth),
      'c',
      deps,
    );
    const otherProduct = await routeWebhook(event(JSON.stringify(envelope), auth), 'c', deps);
    expect([otherClass.statusCode, otherProduct.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(otherClass.body)).toMatchObject({ status: 'ignored' });
    expect(JSON.parse(otherProduct.body).reason).toContain('PRD-100-200-300');
    expect(dispatched).toEqual([]);
  });

  it('answers 503 without error details when listing fails', async () => {
    const { deps } = setup();
    deps.dispatch = async () => {
      throw new Error('connect exploded with ApiKey SU-1:secret');
    };
    const result = await routeWebhook(
      event(JSON.stringify(envelope), { authorization: `Bearer ${await token()}` }),
      'c',
      deps,
    );
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('exploded');
  });
});
