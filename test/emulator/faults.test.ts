import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../emulator';
import { FaultConfigSchema, FaultInjector, mulberry32 } from '../../emulator/faults';
import { array, type Http, http, purchaseBody, record } from './http';

let emulator: EmulatorHandle;
let api: Http;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  api = http(emulator);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const setFaults = (config: Record<string, unknown>) => api.admin('PUT', '/__emulator/faults', config);

describe('fault injector', () => {
  it('gives the same decisions for the same seed', () => {
    // Prepare
    const config = FaultConfigSchema.parse({
      errorRate: 0.3,
      rateLimitRate: 0.3,
      timeoutRate: 0.1,
      seed: 42,
    });
    const first = new FaultInjector();
    const second = new FaultInjector();
    first.configure(config);
    second.configure(config);

    // Act
    const a = Array.from({ length: 50 }, () => first.decide());
    const b = Array.from({ length: 50 }, () => second.decide());

    // Assess
    expect(a).toEqual(b);
    expect(new Set(a.map((d) => d.kind))).toEqual(new Set(['none', 'error', 'rateLimit', 'timeout']));
  });

  it('mulberry32 differs between seeds and stays in [0, 1)', () => {
    // Act
    const a = Array.from({ length: 5 }, mulberry32(1));
    const b = Array.from({ length: 5 }, mulberry32(2));

    // Assess
    expect(a).not.toEqual(b);
    expect([...a, ...b].every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('faults over HTTP', () => {
  it('injects a 5xx JSON error before touching state, recorded in calls and counted', async () => {
    // Prepare
    await setFaults({ errorRate: 1 });

    // Act
    const response = await api.post('/requests', purchaseBody());
    await setFaults({});
    const list = array((await api.get('/requests')).body);
    const faults = record((await api.admin('GET', '/__emulator/faults')).body);

    // Assess
    expect([500, 502, 503]).toContain(response.status);
    expect(record(response.body).error_code).toBe('EMU_FAULT');
    expect(list).toEqual([]);
    expect(emulator.calls()[0]).toMatchObject({
      method: 'POST',
      path: '/public/v1/requests',
      status: response.status,
    });
    expect(faults.injected).toEqual({ errors: 1, rateLimits: 0, timeouts: 0 });
  });

  it('answers 429 with Retry-After: 1 and no state change', async () => {
    // Prepare
    await setFaults({ rateLimitRate: 1 });

    // Act
    const response = await api.post('/requests', purchaseBody());
    await setFaults({});
    const list = array((await api.get('/requests')).body);

    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(list).toEqual([]);
  });

  it('never answers a timed-out call (the client aborts), applies nothing, records status 0', async () => {
    // Prepare
    await setFaults({ timeoutRate: 1 });
    const controller = new AbortController();

    // Act
    const pending = api.call('POST', '/requests', purchaseBody(), { signal: controller.signal });
    const settled = pending.then(
      () => 'answered',
      (error: unknown) => (error instanceof Error ? error.name : 'error'),
    );
    await setFaults({});
    controller.abort();
    const outcome = await settled;
    const list = array((await api.get('/requests')).body);

    // Assess
    expect(outcome).toBe('AbortError');
    expect(list).toEqual([]);
    expect(emulator.calls()[0]).toMatchObject({ method: 'POST', status: 0 });
    expect(emulator.faults.injected.timeouts).toBe(1);
  });

  it('holds the answer for latencyMs (received, not yet answered), then answers normally', async () => {
    // Prepare
    await setFaults({ latencyMs: 60_000 });
    const controller = new AbortController();

    // Act
    const settled = api.call('GET', '/requests', undefined, { signal: controller.signal }).then(
      () => 'answered',
      (error: unknown) => (error instanceof Error ? error.name : 'error'),
    );
    await vi.waitFor(() => expect(emulator.calls()).toHaveLength(1));
    const whileWaiting = emulator.calls()[0]?.status;
    controller.abort();
    const outcome = await settled;
    await setFaults({ latencyMs: 10 });
    const later = await api.get('/requests');

    // Assess
    expect(whileWaiting).toBe(0);
    expect(outcome).toBe('AbortError');
    expect(later.status).toBe(200);
  });

  it('repeats the same fault sequence over HTTP for the same seed', async () => {
    // Prepare
    const run = async () => {
      await setFaults({ errorRate: 0.4, rateLimitRate: 0.3, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) statuses.push((await api.get('/requests')).status);
      return statuses;
    };

    // Act
    const first = await run();
    const second = await run();

    // Assess
    expect(first).toEqual(second);
    expect(first.some((s) => s === 200)).toBe(true);
    expect(first.some((s) => s === 429)).toBe(true);
    expect(first.some((s) => s >= 500)).toBe(true);
  });

  it('leaves the emulator endpoints alone and refuses unknown or out-of-range fault settings', async () => {
    // Prepare
    await setFaults({ errorRate: 1 });

    // Act
    const calls = await api.admin('GET', '/__emulator/calls');
    const typo = await setFaults({ errorRat: 1 });
    const outOfRange = await setFaults({ timeoutRate: 2 });

    // Assess
    expect(calls.status).toBe(200);
    expect(typo).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
    expect(outOfRange).toMatchObject({ status: 400, body: { error_code: 'VAL_001' } });
  });
});
