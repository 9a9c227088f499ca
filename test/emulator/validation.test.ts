/**
 * Dynamic validation over real HTTP: the emulator calls a validator webhook served here by node:http, which
 * verifies the JWT with jose (HS256, the webhook's jwt_secret) and answers the object back with value_errors.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmulatorHandle,
  FULFILLMENT_VALIDATOR_TYPES,
  startEmulator,
  TIER_CONFIG_VALIDATOR_TYPES,
} from '../../emulator';
import { fulfillmentValidatorType, paramUpdates, tierConfigValidatorType } from '../../emulator/validation';
import { array, type Http, http, PRODUCT, record } from './http';

const SECRET = 'JWT-validator-secret';
type Json = Record<string, unknown>;
type Received = { path: string; headers: IncomingHttpHeaders; body: Json; webhookId: unknown };

/** The vendor's validator rules: email needs an "@", tenant is filled in, required params need a value. */
function validate(object: Json): Json {
  const answer = structuredClone(object);
  const asset = answer.asset as Json | undefined;
  const configuration = answer.configuration as Json | undefined;
  const lists = [asset?.params, answer.params].filter(Array.isArray) as Json[][];
  for (const param of lists.flat()) {
    const value = String(param.value ?? '');
    const required = (param.constraints as Json | undefined)?.required === true;
    if (param.id === 'email') param.value_error = value.includes('@') ? '' : 'Email address is invalid';
    else if (param.id === 'tenant' && value === '') param.value = `TEN-${String(answer.id)}`;
    else param.value_error = required && value === '' ? 'This parameter is required' : '';
    // Fields a validator must not be able to change:
    param.title = 'changed by the validator';
    param.structured_value = { changed: true };
  }
  answer.status = 'approved';
  answer.note = 'changed by the validator';
  if (asset) asset.status = 'active';
  if (configuration) configuration.status = 'active';
  return answer;
}

