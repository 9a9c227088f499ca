import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../emulator';
import { apiKeyMatches } from '../../emulator/server';
import { array, type Http, http, purchaseBody, record } from './http';

const lines: string[] = [];
let emulator: EmulatorHandle;
let api: Http;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    apiKey: 'ApiKey SU-123-456-789:secret-key',
    log: (line) => lines.push(line),
  });
  api = http(emulator, 'ApiKey SU-123-456-789:secret-key');
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  lines.length = 0;
});

describe('authentication', () => {
  it.each([
    ['missing', null],
    ['wrong', 'ApiKey SU-123-456-789:wrong'],
  ])('answers 401 AUTH_001 when the key is %s', async (_name, auth) => {
    // Act
    const response = await api.call('GET', '/requests', undefined, { auth });

    // Assess
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error_code: 'AUTH_001', errors: ['API request is unauthorized.'] });
  });

  it('accepts the key with or without the ApiKey prefix', async () => {
    // Act
    const bare = await api.call('GET', '/requests', undefined, { auth: 'SU-123-456-789:secret-key' });

    // Assess
    expect(bare.status).toBe(200);
    expect(apiKeyMatches('ApiKey a:b', 'a:b')).toBe(true);
    expect(apiKeyMatches(undefined, 'a:b')).toBe(false);
  });
});

describe('emulator endpoints', () => {
  it('records every Connect API call in order, with full path, decoded query, body and status', async () => {
    // Prepare
    const created = await api.post('/requests', purchaseBody());
    const id = String(record(created.body).id);

    // Act
    await api.get('/requests?eq(status,pending)&limit=10');
    await api.post(`/requests/${id}/approve`, { template_id: 'TL-1' });
    await api.call('GET', '/requests', undefined, { auth: null });
    const calls = array((await api.admin('GET', '/__emulator/calls')).body);

    // Assess
    expect(calls).toEqual([
      { method: 'POST', path: '/public/v1/requests', query: '', body: purchaseBody(), status: 201 },
      {
        method: 'GET',
        path: '/public/v1/requests',
        query: 'eq(status,pending)&limit=10',
        body: null,
        status: 200,
      },
      {
        method: 'POST',
        path: `/public/v1/requests/${id}/approve`,
        query: '',
        body: { template_id: 'TL-1' },
        status: 200,
      },
      { method: 'GET', path: '/public/v1/requests', query: '', body: null, status: 401 },
    ]);
  });

  it('reset empties state, calls and faults', async () => {
    // Prepare
    await api.post('/requests', purchaseBody());
    await api.admin('PUT', '/__emulator/faults', { latencyMs: 5 });

    // Act
    const reset = await api.admin('POST', '/__emulator/reset');
    const faults = record((await api.admin('GET', '/__emulator/faults')).body);
    const calls = (await api.admin('GET', '/__emulator/calls')).body;
    const list = (await api.get('/requests')).body;

    // Assess
    expect(reset.status).toBe(204);
    expect(record(faults.config).latencyMs).toBe(0);
    expect(calls).toEqual([]);
    expect(list).toEqual([]);
  });

  it('logs one line per call with method, path, status and ms', async () => {
    // Act
    await api.get('/requests');

    // Assess
    expect(lines).toEqual([expect.stringMatching(/^GET \/public\/v1\/requests 200 \d+ms$/)]);
  });

  it('answers JSON errors for unknown routes, bad JSON and wrong methods', async () => {
    // Act
    const unknown = await api.get('/nothing-here');
    const outside = await api.admin('GET', '/elsewhere');
    const badJson = await fetch(`${emulator.url}/requests`, {
      method: 'POST',
      headers: { Authorization: 'ApiKey SU-123-456-789:secret-key', 'Content-Type': 'application/json' },
      body: '{oops',
    });
    const method = await api.call('DELETE', '/requests');

    // Assess
    expect(unknown).toMatchObject({ status: 404, body: { error_code: 'EMU_NOT_FOUND' } });
    expect(outside.status).toBe(404);
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error_code: 'VAL_001' });
    expect(method).toMatchObject({ status: 405, body: { error_code: 'EMU_METHOD' } });
  });
});

describe('startEmulator', () => {
  it('loads seed objects and stops cleanly', async () => {
    // Prepare
    const seeded = await startEmulator({
      port: 0,
      seed: {
        requests: [purchaseBody(), purchaseBody()],
        tierConfigRequests: [{ configuration: { product: { id: 'PRD-1' }, tier_level: 2 } }],
        webhooks: [
          {
            external_url: 'http://127.0.0.1:9/x',
            jwt_secret: 's',
            product_id: 'PRD-1',
            object_class: 'tier_config_request',
          },
        ],
      },
    });

    // Act
    const requests = seeded.store.listRequests();
    const tcrs = seeded.store.listTierConfigRequests();
    const webhooks = seeded.store.listWebhooks();
    await seeded.webhooksIdle();
    await seeded.stop();

    // Assess
    expect(requests).toHaveLength(2);
    expect(tcrs).toHaveLength(1);
    expect(webhooks[0]?.stats.triggers).toBe(0);
    expect(seeded.url).toBe(`http://127.0.0.1:${seeded.port}/public/v1`);
  });
});
