import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../emulator';
import { optionsFromEnv } from '../../emulator/cli-env';
import { array, type Http, http, PRODUCT, purchaseBody, record } from './http';

type Delivery = { method: string; headers: IncomingMessage['headers']; body: unknown };

/** A local receiver answering the queued statuses in turn (then 200), recording every delivery. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  statuses: number[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.deliveries.push({
          method: req.method ?? '',
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        });
        res.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/connect/webhook`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'JWT-local-test-secret';
const receiver = new Receiver();
let receiverUrl: string;
let emulator: EmulatorHandle;
let api: Http;

beforeAll(async () => {
  receiverUrl = await receiver.start();
  emulator = await startEmulator({
    port: 0,
    webhookCoalesceMs: 300,
    webhookRetry: { baseDelayMs: 5, maxAttempts: 4 },
  });
  api = http(emulator);
});
afterAll(async () => {
  await emulator.stop();
  await receiver.stop();
});
afterEach(() => {
  emulator.reset();
  receiver.deliveries.length = 0;
  receiver.statuses = [];
});

async function register(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await api.post('/notifications/webhooks', {
    external_url: receiverUrl,
    jwt_secret: SECRET,
    product_id: PRODUCT,
    object_class: 'fulfillment_request',
    label: 'fulfillment',
    data: { env: 'local' },
    ...overrides,
  });
  expect(response.status).toBe(201);
  return record(response.body);
}

describe('webhook registration', () => {
  it('creates, lists, reads, updates and deletes webhooks, never showing the secret', async () => {
    // Act
    const created = await register();
    const id = String(created.id);
    const listed = array((await api.get(`/notifications/webhooks?eq(product.id,${PRODUCT})`)).body);
    const updated = await api.put(`/notifications/webhooks/${id}`, { label: 'renamed', active: false });
    const read = record((await api.get(`/notifications/webhooks/${id}`)).body);
    const deleted = await api.call('DELETE', `/notifications/webhooks/${id}`);
    const gone = await api.get(`/notifications/webhooks/${id}`);

    // Assess
    expect(id).toMatch(/^WH-\d{3}-\d{3}-\d{3}$/);
    expect(created).toMatchObject({
      active: true,
      http_method: 'POST',
      object_class: 'fulfillment_request',
      product: { id: PRODUCT },
    });
    expect(JSON.stringify([created, listed, read])).not.toContain(SECRET);
    expect(listed.map((w) => w.id)).toEqual([id]);
    expect(updated.status).toBe(200);
    expect(read).toMatchObject({ label: 'renamed', active: false });
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('refuses a webhook without external_url or with an unknown object_class', async () => {
    // Act
    const missing = await api.post('/notifications/webhooks', {
      jwt_secret: 's',
      product_id: PRODUCT,
      object_class: 'fulfillment_request',
    });
    const badClass = await api.post('/notifications/webhooks', {
      external_url: receiverUrl,
      jwt_secret: 's',
      product_id: PRODUCT,
      object_class: 'nope',
    });

    // Assess
    expect(missing).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(badClass).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });
});

describe('webhook list filters (a sync tool finds its webhooks by label and description)', () => {
  const OTHER = 'PRD-000-000-999';

  async function fixtures(): Promise<Record<string, string>> {
    const a = await register({ label: 'sync:PRD-111 fulfillment', description: 'managed by connect-sync' });
    const b = await register({
      label: 'sync:PRD-111 validator',
      description: 'managed by connect-sync',
      type: 'validator',
      active: false,
    });
    const c = await register({ label: 'manual', description: 'hand-made', product_id: OTHER });
    const d = await register({
      label: 'sync:PRD-999 tiers',
      description: 'managed by connect-sync',
      object_class: 'tier_config_request',
      product_id: OTHER,
    });
    return { a: String(a.id), b: String(b.id), c: String(c.id), d: String(d.id) };
  }

  it.each([
    ['eq(product.id,PRD-111-222-333)', 'ab'],
    ['product.id=PRD-111-222-333', 'ab'],
    ['like(product.id,*-999)', 'cd'],
    ['eq(type,validator)', 'b'],
    ['type=event', 'acd'],
    ['like(type,*valid*)', 'b'],
    ['in(type,(validator,event))', 'abcd'],
    ['eq(label,manual)', 'c'],
    [`eq(label,${encodeURIComponent('sync:PRD-111 fulfillment')})`, 'a'],
    ['like(label,sync:*)', 'abd'],
    ['ilike(label,SYNC:*)', 'abd'],
    ['in(label,(manual,sync:PRD-999 tiers))', 'cd'],
    [`like(label,${encodeURIComponent('*PRD-111 v')}*)`, 'b'],
    ['eq(description,hand-made)', 'c'],
    [`description=${encodeURIComponent('managed by connect-sync')}`, 'abd'],
    ['like(description,*connect-sync)', 'abd'],
    ['eq(active,false)', 'b'],
    ['active=true', 'acd'],
    ['like(active,tr*)', 'acd'],
    ['and(like(label,sync:*),like(description,*sync),eq(product.id,PRD-111-222-333),eq(active,true))', 'a'],
  ])('GET /notifications/webhooks?%s', async (query, expected) => {
    // Prepare
    const ids = await fixtures();

    // Act
    const response = await api.get(`/notifications/webhooks?${query}`);

    // Assess
    expect(response.status).toBe(200);
    expect(array(response.body).map((w) => w.id)).toEqual([...expected].map((key) => ids[key]));
    expect(response.headers.get('content-range')).toBe(`items 0-${expected.length - 1}/${expected.length}`);
  });
});

describe('webhook delivery', () => {
  it('POSTs the event envelope with a Bearer JWT that verifies with the secret (HS256)', async () => {
    // Prepare
    const webhook = await register();

    // Act
    await api.post('/requests', purchaseBody());
    await emulator.webhooksIdle();

    // Assess
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    const token = String(delivery?.headers.authorization).replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.webhook_id).toBe(webhook.id);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    expect(delivery?.body).toEqual({
      webhook_id: webhook.id,
      webhook_name: 'fulfillment',
      object_class: 'fulfillment_request',
      account_id: 'VA-000-000',
      product_id: PRODUCT,
      api_url: emulator.url,
      triggered_at: expect.any(String),
      last_success_at: null,
      last_failure_at: null,
      processing_timeout: 600,
      data: { env: 'local' },
    });
  });
  it('coalesces a burst of 10 creations into one delivery', async () => {
    // Prepare
    await register();

    // Act
    await Promise.all(Array.from({ length: 10 }, () => api.post('/requests', purchaseBody())));
    await emulator.webhooksIdle();
    const webhook = array((await api.get('/notifications/webhooks')).body)[0];

    // Assess
    expect(receiver.deliveries).toHaveLength(1);
    expect(webhook?.stats).toMatchObject({ events: 10, triggers: 1, success_triggers: 1 });
  });

  it('retries a failing receiver (500, 500, then 200) and records last_failure and last_success', async () => {
    // Prepare
    const created = await register();
    receiver.statuses = [500, 500];

    // Act
    await api.post('/requests', purchaseBody());
    await emulator.webhooksIdle();
    const webhook = record((await api.get(`/notifications/webhooks/${created.id}`)).body);

    // Assess
    expect(receiver.deliveries).toHaveLength(3);
    expect(webhook.last_failure).toMatchObject({
      status: 'failure',
      status_code: 500,
      time: expect.any(String),
    });
    expect(webhook.last_success).toMatchObject({
      status: 'success',
      status_code: 200,
      time: expect.any(String),
    });
    expect(webhook.stats).toMatchObject({
      triggers: 3,
      failure_triggers: 2,
      success_triggers: 1,
      failure_since_last_success: 0,
    });
    expect(record(receiver.deliveries[2]?.body).last_failure_at).toEqual(expect.any(String));
  });

  it('records a connection error as a failure with status code 0', async () => {
    // Prepare
    const closed = new Receiver();
    const closedUrl = await closed.start();
    await closed.stop();
    const created = await register({ external_url: closedUrl });

    // Act
    await api.post('/requests', purchaseBody());
    await emulator.webhooksIdle();
    const webhook = record((await api.get(`/notifications/webhooks/${created.id}`)).body);

    // Assess
    expect(webhook.last_failure).toMatchObject({ status: 'failure', status_code: 0 });
    expect(webhook.last_success).toBeNull();
    expect(webhook.stats).toMatchObject({ triggers: 4, failure_since_last_success: 4 });
  });

  it('fires on status changes, only for the webhook’s product, object class and when active', async () => {
    // Prepare
    const created = await api.post('/requests', purchaseBody());
    await register();
    await register({ product_id: 'PRD-000-000-999', label: 'other product' });
    await register({ object_class: 'tier_config_request', label: 'tiers' });
    await register({ active: false, label: 'inactive' });

    // Act
    await api.post(`/requests/${record(created.body).id}/approve`, { template_id: 'TL-1' });
    await emulator.webhooksIdle();

    // Assess
    expect(receiver.deliveries.map((d) => record(d.body).webhook_name)).toEqual(['fulfillment']);
  });

  it('fires tier_config_request webhooks for TCRs', async () => {
    // Prepare
    await register({ object_class: 'tier_config_request', label: 'tiers' });

    // Act
    await api.post('/tier/config-requests', { configuration: { product: { id: PRODUCT }, tier_level: 1 } });
    await emulator.webhooksIdle();

    // Assess
    expect(receiver.deliveries.map((d) => record(d.body).object_class)).toEqual(['tier_config_request']);
  });

  it('delivers on POST /notifications/webhooks/{id}/trigger', async () => {
    // Prepare
    const created = await register();

    // Act
    const response = await api.post(`/notifications/webhooks/${created.id}/trigger`);
    await emulator.webhooksIdle();

    // Assess
    expect(response.status).toBe(200);
    expect(receiver.deliveries).toHaveLength(1);
  });
});

describe('webhook coalescing window', () => {
  it('npm run emulator reads CONNECT_EMULATOR_WEBHOOK_COALESCE_MS: default 100, 0 allowed, garbage refused', () => {
    // Act
    const defaults = optionsFromEnv({});
    const zero = optionsFromEnv({ CONNECT_EMULATOR_WEBHOOK_COALESCE_MS: '0' });
    const set = optionsFromEnv({
      CONNECT_EMULATOR_WEBHOOK_COALESCE_MS: '250',
      CONNECT_EMULATOR_VALIDATOR_TIMEOUT_MS: '500',
    });
    const bad = ['-1', '1.5', 'soon'].map(
      (text) => () => optionsFromEnv({ CONNECT_EMULATOR_WEBHOOK_COALESCE_MS: text }),
    );

    // Assess
    expect(defaults).toMatchObject({ port: 4010, webhookCoalesceMs: 100, validatorTimeoutMs: 10_000 });
    expect(zero.webhookCoalesceMs).toBe(0);
    expect(set).toMatchObject({ webhookCoalesceMs: 250, validatorTimeoutMs: 500 });
    for (const parse of bad) expect(parse).toThrow(/CONNECT_EMULATOR_WEBHOOK_COALESCE_MS/);
  });

  it('delivers with webhookCoalesceMs 0 (next tick); events of one tick still make one delivery', async () => {
    // Prepare
    const immediate = await startEmulator({ port: 0, webhookCoalesceMs: 0 });
    const immediateApi = http(immediate);
    const registered = await immediateApi.post('/notifications/webhooks', {
      external_url: receiverUrl,
      jwt_secret: SECRET,
      product_id: PRODUCT,
      object_class: 'fulfillment_request',
      label: 'immediate',
    });

    // Act
    await immediateApi.post('/requests', purchaseBody());
    await immediate.webhooksIdle();
    const afterOne = receiver.deliveries.length;
    for (let i = 0; i < 5; i += 1) immediate.store.createRequest(purchaseBody());
    await immediate.webhooksIdle();
    const webhook = record(
      (await immediateApi.get(`/notifications/webhooks/${record(registered.body).id}`)).body,
    );
    await immediate.stop();

    // Assess
    expect(afterOne).toBe(1);
    expect(receiver.deliveries.map((d) => record(d.body).webhook_name)).toEqual(['immediate', 'immediate']);
    expect(webhook.stats).toMatchObject({ events: 6, triggers: 2, success_triggers: 2 });
  });
});