/** Validators on one port: /check (the rules above), /config (errors in configuration.params only), /fail, /hang, /text. */
class ValidatorServer {
  readonly received: Received[] = [];
  readonly events: Json[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void this.answer(req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), (status, text) =>
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(text),
        );
      });
    });
  }

  private async answer(
    path: string,
    headers: IncomingHttpHeaders,
    text: string,
    reply: (status: number, text: string) => void,
  ): Promise<void> {
    const body = JSON.parse(text) as Json;
    if (path === '/event') {
      this.events.push(body);
      reply(200, '{}');
      return;
    }
    let webhookId: unknown;
    try {
      const token = String(headers.authorization).replace(/^Bearer /, '');
      const verified = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
      webhookId = verified.payload.webhook_id;
    } catch {
      reply(401, '{"error":"bad token"}');
      return;
    }
    this.received.push({ path, headers, body, webhookId });
    if (path === '/check') reply(200, JSON.stringify(validate(body)));
    else if (path === '/config') reply(200, JSON.stringify(configErrors(body)));
    else if (path === '/fail') reply(500, '{"error":"validator crashed"}');
    else if (path === '/text') reply(200, 'OK, looks fine');
    // '/hang': never answers.
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCR validator that writes its errors into configuration.params only (as in CloudBlue's Mulesoft test). */
function configErrors(object: Json): Json {
  const answer = structuredClone(object);
  const params = (answer.configuration as Json).params as Json[];
  for (const param of params) param.value_error = param.value ? '' : 'Fill this in';
  return answer;
}

const validators = new ValidatorServer();
let base: string;
let emulator: EmulatorHandle;
let api: Http;

beforeAll(async () => {
  base = await validators.start();
  emulator = await startEmulator({ port: 0, webhookCoalesceMs: 10, validatorTimeoutMs: 5_000 });
  api = http(emulator);
});
afterAll(async () => {
  await emulator.stop();
  await validators.stop();
});
afterEach(() => {
  emulator.reset();
  validators.received.length = 0;
  validators.events.length = 0;
});

const enableDynamicValidation = (product = PRODUCT) =>
  api.admin('PUT', `/__emulator/products/${product}`, { capabilities: { dynamic_validation: true } });

async function webhook(type: string, path: string, overrides: Json = {}): Promise<Json> {
  const tier = TIER_CONFIG_VALIDATOR_TYPES.some((t) => t === type);
  const response = await api.post('/notifications/webhooks', {
    external_url: `${base}${path}`,
    jwt_secret: SECRET,
    product_id: PRODUCT,
    object_class: tier ? 'tier_config_request' : 'fulfillment_request',
    label: `${type} ${path}`,
    type,
    ...overrides,
  });
  expect(response.status).toBe(201);
  return record(response.body);
}

const draftBody = (overrides: Json = {}) => ({
  type: 'purchase',
  status: 'draft',
  asset: {
    product: { id: PRODUCT },
    items: [{ id: 'SEATS', quantity: 5 }],
    params: [
      { id: 'email', value: 'not-an-email', constraints: { required: true } },
      { id: 'tenant', value: '' },
    ],
  },
  ...overrides,
});

async function createDraft(body: unknown = draftBody()): Promise<Json> {
  const response = await api.post('/requests', body);
  expect(response.status).toBe(201);
  return record(response.body);
}

const getRequest = async (id: unknown) => record((await api.get(`/requests/${id}`)).body);
const getTcr = async (id: unknown) => record((await api.get(`/tier/config-requests/${id}`)).body);
const paramOf = (object: Json, id: string, at: 'asset' | 'tcr' = 'asset') =>
  array(at === 'asset' ? record(object.asset).params : object.params).find((p) => p.id === id);

describe('product capabilities', () => {
  it('PUT /__emulator/products/{id} sets dynamic_validation, GET reads it, unknown fields are refused, reset forgets it', async () => {
    // Act
    const before = await api.admin('GET', `/__emulator/products/${PRODUCT}`);
    const put = await enableDynamicValidation();
    const read = await api.admin('GET', `/__emulator/products/${PRODUCT}`);
    const list = await api.admin('GET', '/__emulator/products');
    const typo = await api.admin('PUT', `/__emulator/products/${PRODUCT}`, {
      capabilities: { dynamicValidation: true },
    });
    await api.admin('POST', '/__emulator/reset');
    const afterReset = await api.admin('GET', `/__emulator/products/${PRODUCT}`);

    // Assess
    const off = { id: PRODUCT, capabilities: { dynamic_validation: false } };
    const on = { id: PRODUCT, capabilities: { dynamic_validation: true } };
    expect(before).toMatchObject({ status: 200, body: off });
    expect(put).toMatchObject({ status: 200, body: on });
    expect(read.body).toEqual(on);
    expect(list.body).toEqual([on]);
    expect(typo).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(afterReset.body).toEqual(off);
  });

  it('takes products from startEmulator({seed: {products}}) and from store.setProduct', async () => {
    // Prepare
    const seeded = await startEmulator({
      port: 0,
      seed: {
        products: [{ id: 'PRD-1', capabilities: { dynamic_validation: true } }],
        requests: [draftBody({ asset: { product: { id: 'PRD-1' }, params: [] } })],
      },
    });

    // Act
    const requests = seeded.store.listRequests();
    const product = seeded.store.setProduct('PRD-2', { capabilities: { dynamic_validation: true } });
    const listed = seeded.store.listProducts();
    await seeded.stop();

    // Assess
    expect(requests.map((r) => [r.status, r.asset.status])).toEqual([['draft', 'draft']]);
    expect(product).toEqual({ id: 'PRD-2', capabilities: { dynamic_validation: true } });
    expect(listed.map((p) => p.id)).toEqual(['PRD-1', 'PRD-2']);
  });
});

describe('drafts', () => {
  it('refuses a draft request and a draft TCR without the capability, naming the reason, creating nothing', async () => {
    // Act
    const request = await api.post('/requests', draftBody());
    const tcr = await api.post('/tier/config-requests', {
      status: 'draft',
      configuration: { product: { id: PRODUCT }, tier_level: 1 },
    });
    const requests = (await api.get('/requests')).body;
    const assets = (await api.get('/assets')).body;
    const tcrs = (await api.get('/tier/config-requests')).body;

    // Assess
    for (const response of [request, tcr]) {
      expect(response.status).toBe(400);
      expect(record(response.body).error_code).toBe('VAL_001');
      expect(String(record(response.body).errors)).toContain('dynamic validation capability');
      expect(String(record(response.body).errors)).toContain(PRODUCT);
    }
    expect([requests, assets, tcrs]).toEqual([[], [], []]);
  });

  it('creates a draft purchase (asset draft) without firing event webhooks; PUT stores params on it', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('event', '/event');

    // Act
    const draft = await createDraft();
    const put = await api.put(`/requests/${draft.id}`, {
      asset: { params: [{ id: 'email', value: 'user@example.com' }] },
    });
    await emulator.webhooksIdle();

    // Assess
    expect(draft.status).toBe('draft');
    expect(record(draft.asset).status).toBe('draft');
    expect(record((await api.get(`/assets/${record(draft.asset).id}`)).body).status).toBe('draft');
    expect(put.status).toBe(200);
    expect(paramOf(record(put.body), 'email')?.value).toBe('user@example.com');
    expect(validators.events).toEqual([]);
  });

  it('refuses a draft of a type without validators and an unknown create status', async () => {
    // Prepare
    await enableDynamicValidation();

    // Act
    const suspend = await api.post('/requests', { type: 'suspend', status: 'draft', asset: { id: 'AS-1' } });
    const approved = await api.post('/requests', draftBody({ status: 'approved' }));

    // Assess
    expect(suspend).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(String(record(suspend.body).errors)).toContain('suspend request cannot be a draft');
    expect(approved).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });
});

describe('validator webhooks', () => {
  it('accepts event (the default) and every validator type; refuses unknown types and a mismatched object_class', async () => {
    // Act
    const plain = await api.post('/notifications/webhooks', {
      external_url: `${base}/event`,
      jwt_secret: SECRET,
      product_id: PRODUCT,
      object_class: 'fulfillment_request',
    });
    const created = [];
    for (const type of [...FULFILLMENT_VALIDATOR_TYPES, ...TIER_CONFIG_VALIDATOR_TYPES])
      created.push(await webhook(type, '/check'));
    const unknown = await api.post('/notifications/webhooks', {
      external_url: `${base}/check`,
      jwt_secret: SECRET,
      product_id: PRODUCT,
      object_class: 'fulfillment_request',
      type: 'validation',
    });
    const mismatched = await api.post('/notifications/webhooks', {
      external_url: `${base}/check`,
      jwt_secret: SECRET,
      product_id: PRODUCT,
      object_class: 'tier_config_request',
      type: 'validator',
    });

    // Assess
    expect(record(plain.body).type).toBe('event');
    expect(created.map((w) => w.type)).toEqual([
      ...FULFILLMENT_VALIDATOR_TYPES,
      ...TIER_CONFIG_VALIDATOR_TYPES,
    ]);
    expect(unknown).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(mismatched).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });

  it('never fires a validator webhook on status changes, and refuses to trigger one', async () => {
    // Prepare
    const validator = await webhook('validator', '/check');
    await webhook('draft_tcr_t1_val', '/check');
    await webhook('event', '/event');
    const created = record((await api.post('/requests', draftBody({ status: 'pending' }))).body);
    const tcr = record(
      (
        await api.post('/tier/config-requests', {
          configuration: { product: { id: PRODUCT }, tier_level: 1 },
        })
      ).body,
    );

    // Act
    await api.post(`/requests/${created.id}/inquire`, {});
    await api.post(`/requests/${created.id}/pend`);
    const approved = await api.post(`/requests/${created.id}/approve`, { template_id: 'TL-1' });
    await api.post(`/tier/config-requests/${tcr.id}/approve`, { template: { id: 'TL-1' } });
    const trigger = await api.post(`/notifications/webhooks/${validator.id}/trigger`);
    await emulator.webhooksIdle();

    // Assess
    expect(record(approved.body).status).toBe('approved');
    expect(validators.received).toEqual([]);
    expect(validators.events.length).toBeGreaterThan(0);
    expect(trigger).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });
});

describe('POST /requests/{id}/validate', () => {
  it('POSTs the whole draft with a JWT of the jwt_secret and applies only value and value_error', async () => {
    // Prepare
    await enableDynamicValidation();
    const validator = await webhook('validator', '/check');
    const draft = await createDraft();
    const before = await getRequest(draft.id);

    // Act
    const response = await api.post(`/requests/${draft.id}/validate`);
    const after = await getRequest(draft.id);

    // Assess
    expect(validators.received).toHaveLength(1);
    const [call] = validators.received;
    expect(call?.webhookId).toBe(validator.id);
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.body).toEqual(before);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(after);
    expect(after).toMatchObject({ status: 'draft', note: '', asset: { status: 'draft' } });
    expect(paramOf(after, 'email')).toMatchObject({
      value: 'not-an-email',
      value_error: 'Email address is invalid',
      title: 'email',
    });
    expect(paramOf(after, 'email')).not.toHaveProperty('structured_value');
    expect(paramOf(after, 'tenant')).toMatchObject({ value: `TEN-${draft.id}`, value_error: '' });
  });

  it('records each call in /__emulator/validations and on the webhook like a delivery; reset clears the log', async () => {
    // Prepare
    await enableDynamicValidation();
    const validator = await webhook('validator', '/check');
    const draft = await createDraft();

    // Act
    await api.post(`/requests/${draft.id}/validate`);
    const log = array((await api.admin('GET', '/__emulator/validations')).body);
    const seen = record((await api.get(`/notifications/webhooks/${validator.id}`)).body);
    await api.admin('POST', '/__emulator/reset');
    const cleared = (await api.admin('GET', '/__emulator/validations')).body;

    // Assess
    expect(log).toEqual([
      {
        time: expect.any(String),
        webhook_id: validator.id,
        type: 'validator',
        object_class: 'fulfillment_request',
        request_id: draft.id,
        status_code: 200,
        duration: expect.any(Number),
        errors: [],
      },
    ]);
    expect(seen.last_success).toMatchObject({ status: 'success', status_code: 200 });
    expect(seen.stats).toMatchObject({ events: 1, triggers: 1, success_triggers: 1 });
    expect(cleared).toEqual([]);
  });

  it('answers the request unchanged without a matching validator (other product, other type, inactive)', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('validator', '/check', { product_id: 'PRD-000-000-999' });
    await webhook('inquiring_validator', '/check');
    await webhook('validator', '/check', { active: false });
    const draft = await createDraft();

    // Act
    const response = await api.post(`/requests/${draft.id}/validate`);

    // Assess
    expect(response).toMatchObject({ status: 200, body: draft });
    expect(validators.received).toEqual([]);
    expect(emulator.validations()).toEqual([]);
  });

  it('picks the validator by request type and status: a draft change goes to change_validator', async () => {
    // Prepare
    await enableDynamicValidation();
    const purchase = record((await api.post('/requests', draftBody({ status: 'pending' }))).body);
    await api.post(`/requests/${purchase.id}/approve`, { template_id: 'TL-1' });
    await webhook('validator', '/fail');
    const change = await webhook('change_validator', '/check');
    const draft = await createDraft({
      type: 'change',
      status: 'draft',
      asset: { id: record(purchase.asset).id, items: [{ id: 'SEATS', quantity: 9 }] },
    });

    // Act
    const response = await api.post(`/requests/${draft.id}/validate`);

    // Assess
    expect(response.status).toBe(200);
    expect(validators.received.map((r) => r.webhookId)).toEqual([change.id]);
    expect(emulator.validations().map((v) => v.type)).toEqual(['change_validator']);
  });

  it.each([
    ['/fail', 500, 'answered 500'],
    ['/text', 200, 'answered a body that is not JSON'],
  ])('a validator at %s: 502 EMU_VALIDATOR, object untouched, failure recorded', async (path, code, why) => {
    // Prepare
    await enableDynamicValidation();
    const validator = await webhook('validator', path);
    const draft = await createDraft();
    const before = await getRequest(draft.id);

    // Act
    const response = await api.post(`/requests/${draft.id}/validate`);
    const after = await getRequest(draft.id);
    const seen = record((await api.get(`/notifications/webhooks/${validator.id}`)).body);

    // Assess
    expect(response.status).toBe(502);
    expect(response.body).toEqual({
      error_code: 'EMU_VALIDATOR',
      errors: [`Validator ${validator.id} ${why}`],
    });
    expect(after).toEqual(before);
    expect(emulator.validations()).toMatchObject([{ status_code: code, errors: [why] }]);
    expect(seen.last_failure).toMatchObject({ status: 'failure', status_code: code });
    expect(seen.last_success).toBeNull();
  });

  it('a validator that never answers: 502 once the configured timeout passes, status 0, nothing changed', async () => {
    // Prepare
    const quick = await startEmulator({ port: 0, validatorTimeoutMs: 100 });
    const quickApi = http(quick);
    await quickApi.admin('PUT', `/__emulator/products/${PRODUCT}`, {
      capabilities: { dynamic_validation: true },
    });
    const hook = await quickApi.post('/notifications/webhooks', {
      external_url: `${base}/hang`,
      jwt_secret: SECRET,
      product_id: PRODUCT,
      object_class: 'fulfillment_request',
      type: 'validator',
    });
    const draft = record((await quickApi.post('/requests', draftBody())).body);

    // Act
    const response = await quickApi.post(`/requests/${draft.id}/validate`);
    const purchase = await quickApi.post(`/requests/${draft.id}/purchase`);
    const after = record((await quickApi.get(`/requests/${draft.id}`)).body);
    const log = quick.validations();
    await quick.stop();

    // Assess
    const id = record(hook.body).id;
    expect(response).toMatchObject({
      status: 502,
      body: { error_code: 'EMU_VALIDATOR', errors: [`Validator ${id} timed out after 100 ms`] },
    });
    expect(purchase.status).toBe(502);
    expect(after).toEqual(draft);
    expect(log.map((v) => [v.status_code, v.errors])).toEqual([
      [0, ['timed out after 100 ms']],
      [0, ['timed out after 100 ms']],
    ]);
  });
});

