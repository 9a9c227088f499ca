/**
 * Section 3, `router`: the webhook's answer and the dispatch behind it, against the queue's depth.
 *
 * - `answer`: routeWebhook in process (real verifier, envelope schema, product check, the real requester on an
 *   invoker that only queues, as Lambda's asynchronous Invoke does). Its p99 must not grow with the pending
 *   requests in Connect: the router no longer lists them.
 * - `dispatch`: the real dispatcher (real client on the emulator, task records on dynalite) over the same
 *   pending requests: how long one dispatch takes, its pages and DynamoDB calls, and from its rate how many
 *   `dispatch` invocations 100,000 pending need within the function's timeout.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EmulatorHandle } from '../emulator';
import { automation } from '../functions/automation';
import { routeWebhook } from '../functions/router/router';
import { DEFAULT_DISPATCH_CONCURRENCY, TASK_DEFAULTS } from '../lib/config';
import { createDispatcher, createDispatchRequester, type Invoker } from '../lib/dispatch';
import { createTaskStore } from '../lib/tasks';
import { createWebhookVerifier, signWebhookToken } from '../lib/webhook';
import { startLocalDynamo } from '../scripts/local-stack/dynamo';
import {
  benchClient,
  now,
  PRODUCT_ID,
  purchaseBody,
  seedPurchases,
  silentLogger,
  withLatency,
} from './setup';
import { median, percentile, round } from './stats';

const SECRET = 'bench-webhook-secret';
const WEBHOOK_ID = 'WH-000-000-001';
/** serverless.yml's `dispatch` timeout, and the margin the dispatcher keeps before it (lib/dispatch). */
const DISPATCH_TIMEOUT_SECONDS = 600;
const DISPATCH_MARGIN_SECONDS = 20;

export type RouterCase = {
  pending: number;
  /** Answers per round. */
  iterations: number;
  rounds: number;
  p50Ms: number;
  /** The median of the rounds' p99s; the rounds of every depth interleaved, so that the machine weighs alike. */
  p99Ms: number;
  roundP99Ms: number[];
};

export type DispatchCase = {
  pending: number;
  latencyMs: number;
  seconds: number;
  requestsPerSecond: number;
  pages: number;
  invocations: number;
  /** DynamoDB calls per dispatched request (one BatchGet per 100 listed, one claim per request). */
  dynamoCallsPerRequest: number;
  /** `dispatch` invocations 100,000 pending would take at this rate (each stops 20 s before its timeout). */
  invocationsFor100k: number;
};

export type RouterResult = {
  cases: RouterCase[];
  /** p99 at the deepest queue over p99 at an empty one (goal ≤ 1.5: the answer does not depend on depth). */
  p99DeepOverEmpty: number;
  meetsGoal: boolean;
  dispatch: DispatchCase[];
};

/** A full collection now (V8's `gc`, exposed for this call: the bench process runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** An invoker that only counts: Lambda's asynchronous Invoke queues the event and returns. */
function countingInvoker(): Invoker & { count: number } {
  const invoker = {
    count: 0,
    async invoke() {
      invoker.count += 1;
    },
  };
  return invoker;
}

/** The product of a depth: each depth's queue is its own product's, all in one emulator. */
const productOf = (pending: number) => `PRD-100-200-${String(pending % 1000).padStart(3, '0')}-${pending}`;

