import { describe, expect, it } from 'vitest';
import {
  ConnectResponseError,
  ConnectServerError,
  type InvalidItemEvent,
  rql,
  type WebhookBody,
  WebhookSchema,
} from '../../../lib/connect';
import { json } from './fake-fetch';
import { setup } from './harness';

/** A webhook as Connect lists it (API.md §11.1), without its secret. */
function webhookWire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'WH-833-608-476',
    type: 'event',
    object_class: 'fulfillment_request',
    label: 'connect-fulfillment:prod:fulfillment_request:event',
    description: 'Managed by connect-fulfillment',
    product: { id: 'PRD-150-215-020', name: 'Fallball', icon: '/media/PRD-150-215-020.png' },
    external_url: 'https://abc.execute-api.us-east-1.amazonaws.com/connect/webhook',
    active: true,
    http_method: 'POST',
    data: {},
    headers: {},
    api_url: 'https://api.connect.cloudblue.com/public/v1',
    created_at: '2024-01-14T10:04:56+00:00',
    modified_at: null,
    earliest_possible_trigger: null,
    stats: {
      events: 3,
      triggers: 3,
      success_triggers: 3,
      failure_triggers: 0,
      failure_since_last_success: 0,
    },
    last_success: { time: '2024-01-14T10:05:00+00:00', status: 'success', status_code: 202, duration: 41 },
    last_failure: null,
    ...overrides,
  };
}

const body: WebhookBody = {
  type: 'event',
  object_class: 'tier_config_request',
  label: 'connect-fulfillment:prod:tier_config_request:event',
  description: 'Managed by connect-fulfillment',
  product_id: 'PRD-150-215-020',
  external_url: 'https://abc.execute-api.us-east-1.amazonaws.com/connect/webhook',
  jwt_secret: 'JWT-1f0c2d9e',
  active: true,
  http_method: 'POST',
  data: {},
  headers: {},
};

describe('WebhookSchema', () => {
  it('reads a webhook as Connect lists it and keeps unknown fields', () => {
    // Act
    const webhook = WebhookSchema.parse(webhookWire());

    // Assess
    expect(webhook.product.id).toBe('PRD-150-215-020');
    expect(webhook.jwt_secret).toBeUndefined();
    expect(webhook.last_success?.status_code).toBe(202);
    expect(webhook).toHaveProperty('earliest_possible_trigger', null);
  });

  it('reads a missing or null type as event, and keeps a type it does not know', () => {
    // Act
    const missing = WebhookSchema.parse(webhookWire({ type: undefined }));
    const nulled = WebhookSchema.parse(webhookWire({ type: null }));
    const future = WebhookSchema.parse(webhookWire({ type: 'asset_validator' }));

    // Assess
    expect(missing.type).toBe('event');
    expect(nulled.type).toBe('event');
    expect(future.type).toBe('asset_validator');
  });

  it('is strict on what a sync decides by: the product, the URL, active', () => {
    // Act
    const noProduct = WebhookSchema.safeParse(webhookWire({ product: undefined }));
    const noUrl = WebhookSchema.safeParse(webhookWire({ external_url: null }));
    const activeAsText = WebhookSchema.safeParse(webhookWire({ active: 'true' }));

    // Assess
    expect(noProduct.success).toBe(false);
    expect(noUrl.success).toBe(false);
    expect(activeAsText.success).toBe(false);
  });
});