describe('POST /requests/{id}/purchase', () => {
  it('refuses while the validator reports errors, accepts after the fix, then fires the event webhook', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('validator', '/check');
    await webhook('event', '/event');
    const draft = await createDraft();

    // Act
    const refused = await api.post(`/requests/${draft.id}/purchase`);
    await emulator.webhooksIdle();
    const eventsWhileDraft = validators.events.length;
    await api.put(`/requests/${draft.id}`, {
      asset: { params: [{ id: 'email', value: 'user@example.com' }] },
    });
    const purchased = await api.post(`/requests/${draft.id}/purchase`);
    await emulator.webhooksIdle();

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error_code: 'VAL_001',
      errors: [
        'Parameter email: Email address is invalid',
        `Request ${draft.id} cannot be purchased while its parameters have errors.`,
      ],
    });
    expect(eventsWhileDraft).toBe(0);
    expect(purchased.status).toBe(200);
    expect(record(purchased.body)).toMatchObject({ status: 'pending', asset: { status: 'processing' } });
    expect(paramOf(record(purchased.body), 'email')).toMatchObject({
      value: 'user@example.com',
      value_error: '',
    });
    expect(paramOf(record(purchased.body), 'tenant')?.value).toBe(`TEN-${draft.id}`);
    expect(validators.events.map((e) => [e.object_class, e.product_id])).toEqual([
      ['fulfillment_request', PRODUCT],
    ]);
    expect(validators.received).toHaveLength(2);
  });

  it('refuses when the validation fails (502) and keeps the draft', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('validator', '/fail');
    const draft = await createDraft(
      draftBody({ asset: { product: { id: PRODUCT }, params: [{ id: 'email', value: 'a@b.c' }] } }),
    );

    // Act
    const response = await api.post(`/requests/${draft.id}/purchase`);

    // Assess
    expect(response).toMatchObject({ status: 502, body: { error_code: 'EMU_VALIDATOR' } });
    expect((await getRequest(draft.id)).status).toBe('draft');
  });

  it('without a validator: refused while a value_error is set, accepted once cleared; EMU_STATE from pending', async () => {
    // Prepare
    await enableDynamicValidation();
    const draft = await createDraft();
    await api.put(`/requests/${draft.id}`, {
      asset: { params: [{ id: 'tenant', value_error: 'Pick one' }] },
    });

    // Act
    const refused = await api.post(`/requests/${draft.id}/purchase`);
    await api.put(`/requests/${draft.id}`, { asset: { params: [{ id: 'tenant', value_error: '' }] } });
    const purchased = await api.post(`/requests/${draft.id}/purchase`);
    const again = await api.post(`/requests/${draft.id}/purchase`);

    // Assess
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(record(refused.body).errors).toContain('Parameter tenant: Pick one');
    expect(record(purchased.body).status).toBe('pending');
    expect(again).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
  });
});

