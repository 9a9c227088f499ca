/**
 * Section `endToEnd`: what a vendor feels, on the real local stack (emulator → webhook → serverless-offline
 * router → dispatch → type function → emulator), with Connect answering every call after 50 ms.
 *
 * - **One request**: from the POST that creates a pending purchase to its approval. Floor: the create, the
 *   listing, the PUT of the ActivationKey and the approve, 50 ms each, plus the emulator's webhook coalescing.
 * - **Burst**: 500 pending purchases, one webhook delivery, until all are approved. Floor: the delivery and
 *   the listing, then 500 runs of two calls (100 ms) with the dispatch's runs in flight (10): 5.1 s, plus the
 *   coalescing.
 *
 * Each runs with the emulator's coalescing at 0 and at its default 100 ms. Alongside: type-function
 * invocations per request (the task records' attempts), DynamoDB calls per request (the local table's own
 * count) and Connect calls per request (the emulator's log).
 */
import { startStackOnFreePorts } from '../test/support/local-stack';
import { purchaseBody } from './setup';
import { median, round } from './stats';

export const CONNECT_LATENCY_MS = 50;
/** The dispatch's runs in flight, as the AWS model's reserved concurrency (DISPATCH_CONCURRENCY). */
export const RUNS_IN_FLIGHT = 10;
const PRODUCT = 'PRD-100-200-300';

export type EndToEndRun = { seconds: number; floorSeconds: number; ratio: number };

export type EndToEndCase = EndToEndRun & {
  case: 'one request' | 'burst';
  coalesceMs: number;
  requests: number;
  runs: number;
  invocationsPerRequest: number;
  dynamoCallsPerRequest: number;
  connectCallsPerRequest: number;
};

export type EndToEndResult = {
  connectLatencyMs: number;
  /** Coalescing 0: the function set's own time against its floor. */
  oneRequest: EndToEndRun;
  burst: EndToEndRun;
  cases: EndToEndCase[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

export async function measureEndToEnd(options: {
  oneRequestRuns: number;
  burst: number;
  coalesce: number[];
}): Promise<EndToEndResult> {
  const cases: EndToEndCase[] = [];
  for (const coalesceMs of options.coalesce) {
    const stack = await startStackOnFreePorts({
      webhookCoalesceMs: coalesceMs,
      env: { POWERTOOLS_LOG_LEVEL: 'WARN', DISPATCH_CONCURRENCY: String(RUNS_IN_FLIGHT) },
    });
    try {
      const webhookId = await stack.registerWebhook(PRODUCT, 'fulfillment_request');
      stack.emulator.setFaults({ latencyMs: CONNECT_LATENCY_MS });
      const statusOf = (id: string) => stack.emulator.store.requestStatus(id);
      const counts = () => ({
        dynamo: sum(Object.values(stack.dynamoOperations())),
        connect: stack.emulator.calls().length,
      });
      const attemptsOf = async (ids: readonly string[]) => {
        const records = await Promise.all(ids.map((id) => stack.tasks.get(id)));
        return sum(records.map((record) => record?.attempts ?? 0));
      };

      // One request at a time: create it, wait for its approval.
      const times: number[] = [];
      const ids: string[] = [];
      const before = counts();
      for (let run = 0; run < options.oneRequestRuns + 1; run++) {
        const started = performance.now();
        const { id } = await stack.call<{ id: string }>('POST', '/requests', purchaseBody());
        while (statusOf(id) !== 'approved') await sleep(1);
        // The first warms the bundles and the clients: not counted.
        if (run > 0) {
          times.push(performance.now() - started);
          ids.push(id);
        }
        // Quiet before the next: the approval's own webhook lists once more, and must not list the next one.
        await stack.emulator.webhooksIdle();
        await sleep(coalesceMs + 4 * CONNECT_LATENCY_MS + 300);
      }
      const after = counts();
      const oneFloor = (4 * CONNECT_LATENCY_MS + coalesceMs) / 1000;
      const oneSeconds = median(times) / 1000;
      const all = options.oneRequestRuns + 1;
      cases.push({
        case: 'one request',
        coalesceMs,
        requests: 1,
        runs: options.oneRequestRuns,
        seconds: round(oneSeconds, 3),
        floorSeconds: oneFloor,
        ratio: round(oneSeconds / oneFloor, 2),
        invocationsPerRequest: round((await attemptsOf(ids)) / ids.length, 2),
        dynamoCallsPerRequest: round((after.dynamo - before.dynamo) / all, 2),
        connectCallsPerRequest: round((after.connect - before.connect) / all, 2),
      });

      // The burst: pending before anything fires, then one delivery.
      stack.emulator.setFaults({ latencyMs: 0 });
      stack.emulator.store.applySeed({
        requests: Array.from({ length: options.burst }, () => purchaseBody()),
      });
      const burstIds = stack.emulator.store
        .listRequests()
        .filter((request) => request.status === 'pending')
        .map((request) => request.id);
      stack.emulator.setFaults({ latencyMs: CONNECT_LATENCY_MS });
      const burstBefore = counts();
      const started = performance.now();
      await stack.call('POST', `/notifications/webhooks/${webhookId}/trigger`, {});
      const waiting = new Set(burstIds);
      while (waiting.size > 0) {
        for (const id of waiting) if (statusOf(id) === 'approved') waiting.delete(id);
        if (waiting.size > 0) await sleep(20);
      }
      const seconds = (performance.now() - started) / 1000;
      await stack.emulator.webhooksIdle();
      await sleep(1_000);
      const burstAfter = counts();
      const burstFloor =
        (2 * CONNECT_LATENCY_MS +
          coalesceMs +
          Math.ceil(options.burst / RUNS_IN_FLIGHT) * 2 * CONNECT_LATENCY_MS) /
        1000;
      cases.push({
        case: 'burst',
        coalesceMs,
        requests: burstIds.length,
        runs: 1,
        seconds: round(seconds, 2),
        floorSeconds: round(burstFloor, 2),
        ratio: round(seconds / burstFloor, 2),
        invocationsPerRequest: round((await attemptsOf(burstIds)) / burstIds.length, 3),
        dynamoCallsPerRequest: round((burstAfter.dynamo - burstBefore.dynamo) / burstIds.length, 2),
        connectCallsPerRequest: round((burstAfter.connect - burstBefore.connect) / burstIds.length, 2),
      });
    } finally {
      await stack.stop();
    }
  }
  const pick = (name: EndToEndCase['case']): EndToEndRun => {
    const found =
      cases.find((entry) => entry.case === name && entry.coalesceMs === 0) ??
      (cases.find((entry) => entry.case === name) as EndToEndCase);
    return { seconds: found.seconds, floorSeconds: found.floorSeconds, ratio: found.ratio };
  };
  return {
    connectLatencyMs: CONNECT_LATENCY_MS,
    oneRequest: pick('one request'),
    burst: pick('burst'),
    cases,
  };
}
