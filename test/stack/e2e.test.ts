/**
 * End to end, on the real local stack: the Connect emulator, dynalite and serverless-offline (the router and
 * the type functions as deployed), driven by Connect's own webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULFILLMENT_REQUEST_TYPES } from '../../lib/connect';
import { signWebhookToken } from '../../lib/webhook';
import { type LocalStack, loadSamples, type Sample } from '../../scripts/local-stack';
import { type SampleRun, startSampleRun } from '../../scripts/local-stack/sample-run';
import { startStackOnFreePorts } from '../support/local-stack';
import { leakingLines, secretsOf } from './reliability/support';

let stack: LocalStack;
let samples: Sample[];
let run: SampleRun;
let allOk: boolean;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startStackOnFreePorts({
    onFunctionLog: (line) => logLines.push(line),
    onEmulatorLog: (line) => logLines.push(line),
  });
  samples = await loadSamples();
  run = await startSampleRun(stack, samples);
  allOk = await run.waitUntilSettled(120_000);
});

afterAll(async () => {
  await stack?.stop();
});

describe('every sample request, through webhooks', () => {
  it('covers every request type the function set routes', () => {
    const types = new Set(samples.map((sample) => sample.request.type));
    // Every fulfillment type the routing table knows except transfer (routed like renew), and a TCR setup.
    const routed = FULFILLMENT_REQUEST_TYPES.filter((type) => type !== 'transfer');
    for (const type of [...routed, 'setup']) {
      expect(types).toContain(type);
    }
  });

  it('reaches its expected status with exactly the expected Connect calls', () => {
    const outcomes = run.tracker.requests().map((request) => ({
      sample: request.sample,
      status: request.history.at(-1),
      actions: request.actions,
    }));
    const expected = run.tracker.requests().map((request) => ({
      sample: request.sample,
      status: request.expectedStatus,
      actions: [...request.expectedActions],
    }));
    expect(outcomes).toEqual(expected);
    expect(allOk).toBe(true);
  });

  it('lists through the configured Connect only, never calling anything but list and the actions', () => {
    const calls = run.functionSetCalls();
    const reads = calls.filter((call) => call.method === 'GET');
    const lists = reads.filter((call) => /\/public\/v1\/(requests|tier\/config-requests)$/.test(call.path));
    expect(lists.length).toBeGreaterThan(0);
    for (const call of lists) expect(call.query).toContain('eq(status,pending)');
    // A rescheduled request's trigger reads it by id (the trigger carries no copy): only those are read alone.
    const rescheduled = run.tracker
      .requests()
      .filter((request) => (request.task?.reschedules ?? 0) > 0)
      .map((request) => `/public/v1/requests/${request.id}`);
    expect(rescheduled.length).toBeGreaterThan(0);
    for (const call of reads.filter((read) => !lists.includes(read)))
      expect(rescheduled).toContain(call.path);
    // One idempotent decision per request: no action was refused for being repeated.
    expect(calls.filter((call) => call.status >= 400)).toEqual([]);
  });

  it('writes the ActivationKey that the approve rendered into the activation', () => {
    const purchase = run.tracker.requests().find((request) => request.sample === 'purchase-approved-tile');
    const request = stack.emulator.store.getRequest(purchase?.id ?? '');
    const key = request.asset.params.find((param) => param.id === 'ActivationKey')?.value;
    expect(key).toMatch(/^FB-/);
    expect(request.activation_key).toContain('Welcome to Fallball!');
  });
});

describe('the router over real HTTP', () => {
  const envelope = () => ({
    webhook_id: 'WH-000-000-001',
    object_class: 'fulfillment_request',
    product_id: 'PRD-276-377-545',
    api_url: 'http://127.0.0.1:9/public/v1',
    triggered_at: new Date().toISOString(),
    processing_timeout: 600,
    data: {},
  });
  const sign = (secret: string) => signWebhookToken({ secret, lifetimeSeconds: 300 });
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.webhookUrl, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('answers 202 at once to a signed webhook: the dispatch is asked for, not awaited', async () => {
    const response = await post(JSON.stringify(envelope()), {
      authorization: `Bearer ${await sign(stack.webhookSecret)}`,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      status: 'accepted',
      correlationId: expect.any(String),
      productId: 'PRD-276-377-545',
      objectClass: 'fulfillment_request',
    });
  });

  it('answers 401 without a token or with a wrong secret', async () => {
    const missing = await post(JSON.stringify(envelope()));
    const wrong = await post(JSON.stringify(envelope()), {
      authorization: `Bearer ${await sign('not-the-secret')}`,
    });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual({
      error: 'unauthorized',
      message: 'A valid Bearer token is required',
    });
  });

  it('answers 400 naming what is wrong: not JSON, or an envelope without product_id', async () => {
    const auth = { authorization: `Bearer ${await sign(stack.webhookSecret)}` };
    const notJson = await post('{"webhook_id":', auth);
    const { product_id: _product, ...withoutProduct } = envelope();
    const invalid = await post(JSON.stringify(withoutProduct), auth);
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_json' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toContain('product_id');
  });

  it('answers 413 to a body over 256 KB', async () => {
    const response = await post(JSON.stringify({ ...envelope(), padding: 'x'.repeat(300 * 1024) }), {
      authorization: `Bearer ${await sign(stack.webhookSecret)}`,
    });
    expect(response.status).toBe(413);
  });
});

describe('the logs of the whole run', () => {
  it('hold no API key, webhook secret or bearer token', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(leakingLines(logLines, secretsOf(stack))).toEqual([]);
  });
});