describe('wrong-state actions never call a validator', () => {
  it('purchase on an inquiring request, pend on a draft, submit on a pending TCR: 400 EMU_STATE, nothing called', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('validator', '/check');
    await webhook('inquiring_validator', '/check');
    await webhook('tcr_setup_t1_inq_val', '/check');
    const draft = await createDraft();
    const inquiring = record((await api.post('/requests', draftBody({ status: 'pending' }))).body);
    await api.post(`/requests/${inquiring.id}/inquire`, {});
    const tcr = record(
      (
        await api.post('/tier/config-requests', {
          configuration: { product: { id: PRODUCT }, tier_level: 1 },
        })
      ).body,
    );
    const before = [await getRequest(draft.id), await getRequest(inquiring.id)];

    // Act
    const responses = [
      await api.post(`/requests/${inquiring.id}/purchase`),
      await api.post(`/requests/${draft.id}/pend`),
      await api.post(`/tier/config-requests/${tcr.id}/submit`),
    ];

    // Assess
    for (const response of responses) {
      expect(response).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
    }
    expect(validators.received).toEqual([]);
    expect([await getRequest(draft.id), await getRequest(inquiring.id)]).toEqual(before);
  });
});

describe('POST /requests/{id}/pend on an inquiring request', () => {
  it('with an inquiring_validator: refused while errors remain, accepted once the customer fixed them', async () => {
    // Prepare
    const validator = await webhook('inquiring_validator', '/check');
    const created = record((await api.post('/requests', draftBody({ status: 'pending' }))).body);
    await api.put(`/requests/${created.id}`, { asset: { params: [{ id: 'email', value_error: 'Wrong' }] } });
    await api.post(`/requests/${created.id}/inquire`, {});

    // Act
    const refused = await api.post(`/requests/${created.id}/pend`);
    const whileRefused = await getRequest(created.id);
    await api.put(`/requests/${created.id}`, {
      asset: { params: [{ id: 'email', value: 'user@example.com' }] },
    });
    const pended = await api.post(`/requests/${created.id}/pend`);

    // Assess
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(record(refused.body).errors).toContain('Parameter email: Email address is invalid');
    expect(whileRefused.status).toBe('inquiring');
    expect(pended.status).toBe(200);
    expect(record(pended.body)).toMatchObject({ status: 'pending' });
    expect(paramOf(record(pended.body), 'email')?.value_error).toBe('');
    expect(validators.received.map((r) => r.webhookId)).toEqual([validator.id, validator.id]);
  });
});

