import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, type EmulatorHandle, startEmulator } from '../../emulator';
import {
  type ConnectClient,
  ConversationMessageSchema,
  ConversationSchema,
  createConnectClient,
  type FulfillmentRequest,
  FulfillmentRequestSchema,
} from '../../lib/connect';
import { array, type Http, http, PRODUCT, purchaseBody, record } from './http';

let emulator: EmulatorHandle;
let api: Http;
let client: ConnectClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  api = http(emulator);
  client = createConnectClient({ apiUrl: emulator.url, apiKey: DEFAULT_API_KEY, retry: { maxAttempts: 1 } });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

async function create(body: unknown): Promise<FulfillmentRequest> {
  const response = await api.post('/requests', body);
  expect(response.status).toBe(201);
  return FulfillmentRequestSchema.parse(response.body);
}

async function approvedPurchase(): Promise<FulfillmentRequest> {
  const purchase = await create(purchaseBody());
  return client.requests.approve(purchase.id, { template_id: 'TL-000-000-001' });
}

const assetStatus = async (id: string) => record((await api.get(`/assets/${id}`)).body).status;

describe('creating requests', () => {
  it('creates a purchase with a new processing asset, Connect-format ids and string quantities', async () => {
    // Act
    const request = await create(purchaseBody());

    // Assess
    expect(request.asset.id).toMatch(/^AS-\d{4}-\d{4}-\d{4}$/);
    expect(request.id).toBe(`PR-${request.asset.id.slice(3)}-001`);
    expect(request).toMatchObject({ type: 'purchase', status: 'pending', reason: '', activation_key: '' });
    expect(request.asset.status).toBe('processing');
    expect(request.asset.items[0]).toMatchObject({ id: 'SEATS', quantity: '5', old_quantity: '0' });
    expect(request.asset.connection?.type).toBe('test');
    expect(request.created).toBe(request.updated);
    expect(request.asset.tiers?.customer?.id).toMatch(/^TA-/);
  });

  it('refuses a purchase without product and a change on an unknown asset', async () => {
    // Act
    const noProduct = await api.post('/requests', { type: 'purchase', asset: { items: [] } });
    const unknown = await api.post('/requests', {
      type: 'change',
      asset: { id: 'AS-0000-0000-0000', items: [{ id: 'X', quantity: 1 }] },
    });
    const noAsset = await api.post('/requests', { type: 'suspend', asset: {} });

    // Assess
    expect(noProduct).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(unknown.status).toBe(404);
    expect(noAsset).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });

  it('opens a conversation per request, with a state_change message on each status change', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    await client.requests.inquire(request.id);
    await client.requests.pend(request.id);
    const conversation = await client.conversations.findByInstanceId(request.id);
    const message = await client.conversations.postMessage(conversation?.id ?? '', 'Skipped for now');
    const messages = array((await api.get(`/conversations/${conversation?.id}/messages`)).body);

    // Assess
    expect(ConversationSchema.parse(conversation)).toMatchObject({
      instance_id: request.id,
      topic: `Fulfillment Request ${request.id}`,
    });
    expect(conversation?.id).toMatch(/^CO-/);
    expect(ConversationMessageSchema.parse(message)).toMatchObject({
      text: 'Skipped for now',
      type: 'message',
    });
    expect(message.id).toMatch(/^ME-/);
    expect(messages.map((m) => m.type)).toEqual(['state_change', 'state_change', 'message']);
  });
});

