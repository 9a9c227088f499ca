import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, type EmulatorHandle, startEmulator } from '../../emulator';
import {
  type ConnectClient,
  createConnectClient,
  type TierConfigRequest,
  TierConfigRequestSchema,
} from '../../lib/connect';
import { array, type Http, http, PRODUCT, record } from './http';

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

const tcrBody = (tierLevel: 1 | 2 = 1, product = PRODUCT) => ({
  configuration: {
    product: { id: product },
    tier_level: tierLevel,
    params: [{ id: 'TIER1_MPN', value: '' }],
  },
});

async function create(body: unknown): Promise<TierConfigRequest> {
  const response = await api.post('/tier/config-requests', body);
  expect(response.status).toBe(201);
  return TierConfigRequestSchema.parse(response.body);
}

describe('tier config requests', () => {
  it('creates a setup TCR in pending with Connect-format ids', async () => {
    // Act
    const tcr = await create(tcrBody());

    // Assess
    expect(tcr).toMatchObject({ type: 'setup', status: 'pending', notes: '' });
    expect(tcr.configuration.id).toMatch(/^TC-\d{3}-\d{3}-\d{3}$/);
    expect(tcr.id).toBe(`TCR-${tcr.configuration.id.slice(3)}-001`);
    expect(tcr.configuration.tier_level).toBe(1);
    expect(tcr.params[0]).toMatchObject({ id: 'TIER1_MPN', scope: 'tier1', value: '' });
  });

  it('inquire → pend → approve through the client; approve answers the template and effective date', async () => {
    // Prepare
    const tcr = await create(tcrBody());

    // Act
    await client.tierConfigRequests.updateParams(
      tcr.id,
      [{ id: 'TIER1_MPN', value_error: 'required' }],
      'asked',
    );
    await client.tierConfigRequests.inquire(tcr.id);
    const inquired = await client.tierConfigRequests.get(tcr.id);
    await client.tierConfigRequests.pend(tcr.id);
    await client.tierConfigRequests.updateParams(tcr.id, [
      { id: 'TIER1_MPN', value: '123', value_error: '' },
    ]);
    const approval = await client.tierConfigRequests.approve(tcr.id, { template: { id: 'TL-432-535-295' } });
    const approved = await client.tierConfigRequests.get(tcr.id);

    // Assess
    expect(inquired).toMatchObject({ status: 'inquiring', notes: 'asked' });
    expect(approval.template?.id).toBe('TL-432-535-295');
    expect(approval.template?.representation).toContain('TIER1_MPN');
    expect(approval.effective_date).toBeTruthy();
    expect(approved.status).toBe('approved');
    expect(approved.configuration.status).toBe('active');
  });

  it('answers 204 without a body to inquire, fail and pend', async () => {
    // Prepare
    const tcr = await create(tcrBody());

    // Act
    const inquire = await api.post(`/tier/config-requests/${tcr.id}/inquire`);
    const pend = await api.post(`/tier/config-requests/${tcr.id}/pend`);
    const fail = await api.post(`/tier/config-requests/${tcr.id}/fail`, { reason: 'no' });

    // Assess
    expect([inquire, pend, fail].map((r) => [r.status, r.body])).toEqual([
      [204, undefined],
      [204, undefined],
      [204, undefined],
    ]);
  });

  it('fails from inquiring (unlike fulfillment requests) and records the reason', async () => {
    // Prepare
    const tcr = await create(tcrBody());
    await client.tierConfigRequests.inquire(tcr.id);

    // Act
    await client.tierConfigRequests.fail(tcr.id, 'tier data missing');
    const failed = await client.tierConfigRequests.get(tcr.id);

    // Assess
    expect(failed).toMatchObject({ status: 'failed', reason: 'tier data missing' });
  });

  it('approves with a representation only (the TCR’s template stays null)', async () => {
    // Prepare
    const tcr = await create(tcrBody());

    // Act
    const approval = await client.tierConfigRequests.approve(tcr.id, {
      template: { representation: '# Tier ok' },
    });
    const approved = record((await api.get(`/tier/config-requests/${tcr.id}`)).body);

    // Assess
    expect(approval.template).toEqual({ representation: '# Tier ok' });
    expect(approved).toMatchObject({ status: 'approved', template: null });
  });

  it('carries template: null until approved with a template id, then {id, name, representation}', async () => {
    // Prepare
    const created = record((await api.post('/tier/config-requests', tcrBody())).body);
    const id = String(created.id);
    const listed = array((await api.get('/tier/config-requests')).body);
    await api.post(`/tier/config-requests/${id}/inquire`);
    const inquiring = record((await api.get(`/tier/config-requests/${id}`)).body);
    await api.post(`/tier/config-requests/${id}/pend`);

    // Act
    const approval = record(
      (await api.post(`/tier/config-requests/${id}/approve`, { template: { id: 'TL-144-273-157' } })).body,
    );
    const approved = record((await api.get(`/tier/config-requests/${id}`)).body);

    // Assess
    expect(created).toHaveProperty('template', null);
    expect(listed[0]).toHaveProperty('template', null);
    expect(inquiring).toHaveProperty('template', null);
    expect(approved.template).toEqual({
      id: 'TL-144-273-157',
      name: 'Template TL-144-273-157',
      representation: record(approval.template).representation,
    });
    expect(String(record(approved.template).representation)).toContain('TL-144-273-157');
  });

  it.each([
    ['approve', 'approved', { template: { id: 'TL-1' } }],
    ['approve', 'inquiring', { template: { id: 'TL-1' } }],
    ['inquire', 'inquiring', {}],
    ['fail', 'approved', { reason: 'x' }],
    ['pend', 'pending', {}],
    ['pend', 'failed', {}],
  ])('%s from %s answers 400 EMU_STATE', async (action, status, body) => {
    // Prepare
    const tcr = await create(tcrBody());
    if (status === 'approved')
      await api.post(`/tier/config-requests/${tcr.id}/approve`, { template: { id: 'TL-1' } });
    if (status === 'inquiring') await api.post(`/tier/config-requests/${tcr.id}/inquire`);
    if (status === 'failed') await api.post(`/tier/config-requests/${tcr.id}/fail`, { reason: 'x' });

    // Act
    const response = await api.post(`/tier/config-requests/${tcr.id}/${action}`, body);

    // Assess
    expect(response).toMatchObject({ status: 400, body: { error_code: 'EMU_STATE' } });
    expect(record((await api.get(`/tier/config-requests/${tcr.id}`)).body).status).toBe(status);
  });

  it('refuses approve without template, fail without reason, unknown params', async () => {
    // Prepare
    const tcr = await create(tcrBody());

    // Act
    const approve = await api.post(`/tier/config-requests/${tcr.id}/approve`, { template: {} });
    const fail = await api.post(`/tier/config-requests/${tcr.id}/fail`, {});
    const put = await api.put(`/tier/config-requests/${tcr.id}`, { params: [{ id: 'nope', value: 'x' }] });

    // Assess
    for (const response of [approve, fail, put]) {
      expect(response).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    }
  });

  it('answers Connect’s error for an unknown param on PUT and applies none of the update', async () => {
    // Prepare
    const tcr = await create(tcrBody());

    // Act
    const response = await api.put(`/tier/config-requests/${tcr.id}`, {
      params: [
        { id: 'TIER1_MPN', value: '42' },
        { id: 'email', value: 'x' },
      ],
    });
    const after = TierConfigRequestSchema.parse((await api.get(`/tier/config-requests/${tcr.id}`)).body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error_code: 'VAL_001', errors: ['Parameter email does not exist'] });
    expect(after.params[0]?.value).toBe('');
  });

  it('filters on configuration.product.id and configuration.tier_level (dotted and __ forms)', async () => {
    // Prepare
    const t1 = await create(tcrBody(1));
    const t2 = await create(tcrBody(2));
    const other = await create(tcrBody(1, 'PRD-000-000-999'));

    // Act
    const byProduct = array(
      (await api.get(`/tier/config-requests?and(eq(status,pending),eq(configuration.product.id,${PRODUCT}))`))
        .body,
    );
    const byLevel = array((await api.get('/tier/config-requests?configuration__tier_level=2')).body);
    const legacy = array(
      (await api.get('/tier/config-requests?configuration__product__id=PRD-000-000-999')).body,
    );

    // Assess
    expect(byProduct.map((t) => t.id)).toEqual([t1.id, t2.id]);
    expect(byLevel.map((t) => t.id)).toEqual([t2.id]);
    expect(legacy.map((t) => t.id)).toEqual([other.id]);
  });

  it('creates an update TCR for an existing configuration', async () => {
    // Prepare
    const setup = await create(tcrBody());
    await client.tierConfigRequests.approve(setup.id, { template: { id: 'TL-1' } });

    // Act
    const update = await create({
      configuration: { id: setup.configuration.id },
      params: [{ id: 'TIER1_MPN', value: '9' }],
    });

    // Assess
    expect(update.type).toBe('update');
    expect(update.id).toBe(`TCR-${setup.configuration.id.slice(3)}-002`);
  });
});