describe('tier config requests', () => {
  const tier2Draft = {
    status: 'draft',
    configuration: {
      product: { id: PRODUCT },
      tier_level: 2,
      params: [
        { id: 'reseller_id', value: '', constraints: { required: true } },
        { id: 'note', value: '' },
      ],
    },
  };

  it('a tier-2 draft with a missing required parameter: refused on submit until filled in, then pending and notified', async () => {
    // Prepare
    await enableDynamicValidation();
    await webhook('draft_tcr_t1_val', '/fail');
    const validator = await webhook('draft_tcr_t2_val', '/check');
    await webhook('event', '/event', { object_class: 'tier_config_request' });
    const created = await api.post('/tier/config-requests', tier2Draft);
    const id = record(created.body).id;

    // Act
    const validated = await api.post(`/tier/config-requests/${id}/validate`);
    const refused = await api.post(`/tier/config-requests/${id}/submit`);
    await emulator.webhooksIdle();
    const eventsWhileDraft = validators.events.length;
    await api.put(`/tier/config-requests/${id}`, { params: [{ id: 'reseller_id', value: 'R-42' }] });
    const submitted = await api.post(`/tier/config-requests/${id}/submit`);
    await emulator.webhooksIdle();

    // Assess
    expect(record(created.body)).toMatchObject({ status: 'draft', configuration: { status: 'draft' } });
    expect(validated.status).toBe(200);
    expect(paramOf(record(validated.body), 'reseller_id', 'tcr')?.value_error).toBe(
      'This parameter is required',
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error_code: 'VAL_001',
      errors: [
        'Parameter reseller_id: This parameter is required',
        `Tier config request ${id} cannot be submitted while its parameters have errors.`,
      ],
    });
    expect(eventsWhileDraft).toBe(0);
    expect(submitted.status).toBe(200);
    expect(record(submitted.body)).toMatchObject({
      status: 'pending',
      configuration: { status: 'processing' },
    });
    expect(paramOf(record(submitted.body), 'reseller_id', 'tcr')).toMatchObject({
      value: 'R-42',
      value_error: '',
    });
    expect(validators.received.map((r) => r.webhookId)).toEqual([validator.id, validator.id, validator.id]);
    expect(validators.events.map((e) => e.object_class)).toEqual(['tier_config_request']);
    expect(emulator.validations().map((v) => [v.type, v.object_class, v.request_id])).toEqual([
      ['draft_tcr_t2_val', 'tier_config_request', id],
      ['draft_tcr_t2_val', 'tier_config_request', id],
      ['draft_tcr_t2_val', 'tier_config_request', id],
    ]);
  });

  it('pend of an inquiring TCR validates with tcr_setup_t1_inq_val, reading errors from configuration.params', async () => {
    // Prepare
    await webhook('tcr_setup_t2_inq_val', '/fail');
    const validator = await webhook('tcr_setup_t1_inq_val', '/config');
    const created = await api.post('/tier/config-requests', {
      configuration: { product: { id: PRODUCT }, tier_level: 1, params: [{ id: 'TIER1_MPN', value: '' }] },
    });
    const id = record(created.body).id;
    await api.post(`/tier/config-requests/${id}/inquire`);

    // Act
    const refused = await api.post(`/tier/config-requests/${id}/pend`);
    const whileRefused = await getTcr(id);
    await api.put(`/tier/config-requests/${id}`, { params: [{ id: 'TIER1_MPN', value: '000000' }] });
    const pended = await api.post(`/tier/config-requests/${id}/pend`);
    const after = await getTcr(id);

    // Assess
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(record(refused.body).errors).toContain('Parameter TIER1_MPN: Fill this in');
    expect(whileRefused.status).toBe('inquiring');
    expect(paramOf(whileRefused, 'TIER1_MPN', 'tcr')?.value_error).toBe('Fill this in');
    expect([pended.status, pended.body]).toEqual([204, undefined]);
    expect(after.status).toBe('pending');
    expect(paramOf(after, 'TIER1_MPN', 'tcr')).toMatchObject({ value: '000000', value_error: '' });
    // The second call showed the request's current value and error in configuration.params too:
    const second = record(validators.received[1]?.body.configuration);
    expect(array(second.params)[0]).toMatchObject({ value: '000000', value_error: 'Fill this in' });
    expect(validators.received.map((r) => r.webhookId)).toEqual([validator.id, validator.id]);
  });

  it('pend of an inquiring TCR without a validator answers 204 as before', async () => {
    // Prepare
    await webhook('draft_tcr_t1_val', '/fail');
    const created = await api.post('/tier/config-requests', {
      configuration: { product: { id: PRODUCT }, tier_level: 1, params: [{ id: 'TIER1_MPN', value: '' }] },
    });
    const id = record(created.body).id;
    await api.put(`/tier/config-requests/${id}`, { params: [{ id: 'TIER1_MPN', value_error: 'Missing' }] });
    await api.post(`/tier/config-requests/${id}/inquire`);

    // Act
    const pend = await api.post(`/tier/config-requests/${id}/pend`);

    // Assess
    expect([pend.status, pend.body]).toEqual([204, undefined]);
    expect((await getTcr(id)).status).toBe('pending');
    expect(validators.received).toEqual([]);
  });
});