describe('lifecycles through the lib client', () => {
  it('purchase: pending → inquire → pend → approve; asset active, activation key from the template', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const afterUpdate = await client.requests.updateParams(
      request.id,
      [{ id: 'email', value_error: 'Email address has not been provided' }],
      'needs email',
    );
    const inquired = await client.requests.inquire(request.id);
    const pended = await client.requests.pend(request.id);
    const approved = await client.requests.approve(request.id, { template_id: 'TL-432-535-295' });

    // Assess
    expect(afterUpdate.asset.params.find((p) => p.id === 'email')?.value_error).toBe(
      'Email address has not been provided',
    );
    expect(afterUpdate.note).toBe('needs email');
    expect([inquired.status, pended.status, approved.status]).toEqual(['inquiring', 'pending', 'approved']);
    expect(approved.activation_key).toContain('TL-432-535-295');
    expect(approved.template?.id).toBe('TL-432-535-295');
    expect(approved.asset.status).toBe('active');
    expect((approved.updated ?? '') > (request.updated ?? '')).toBe(true);
  });

  it('purchase approved with a tile keeps the markdown as activation key', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const approved = await client.requests.approve(request.id, { activation_tile: '# Welcome to Fallball!' });

    // Assess
    expect(approved.activation_key).toBe('# Welcome to Fallball!');
  });

  it('renders the same template text for the same request', async () => {
    // Prepare
    const first = await create(purchaseBody());
    const approved = await client.requests.approve(first.id, { template_id: 'TL-1' });

    // Act
    const again = await client.requests.get(first.id);

    // Assess
    expect(again.activation_key).toBe(approved.activation_key);
    expect(approved.activation_key).toMatch(/^# /);
  });

  it('purchase fail: reason set, asset terminated', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const failed = await client.requests.fail(request.id, 'Is Not possible to purchase product');

    // Assess
    expect(failed).toMatchObject({ status: 'failed', reason: 'Is Not possible to purchase product' });
    expect(failed.asset.status).toBe('terminated');
  });

  it('change: items carry quantity and old_quantity; approve applies them and keeps the asset active', async () => {
    // Prepare
    const purchase = await approvedPurchase();

    // Act
    const change = await create({
      type: 'change',
      asset: {
        id: purchase.asset.id,
        items: [
          { id: 'SEATS', quantity: '8' },
          { id: 'ADDON', quantity: 2 },
        ],
      },
    });
    const approved = await client.requests.approve(change.id, { template_id: 'TL-000-000-002' });
    const asset = record((await api.get(`/assets/${purchase.asset.id}`)).body);

    // Assess
    expect(change.id).toBe(`PR-${purchase.asset.id.slice(3)}-002`);
    expect(change.asset.items).toMatchObject([
      { id: 'SEATS', quantity: '8', old_quantity: '5' },
      { id: 'ADDON', quantity: '2', old_quantity: '0' },
    ]);
    expect(approved.asset.status).toBe('active');
    expect(asset.items).toMatchObject([
      { id: 'SEATS', quantity: '8' },
      { id: 'ADDON', quantity: '2' },
    ]);
  });

  it('suspend → suspended, resume → active, cancel: terminating while pending, terminated once approved', async () => {
    // Prepare
    const purchase = await approvedPurchase();
    const assetId = purchase.asset.id;

    // Act
    const suspend = await create({ type: 'suspend', asset: { id: assetId } });
    await client.requests.approve(suspend.id, { template_id: 'TL-1' });
    const suspended = await assetStatus(assetId);
    const resume = await create({ type: 'resume', asset: { id: assetId } });
    await client.requests.approve(resume.id, { template_id: 'TL-1' });
    const resumed = await assetStatus(assetId);
    const cancel = await create({ type: 'cancel', asset: { id: assetId } });
    const whileCancelPending = await assetStatus(assetId);
    const approvedCancel = await client.requests.approve(cancel.id, { template_id: 'TL-1' });

    // Assess
    expect([suspended, resumed, whileCancelPending]).toEqual(['suspended', 'active', 'terminating']);
    expect(cancel.asset.status).toBe('terminating');
    expect(approvedCancel.asset.status).toBe('terminated');
    expect(suspend.asset.items[0]).toMatchObject({ quantity: '5', old_quantity: '5' });
  });

  it('a failed cancel gives the asset back its previous status', async () => {
    // Prepare
    const purchase = await approvedPurchase();
    const cancel = await create({ type: 'cancel', asset: { id: purchase.asset.id } });

    // Act
    await client.requests.fail(cancel.id, 'not now');

    // Assess
    expect(await assetStatus(purchase.asset.id)).toBe('active');
  });

  it('refuses a resume on an active asset and any request on a terminated one', async () => {
    // Prepare
    const purchase = await approvedPurchase();
    const failedPurchase = await create(purchaseBody());
    await client.requests.fail(failedPurchase.id, 'no');

    // Act
    const resume = await api.post('/requests', { type: 'resume', asset: { id: purchase.asset.id } });
    const change = await api.post('/requests', {
      type: 'change',
      asset: { id: failedPurchase.asset.id, items: [{ id: 'SEATS', quantity: 1 }] },
    });

    // Assess
    expect(resume).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
    expect(change).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
  });
});