async function webhookCall(emulator: EmulatorHandle, productId: string) {
  const token = await signWebhookToken({ secret: SECRET, claims: { webhook_id: WEBHOOK_ID } });
  return {
    body: JSON.stringify({
      webhook_id: WEBHOOK_ID,
      webhook_name: 'bench',
      object_class: 'fulfillment_request',
      account_id: 'VA-000-000',
      product_id: productId,
      api_url: emulator.url,
      triggered_at: new Date().toISOString(),
      processing_timeout: 600,
    }),
    isBase64Encoded: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
}

export async function measureRouter(
  emulator: EmulatorHandle,
  options: {
    pendings: number[];
    iterations: number;
    /** Rounds of `iterations` answers per depth. */
    rounds?: number;
    dispatchLatencyMs: number;
    dispatchPendings: number[];
  },
): Promise<RouterResult> {
  const verifier = createWebhookVerifier({ secrets: [SECRET] });
  const invoker = countingInvoker();
  const deps = {
    verifier,
    products: options.pendings.map(productOf),
    requester: createDispatchRequester(invoker, 'dispatch'),
  };
  const calls = await Promise.all(
    options.pendings.map((pending) => webhookCall(emulator, productOf(pending))),
  );
  const answer = async (call: (typeof calls)[number]) => {
    const result = await routeWebhook(call, 'bench-correlation', deps);
    if (result.statusCode !== 202) throw new Error(`router answered ${result.statusCode}: ${result.body}`);
  };

  // Every depth's queue at once, each its own product's; the rounds of the depths interleaved, so that what
  // the machine does meanwhile (and the collector of this process's heap, where the emulator keeps the
  // queues) weighs on every depth alike.
  emulator.reset();
  emulator.store.applySeed({
    requests: options.pendings.flatMap((pending) => {
      const body = purchaseBody();
      const request = {
        ...body,
        asset: { ...body.asset, product: { id: productOf(pending), name: 'Fallball' } },
      };
      return Array.from({ length: pending }, () => request);
    }),
  });
  collectGarbage();
  const rounds = options.rounds ?? 5;
  // A warm-up as long as the measurement (the JIT's tiers settled: the first rounds' p99s fell 2.1 → 0.3 ms).
  for (let i = 0; i < rounds * options.iterations; i++)
    await answer(calls[i % calls.length] as (typeof calls)[number]);
  const samples = options.pendings.map(() => ({ all: [] as number[], roundP99Ms: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (const [index, call] of calls.entries()) {
      const times: number[] = [];
      for (let i = 0; i < options.iterations; i++) {
        const started = now();
        await answer(call);
        times.push(now() - started);
      }
      samples[index]?.all.push(...times);
      samples[index]?.roundP99Ms.push(round(percentile(times, 99), 3));
    }
  }
  const cases: RouterCase[] = options.pendings.map((pending, index) => {
    const { all, roundP99Ms } = samples[index] as { all: number[]; roundP99Ms: number[] };
    return {
      pending,
      iterations: options.iterations,
      rounds,
      p50Ms: round(median(all), 3),
      p99Ms: round(median(roundP99Ms), 3),
      roundP99Ms,
    };
  });
  const empty = cases[0] as RouterCase;
  const deep = cases.at(-1) as RouterCase;
  const p99DeepOverEmpty = round(deep.p99Ms / empty.p99Ms, 2);

  return {
    cases,
    p99DeepOverEmpty,
    meetsGoal: p99DeepOverEmpty <= 1.5,
    dispatch: await measureDispatch(emulator, options.dispatchPendings, options.dispatchLatencyMs),
  };
}

async function measureDispatch(
  emulator: EmulatorHandle,
  pendings: number[],
  latencyMs: number,
): Promise<DispatchCase[]> {
  const table = automation({ templates: { activation: () => undefined, tier: undefined } });
  const cases: DispatchCase[] = [];
  for (const pending of pendings) {
    const dynamo = await startLocalDynamo(0, 'bench-dispatch');
    try {
      let dynamoCalls = 0;
      const tasks = createTaskStore({
        table: 'bench-dispatch',
        endpoint: dynamo.endpoint,
        onCall: () => {
          dynamoCalls += 1;
        },
      });
      const invoker = countingInvoker();
      const dispatcher = createDispatcher({
        client: benchClient(emulator),
        invoker,
        tasks,
        automation: table,
        concurrency: DEFAULT_DISPATCH_CONCURRENCY,
        leaseSeconds: TASK_DEFAULTS.leaseSeconds,
        logger: silentLogger,
      });
      seedPurchases(emulator, pending);
      const started = now();
      const summary = await withLatency(emulator, latencyMs, () =>
        dispatcher.dispatch({
          productId: PRODUCT_ID,
          objectClass: 'fulfillment_request',
          correlationId: 'b',
        }),
      );
      const seconds = (now() - started) / 1000;
      if (invoker.count !== pending) throw new Error(`dispatched ${invoker.count} of ${pending}`);
      const requestsPerSecond = pending / seconds;
      cases.push({
        pending,
        latencyMs,
        seconds: round(seconds, 2),
        requestsPerSecond: Math.round(requestsPerSecond),
        pages: summary.pages,
        invocations: invoker.count,
        dynamoCallsPerRequest: round(dynamoCalls / pending, 3),
        invocationsFor100k: Math.ceil(
          100_000 / requestsPerSecond / (DISPATCH_TIMEOUT_SECONDS - DISPATCH_MARGIN_SECONDS),
        ),
      });
    } finally {
      await dynamo.stop();
    }
  }
  return cases;
}
