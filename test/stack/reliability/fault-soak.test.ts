/**
 * Fault soak: 500 pending requests of every type and outcome, processed by the real local stack while the
 * emulator injects 20% server errors, 10% rate limits, 5% timeouts and 20 ms latency on every Connect call.
 * Webhooks (the emulator's own, on every status change, plus one delivered by hand per product and object
 * class) and sweeps run until the queue is quiet. Every request must end in its expected status with exactly
 * one successful terminal action, and the logs must carry no secret. A tenth of the approving purchases
 * reschedule once on the way (their trigger fires through the local scheduler, under the same faults).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allLogLines,
  bootStack,
  type DriveResult,
  deliverWebhook,
  driveUntilSettled,
  envelope,
  leakingLines,
  retriedLines,
  type Seeded,
  type StackRun,
  sampleProducts,
  secretsOf,
  seedMixed,
  signToken,
  successfulTerminalActions,
  wrongTerminalActions,
} from './support';

const REQUESTS = Number(process.env.SOAK_REQUESTS || 500);
const FAULTS = { errorRate: 0.2, rateLimitRate: 0.1, timeoutRate: 0.05, latencyMs: 20, seed: 20_260_501 };

describe('fault soak', () => {
  let run: StackRun;
  let seeded: Seeded[];
  let result: DriveResult;
  let injected: { errors: number; rateLimits: number; timeouts: number };
  let mark: number;

  beforeAll(async () => {
    const products = await sampleProducts();
    run = await bootStack({
      CONNECT_PRODUCTS: products.join(','),
      // An injected timeout never answers: the client gives up after this, then retries or re-reads.
      CONNECT_TIMEOUT_MS: '1000',
      // A run that meets an outage (20% errors outlast the client's retries now and then) goes again after
      // 1 s, 2 s, 4 s… instead of a minute: the soak measures what is lost, not how long a backoff waits.
      OUTAGE_RETRY_SECONDS: '1',
    });
    const { stack } = run;
    // 10 % of the approving purchases are "in progress" once in the vendor's system: Reschedule, then approve.
    seeded = await seedMixed(stack, REQUESTS, undefined, { rescheduledPurchases: 0.1 });
    for (const productId of products) {
      await stack.registerWebhook(productId, 'tier_config_request');
      await stack.registerWebhook(productId, 'fulfillment_request');
    }
    mark = stack.emulator.calls().length;
    // Faults only now: seeding goes through the same API.
    const faults = await fetch(`${stack.emulator.origin}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(FAULTS),
    });
    expect(faults.status).toBe(200);

    const started = Date.now();
    const token = await signToken(stack.webhookSecret);
    for (const productId of products) {
      for (const objectClass of ['tier_config_request', 'fulfillment_request']) {
        await deliverWebhook(stack, JSON.stringify(envelope(productId, objectClass, stack.apiUrl)), {
          authorization: `Bearer ${token}`,
        });
      }
    }
    result = await driveUntilSettled(run, seeded, { timeoutMs: 200_000 });
    result.elapsedMs = Date.now() - started;
    injected = (
      (await (await fetch(`${stack.emulator.origin}/__emulator/faults`)).json()) as {
        injected: typeof injected;
      }
    ).injected;
    const retries = retriedLines(run).length;
    const calls = stack.emulator.calls().length - mark;
    process.stdout.write(
      `\nfault soak: ${seeded.length} requests, ${calls} Connect calls, faults injected ${JSON.stringify(injected)}, ` +
        `${retries} retries, ${result.sweeps} sweeps, ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  }, 280_000);

  afterAll(async () => {
    await run?.stop();
  });

  it('injected every kind of fault', () => {
    expect(injected.errors).toBeGreaterThan(0);
    expect(injected.rateLimits).toBeGreaterThan(0);
    expect(injected.timeouts).toBeGreaterThan(0);
    expect(retriedLines(run).length).toBeGreaterThan(0);
  });

  it('brings every request to its expected status: none lost', () => {
    expect(result.unsettled.map((request) => `${request.id} ${request.kind}`)).toEqual([]);
  });

  it('makes exactly one successful terminal action per request', () => {
    expect(wrongTerminalActions(seeded, run.stack.emulator.calls().slice(mark))).toEqual([]);
    // Parked requests (a product without the email parameter) get none.
    const decided = seeded.filter((request) => request.expectStatus !== 'pending');
    expect(successfulTerminalActions(run.stack.emulator.calls().slice(mark)).size).toBe(decided.length);
  });

  it('rescheduled a tenth of the approving purchases once, and approved them', async () => {
    const rescheduled = seeded.filter((request) => request.kind.endsWith('(rescheduled once)'));
    const approving = seeded.filter((request) => /^purchase-approved-/.test(request.kind));
    expect(rescheduled.length).toBeGreaterThan(0);
    expect(rescheduled.length).toBe(Math.floor(approving.length / 10));
    const records = await Promise.all(rescheduled.map((request) => run.stack.tasks.get(request.id)));
    // Each was rescheduled by its handler at least once (an outage on the way may add its own retry).
    expect(records.filter((record) => record?.state !== 'done' || record.reschedules < 1)).toEqual([]);
  });

  it('logs no API key, webhook secret or bearer token', () => {
    expect(leakingLines(allLogLines(run), secretsOf(run.stack))).toEqual([]);
  });
});
