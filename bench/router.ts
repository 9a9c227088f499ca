/**
 * Section 3, `router`: latency of the webhook handler in process (routeWebhook with the real verifier and
 * the real dispatcher, the real client against the emulator, an in-memory invoker), against the
 * list-and-invoke I/O alone (listPending + the same invokes at the same concurrency).
 */
import type { EmulatorHandle } from '../emulator';
import { automation } from '../functions/automation';
import { routeWebhook } from '../functions/router/router';
import { DEFAULT_DISPATCH_CONCURRENCY } from '../lib/config';
import { createDispatcher, functionFor, type Invoker, listPending } from '../lib/dispatch';
import { FULFILLMENT_REQUEST } from '../lib/object-classes';
import { createWebhookVerifier, signWebhookToken } from '../lib/webhook';
import { benchClient, now, PRODUCT_ID, seedPurchases, silentLogger, withLatency } from './setup';
import { median, percentile, round, runBounded } from './stats';

const SECRET = 'bench-webhook-secret';
const WEBHOOK_ID = 'WH-000-000-001';

export type RouterCase = {
  latencyMs: number;
  pending: number;
  iterations: number;
  handler: { p50Ms: number; p99Ms: number };
  ioOnly: { p50Ms: number; p99Ms: number };
  /** (handler p50 − I/O p50) / I/O p50 (goal ≤ 0.10). */
  overhead: number;
  meetsGoal: boolean;
};

export type RouterResult = { cases: RouterCase[] };

/** An invoker that only counts: the Lambda Invoke call is out of scope here. */
function countingInvoker(): Invoker & { count: number } {
  const invoker = {
    count: 0,
    async invoke() {
      invoker.count += 1;
    },
  };
  return invoker;
}

export async function measureRouter(
  emulator: EmulatorHandle,
  options: { pendings: number[]; latencies: number[]; iterations: (pending: number) => number },
): Promise<RouterResult> {
  const client = benchClient(emulator);
  const verifier = createWebhookVerifier({ secrets: [SECRET] });
  const token = await signWebhookToken({ secret: SECRET, claims: { webhook_id: WEBHOOK_ID } });
  const table = automation({ templates: { activation: () => undefined, tier: undefined } });
  const event = {
    body: JSON.stringify({
      webhook_id: WEBHOOK_ID,
      webhook_name: 'bench',
      object_class: 'fulfillment_request',
      account_id: 'VA-000-000',
      product_id: PRODUCT_ID,
      api_url: emulator.url,
      triggered_at: new Date().toISOString(),
      processing_timeout: 600,
    }),
    isBase64Encoded: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };

  const viaHandler = async () => {
    const invoker = countingInvoker();
    const result = await routeWebhook(event, 'bench-correlation', {
      verifier,
      products: [PRODUCT_ID],
      dispatcher: createDispatcher({
        client,
        invoker,
        automation: table,
        concurrency: DEFAULT_DISPATCH_CONCURRENCY,
        logger: silentLogger,
      }),
    });
    if (result.statusCode !== 202) throw new Error(`router answered ${result.statusCode}: ${result.body}`);
    return invoker.count;
  };
  const ioOnly = async () => {
    const invoker = countingInvoker();
    const pending = await listPending(client, FULFILLMENT_REQUEST, PRODUCT_ID);
    await runBounded(pending, DEFAULT_DISPATCH_CONCURRENCY, (request) =>
      invoker.invoke(functionFor(table, FULFILLMENT_REQUEST, request.type), {
        request,
        correlationId: 'bench-correlation',
      }),
    );
    return invoker.count;
  };

  const cases: RouterCase[] = [];
  for (const latencyMs of options.latencies) {
    for (const pending of options.pendings) {
      seedPurchases(emulator, pending);
      const iterations = options.iterations(pending);
      const handlerMs: number[] = [];
      const ioMs: number[] = [];
      await withLatency(emulator, latencyMs, async () => {
        for (let i = 0; i < Math.max(3, Math.ceil(iterations / 10)); i++) {
          await viaHandler();
          await ioOnly();
        }
        // Interleaved, alternating which goes first, so drift hits both alike.
        for (let i = 0; i < iterations; i++) {
          const order = i % 2 === 0 ? [viaHandler, ioOnly] : [ioOnly, viaHandler];
          for (const run of order) {
            const started = now();
            const invoked = await run();
            const elapsed = now() - started;
            if (invoked !== pending) throw new Error(`invoked ${invoked} of ${pending}`);
            (run === viaHandler ? handlerMs : ioMs).push(elapsed);
          }
        }
      });
      const handlerP50 = median(handlerMs);
      const ioP50 = median(ioMs);
      const overhead = round((handlerP50 - ioP50) / ioP50, 3);
      cases.push({
        latencyMs,
        pending,
        iterations,
        handler: { p50Ms: round(handlerP50, 3), p99Ms: round(percentile(handlerMs, 99), 3) },
        ioOnly: { p50Ms: round(ioP50, 3), p99Ms: round(percentile(ioMs, 99), 3) },
        overhead,
        meetsGoal: overhead <= 0.1,
      });
    }
  }
  return { cases };
}