describe('wrong-state and invalid actions', () => {
  it.each([
    ['approve', 'approved', { template_id: 'TL-1' }],
    ['approve', 'failed', { template_id: 'TL-1' }],
    ['approve', 'inquiring', { template_id: 'TL-1' }],
    ['inquire', 'approved', {}],
    ['inquire', 'inquiring', {}],
    ['fail', 'approved', { reason: 'x' }],
    ['fail', 'inquiring', { reason: 'x' }],
    ['pend', 'pending', {}],
    ['pend', 'approved', {}],
  ])('%s from %s answers 400 EMU_STATE and changes nothing', async (action, status, body) => {
    // Prepare
    const request = await create(purchaseBody());
    if (status === 'approved') await api.post(`/requests/${request.id}/approve`, { template_id: 'TL-1' });
    if (status === 'failed') await api.post(`/requests/${request.id}/fail`, { reason: 'x' });
    if (status === 'inquiring') await api.post(`/requests/${request.id}/inquire`, {});

    // Act
    const response = await api.post(`/requests/${request.id}/${action}`, body);

    // Assess
    expect(response.status).toBe(400);
    expect(record(response.body).error_code).toBe('EMU_STATE');
    expect(record(response.body).errors).toEqual([expect.any(String)]);
    expect(record((await api.get(`/requests/${request.id}`)).body).status).toBe(status);
  });

  it('refuses PUT on a closed request', async () => {
    // Prepare
    const request = await create(purchaseBody());
    await api.post(`/requests/${request.id}/approve`, { template_id: 'TL-1' });

    // Act
    const response = await api.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value: 'a@b.c' }] },
    });

    // Assess
    expect(response).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
  });

  it('refuses approve with neither template_id nor activation_tile, fail without reason, a bad template id', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const approve = await api.post(`/requests/${request.id}/approve`, {});
    const fail = await api.post(`/requests/${request.id}/fail`, {});
    const badTemplate = await api.post(`/requests/${request.id}/approve`, { template_id: 'nope' });

    // Assess
    for (const response of [approve, fail, badTemplate]) {
      expect(response).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    }
    expect(record((await api.get(`/requests/${request.id}`)).body).status).toBe('pending');
  });

  it('merges PUT params by id (value, value_error, structured_value) and refuses an unknown param id', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const updated = await api.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value: 'a@b.c', structured_value: { checked: true } }] },
    });
    const unknown = await api.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'nope', value: 'x' }] },
    });

    // Assess
    const params = FulfillmentRequestSchema.parse(updated.body).asset.params;
    expect(params.find((p) => p.id === 'email')).toMatchObject({
      value: 'a@b.c',
      value_error: '',
      structured_value: { checked: true },
    });
    expect(params.find((p) => p.id === 'ActivationKey')?.value).toBe('');
    expect(unknown).toMatchObject({
      status: 400,
      body: { error_code: 'VAL_001', errors: ['Parameter nope does not exist'] },
    });
  });

  it('answers Connect’s error for unknown params, one entry per unknown id, and applies none of the update', async () => {
    // Prepare
    const request = await create(purchaseBody());

    // Act
    const response = await api.put(`/requests/${request.id}`, {
      asset: {
        params: [
          { id: 'email', value: 'a@b.c' },
          { id: 'phone', value: '1' },
          { id: 'fax', value: '2' },
          { id: 'phone', value: '3' },
        ],
      },
    });
    const after = FulfillmentRequestSchema.parse((await api.get(`/requests/${request.id}`)).body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error_code: 'VAL_001',
      errors: ['Parameter phone does not exist', 'Parameter fax does not exist'],
    });
    expect(after.asset.params.find((p) => p.id === 'email')?.value).toBe('');
  });

  it('answers 404 for an unknown request', async () => {
    // Act
    const response = await api.get('/requests/PR-0000-0000-0000-001');

    // Assess
    expect(response).toMatchObject({ status: 404, body: { error_code: 'EMU_NOT_FOUND' } });
  });
});

describe('listing', () => {
  it('pages over 250 requests with Content-Range, and the client reads them all', async () => {
    // Prepare
    for (let i = 0; i < 250; i += 1) await create(purchaseBody());

    // Act
    const first = await api.get('/requests?limit=100');
    const last = await api.get('/requests?limit=100&offset=200');
    const beyond = await api.get('/requests?limit=100&offset=300');
    const seen: string[] = [];
    for await (const request of client.requests.list({ filter: 'eq(status,pending)', pageSize: 100 }))
      seen.push(request.id);

    // Assess
    expect(first.headers.get('content-range')).toBe('items 0-99/250');
    expect(array(first.body)).toHaveLength(100);
    expect(last.headers.get('content-range')).toBe('items 200-249/250');
    expect(array(last.body)).toHaveLength(50);
    expect(beyond.headers.get('content-range')).toBe('items 300-300/250');
    expect(new Set(seen).size).toBe(250);
  });

  it('answers items 0-0/0 when empty and 400 for limit over 1000', async () => {
    // Act
    const empty = await api.get('/requests');
    const tooMany = await api.get('/requests?limit=1001');

    // Assess
    expect(empty.headers.get('content-range')).toBe('items 0-0/0');
    expect(empty.body).toEqual([]);
    expect(tooMany).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });

  it('filters with RQL, aliases, plain params, ordering and select', async () => {
    // Prepare
    const a = await create(purchaseBody());
    const b = await create(purchaseBody({ product: { id: 'PRD-999-999-999' } }));
    const c = await create(purchaseBody());
    await client.requests.approve(c.id, { template_id: 'TL-1' });

    // Act
    const pending = array(
      (await api.get(`/requests?and(eq(status,pending),eq(asset.product.id,${PRODUCT}))`)).body,
    );
    const aliased = array((await api.get('/requests?asset__product__id=PRD-999-999-999')).body);
    const plain = array((await api.get('/requests?status=approved')).body);
    const ordered = array(
      (await api.get('/requests?ordering(-created)&select(-activation_key,-asset.items)')).body,
    );
    const bad = await api.get('/requests?frob(status)');

    // Assess
    expect(pending.map((r) => r.id)).toEqual([a.id]);
    expect(aliased.map((r) => r.id)).toEqual([b.id]);
    expect(plain.map((r) => r.id)).toEqual([c.id]);
    expect(ordered.map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(ordered[0]).not.toHaveProperty('activation_key');
    expect(record(ordered[0]?.asset)).not.toHaveProperty('items');
    expect(bad).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });
});