describe('validator selection and answer reading (pure)', () => {
  it('maps request type and status to the validator type', () => {
    // Act
    const fulfillment = (['purchase', 'change', 'renew', 'transfer', 'suspend'] as const).map((type) => [
      fulfillmentValidatorType(type, 'draft'),
      fulfillmentValidatorType(type, 'inquiring'),
      fulfillmentValidatorType(type, 'pending'),
    ]);
    const tiers = ([1, 2] as const).flatMap((level) =>
      (['setup', 'update', 'adjustment'] as const).map((type) => [
        tierConfigValidatorType(type, 'draft', level),
        tierConfigValidatorType(type, 'inquiring', level),
        tierConfigValidatorType(type, 'pending', level),
      ]),
    );

    // Assess
    expect(fulfillment).toEqual([
      ['validator', 'inquiring_validator', undefined],
      ['change_validator', 'change_inquiring_validator', undefined],
      ['renew_validator', 'renew_inquiring_validator', undefined],
      ['transfer_validator', 'transfer_inquiring_validator', undefined],
      [undefined, undefined, undefined],
    ]);
    expect(tiers).toEqual([
      ['draft_tcr_t1_val', 'tcr_setup_t1_inq_val', undefined],
      ['tcr_update_t1_validator', 'tcr_update_t1_inq_val', undefined],
      [undefined, undefined, undefined],
      ['draft_tcr_t2_val', 'tcr_setup_t2_inq_val', undefined],
      ['tcr_update_t2_validator', 'tcr_update_t2_inq_val', undefined],
      [undefined, undefined, undefined],
    ]);
  });

  it('takes what the validator changed, request-level params first, then configuration.params', () => {
    // Prepare
    const sent = {
      params: [
        { id: 'a', value: '1', value_error: '' },
        { id: 'b', value: '2', value_error: '' },
        { id: 'c', value: '3', value_error: '' },
      ],
      configuration: { params: [{ id: 'b', value: 'old', value_error: '' }] },
    };
    const answer = {
      params: [
        { id: 'a', value: '1', value_error: 'bad a' },
        { id: 'b', value: '2', value_error: '' },
        { id: 'c', value: 3, value_error: null },
        { id: 'x', value: 'unknown', value_error: 'ignored' },
      ],
      configuration: { params: [{ id: 'b', value: 'old', value_error: 'bad b' }] },
    };

    // Act
    const updates = paramUpdates(['a', 'b', 'c'], sent, answer, [['params'], ['configuration', 'params']]);

    // Assess
    expect([...updates]).toEqual([
      ['a', { value_error: 'bad a' }],
      ['b', { value_error: 'bad b' }],
    ]);
  });
});
