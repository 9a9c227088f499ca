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

/** The EMF lines of the function set's log (what CloudWatch reads as metrics), flattened to one per metric. */
function emfMetrics(lines: readonly string[]) {
  const metrics: Array<{ name: string; unit: string; dimensions: Record<string, string>; values: number[] }> =
    [];
  for (const line of lines) {
    if (!line.startsWith('{') || !line.includes('"_aws"')) continue;
    const emf = JSON.parse(line) as {
      _aws: {
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string; Unit: string }>;
        }>;
      };
    } & Record<string, unknown>;
    for (const directive of emf._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe('ConnectFulfillment');
      const dimensions = Object.fromEntries(
        (directive.Dimensions[0] ?? []).map((name) => [name, String(emf[name])]),
      );
      for (const { Name, Unit } of directive.Metrics) {
        const value = emf[Name];
        metrics.push({
          name: Name,
          unit: Unit,
          dimensions,
          values: (Array.isArray(value) ? value : [value]) as number[],
        });
      }
    }
  }
  return metrics;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe("the metrics of the whole run (EMF lines in the functions' log)", () => {
  it("count every sample's decisions by request type and outcome, and time each handler run", () => {
    const metrics = emfMetrics(logLines);
    const decided = new Map<string, number>();
    for (const metric of metrics.filter((candidate) => candidate.name === 'RequestDecided')) {
      const key = `${metric.dimensions.requestType} ${metric.dimensions.outcome}`;
      decided.set(key, (decided.get(key) ?? 0) + sum(metric.values));
    }
    // What every sample's expectation implies: its reschedules, then its final decision.
    const expected = new Map<string, number>();
    const add = (key: string, n = 1) => expected.set(key, (expected.get(key) ?? 0) + n);
    const finalOutcome: Record<string, string> = {
      approved: 'approved',
      failed: 'failed',
      inquiring: 'inquired',
    };
    for (const sample of samples) {
      const type = sample.request.type;
      if (sample.expect.task?.reschedules) add(`${type} rescheduled`, sample.expect.task.reschedules);
      add(
        `${type} ${sample.expect.task?.state === 'parked' ? 'parked' : finalOutcome[sample.expect.status]}`,
      );
    }
    expect(Object.fromEntries([...decided].sort())).toEqual(Object.fromEntries([...expected].sort()));

    const durations = metrics.filter((metric) => metric.name === 'HandlerDuration');
    expect(sum(durations.map((metric) => metric.values.length))).toBe(sum([...expected.values()]));
    for (const metric of durations) {
      expect(metric.unit).toBe('Milliseconds');
      expect(Object.keys(metric.dimensions).sort()).toEqual(['function', 'requestType', 'service']);
    }
    expect(metrics.filter((metric) => metric.name === 'DispatchLag').length).toBeGreaterThan(0);
  });

  it('count exactly the Connect calls the emulator saw from the function set, none failed', async () => {
    const calls = () =>
      sum(
        emfMetrics(logLines)
          .filter((metric) => metric.name === 'ConnectCalls')
          .flatMap((metric) => metric.values),
      );
    // A run's metrics are written when its invocation ends, after the Connect call the emulator has seen.
    await expect.poll(calls, { timeout: 5_000 }).toBe(run.functionSetCalls().length);
    expect(emfMetrics(logLines).filter((metric) => metric.name === 'ConnectErrors')).toEqual([]);
  });

  it("count the webhook route's refusals by reason, with no function dimension", async () => {
    const rejected = () => {
      const counts: Record<string, number> = {};
      for (const metric of emfMetrics(logLines).filter((candidate) => candidate.name === 'WebhookRejected')) {
        expect(Object.keys(metric.dimensions).sort()).toEqual(['reason', 'route', 'service']);
        const key = `${metric.dimensions.route} ${metric.dimensions.reason}`;
        counts[key] = (counts[key] ?? 0) + sum(metric.values);
      }
      return counts;
    };
    // The router-over-HTTP tests above: two 401s, two 400s, one 413.
    await expect
      .poll(rejected, { timeout: 5_000 })
      .toEqual({ 'webhook unauthorized': 2, 'webhook invalid': 2, 'webhook too_large': 1 });
  });

  it('never carry a request id, a product id or any other identifier as a dimension', () => {
    const metrics = emfMetrics(logLines);
    expect(metrics.length).toBeGreaterThan(0);
    for (const metric of metrics) {
      for (const value of Object.values(metric.dimensions))
        expect(value).not.toMatch(/\d{3}-\d{3}|^[A-Z]{2,3}-/);
    }
  });
});

describe('the logs of the whole run', () => {
  it('hold no API key, webhook secret or bearer token', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(leakingLines(logLines, secretsOf(stack))).toEqual([]);
  });
});