describe('webhooks.list', () => {
  it('sends the RQL filter and follows Content-Range over every page', async () => {
    // Prepare
    const { client, calls } = setup([
      json([webhookWire({ id: 'WH-1' }), webhookWire({ id: 'WH-2' })], 200, {
        'Content-Range': 'items 0-1/3',
      }),
      json([webhookWire({ id: 'WH-3' })], 200, { 'Content-Range': 'items 2-2/3' }),
    ]);
    const filter = rql.and(
      rql.eq('product.id', 'PRD-150-215-020'),
      rql.like('label', 'connect-fulfillment:*'),
    );

    // Act
    const ids: string[] = [];
    for await (const webhook of client.webhooks.list({ filter, pageSize: 2 })) ids.push(webhook.id);

    // Assess
    expect(ids).toEqual(['WH-1', 'WH-2', 'WH-3']);
    expect(calls.map((call) => call.target)).toEqual([
      '/notifications/webhooks?and(eq(product.id,PRD-150-215-020),like(label,connect-fulfillment:*))&limit=2&offset=0',
      '/notifications/webhooks?and(eq(product.id,PRD-150-215-020),like(label,connect-fulfillment:*))&limit=2&offset=2',
    ]);
  });

  it('leaves out a webhook that fails its schema and reports it', async () => {
    // Prepare
    const invalid: InvalidItemEvent[] = [];
    const { client } = setup(
      [json([webhookWire({ id: 'WH-1', product: null }), webhookWire({ id: 'WH-2' })], 200)],
      { onInvalidItem: (event) => invalid.push(event) },
    );

    // Act
    const ids: string[] = [];
    for await (const webhook of client.webhooks.list()) ids.push(webhook.id);

    // Assess
    expect(ids).toEqual(['WH-2']);
    expect(invalid).toEqual([
      expect.objectContaining({
        path: '/notifications/webhooks',
        id: 'WH-1',
        issues: [expect.stringMatching(/^product: /)],
      }),
    ]);
  });

  it('retries a 503 on a list (a read)', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 503 }, json([webhookWire()], 200)]);

    // Act
    const ids: string[] = [];
    for await (const webhook of client.webhooks.list()) ids.push(webhook.id);

    // Assess
    expect(ids).toEqual(['WH-833-608-476']);
    expect(calls).toHaveLength(2);
  });
});

describe('webhooks.get, create and update', () => {
  it('get reads one webhook by its encoded id', async () => {
    // Prepare
    const { client, calls } = setup([json(webhookWire())]);

    // Act
    const webhook = await client.webhooks.get('WH-833-608-476');

    // Assess
    expect(calls[0]?.target).toBe('/notifications/webhooks/WH-833-608-476');
    expect(webhook.id).toBe('WH-833-608-476');
  });

  it('create POSTs the whole body and parses the 201 webhook', async () => {
    // Prepare
    const { client, calls } = setup([
      json(webhookWire({ id: 'WH-000-000-001', object_class: 'tier_config_request' }), 201),
    ]);

    // Act
    const webhook = await client.webhooks.create(body);

    // Assess
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.target).toBe('/notifications/webhooks');
    expect(calls[0]?.headers.get('content-type')).toBe('application/json');
    expect(calls[0]?.body).toEqual(body);
    expect(webhook.id).toBe('WH-000-000-001');
  });

  it('create is not retried on a 503 (it could create the webhook twice)', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 503 }]);

    // Act
    const result = client.webhooks.create(body);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
    expect(calls).toHaveLength(1);
  });

  it('create is retried on a 429', async () => {
    // Prepare
    const { client, calls } = setup([
      { status: 429, headers: { 'Retry-After': '1' } },
      json(webhookWire(), 201),
    ]);

    // Act
    await client.webhooks.create(body);

    // Assess
    expect(calls).toHaveLength(2);
  });

  it('update PUTs the whole body to the webhook and is retried on a 503 (the same PUT twice is one change)', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 503 }, json(webhookWire({ id: 'WH-9' }))]);

    // Act
    const webhook = await client.webhooks.update('WH-9', body);

    // Assess
    expect(calls.map((call) => `${call.method} ${call.target}`)).toEqual([
      'PUT /notifications/webhooks/WH-9',
      'PUT /notifications/webhooks/WH-9',
    ]);
    expect(calls[1]?.body).toEqual(body);
    expect(webhook.id).toBe('WH-9');
  });

  it('an answer that is not a webhook is a ConnectResponseError naming the field', async () => {
    // Prepare
    const { client } = setup([json(webhookWire({ external_url: 42 }))]);

    // Act
    const result = client.webhooks.update('WH-9', body);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectResponseError);
    await expect(result).rejects.toThrow(/external_url/);
  });
});
