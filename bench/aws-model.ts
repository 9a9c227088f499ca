/**
 * Section `awsModel`: a burst of 500 purchases under Lambda's limits, modelled in one process around the real
 * code: Connect's webhook on every status change (the emulator's, at 50 ms a call), the real router core,
 * the real `dispatch` core (its lock, its lanes) and the real type function (lib/lambda, its task records on a
 * local DynamoDB). What is modelled is Lambda itself:
 *
 * - an asynchronous invocation (router → dispatch) is queued and runs at once, concurrency unreserved;
 * - a synchronous one (dispatch → type function) runs if the function has a free slot of its reserved
 *   concurrency (10), and is refused with a throttle (429) otherwise, as Lambda does.
 *
 * Counted: type-function invocations per request, throttled invocations (each asked again by the dispatch),
 * DynamoDB calls per request (all of them, and the task record's own), and the time until all are approved
 * against the floor: the delivery and the listing, then 500 runs of two calls with 10 at a time: 5.1 s.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorHandle } from '../emulator';
import { automation } from '../functions/automation';
import { runDispatch } from '../functions/dispatch/dispatch';
import { routeWebhook } from '../functions/router/router';
import { TASK_DEFAULTS } from '../lib/config';
import {
  createDispatcher,
  createDispatchRequester,
  entryFor,
  type Invoker,
  InvokeThrottledError,
} from '../lib/dispatch';
// The lifecycle without middy (ESM-only, which this CommonJS bench cannot load): the same code the handler wraps.
import { createTypeFunctionCore } from '../lib/lambda/lifecycle';
import { createLogger } from '../lib/observability';
import { createTaskStore } from '../lib/tasks';
import { createWebhookVerifier } from '../lib/webhook';
import { startLocalDynamo } from '../scripts/local-stack/dynamo';
import { fakeLambdaContext } from '../test/support/lambda-context';
import { CONNECT_LATENCY_MS } from './end-to-end';
import { API_KEY, benchClient, PRODUCT_ID, purchaseBody, silentLogger } from './setup';
import { round } from './stats';

export const RESERVED_CONCURRENCY = 10;
const TABLE = 'bench-aws-model';
const SECRET = 'bench-model-secret';

export type AwsModelResult = {
  requests: number;
  reservedConcurrency: number;
  runsInFlight: number;
  seconds: number;
  floorSeconds: number;
  ratio: number;
  /**
   * CPU of this one process over the burst (the emulator, the local DynamoDB and every run share it): near
   * `seconds`, the model was bound by this machine, not by the modelled limits.
   */
  cpuSeconds: number;
  invocationsPerRequest: number;
  /** Every DynamoDB call of the burst (task records, batch reads, the dispatch lock) per request. */
  dynamoCallsPerRequest: number;
  /** The task record's own: the claim and the completion. */
  recordWritesPerRequest: number;
  dynamoCalls: Record<string, number>;
  throttledRetries: number;
  dispatchInvocations: number;
  dispatchesQueued: number;
  webhookDeliveries: number;
  meetsGoal: boolean;
};

export async function measureAwsModel(
  emulator: EmulatorHandle,
  options: { requests: number },
): Promise<AwsModelResult> {
  const dynamo = await startLocalDynamo(0, TABLE);
  const calls: Record<string, number> = {};
  const store = createTaskStore({
    table: TABLE,
    endpoint: dynamo.endpoint,
    onCall: (operation) => {
      calls[operation] = (calls[operation] ?? 0) + 1;
    },
  });
  // The task record's own writes (claims, completions), counted apart from the batch reads and the lock.
  let recordWrites = 0;
  const records = {
    ...store,
    claim: (request: Parameters<typeof store.claim>[0]) => {
      recordWrites += 1;
      return store.claim(request);
    },
    complete: (completion: Parameters<typeof store.complete>[0]) => {
      recordWrites += 1;
      return store.complete(completion);
    },
  };
  const client = benchClient(emulator);
  const table = automation({ templates: { activation: () => undefined, tier: undefined } });
  const logger = createLogger({ logLevel: 'SILENT' });
  const typeFunction = createTypeFunctionCore({
    deps: () => ({
      client,
      handlerFor: (objectClass, type) => entryFor(table, objectClass, type)?.process,
      tasks: records,
      scheduler: {
        async at() {
          throw new Error('nothing is rescheduled in the burst');
        },
      },
      settings: { table: TABLE, ...TASK_DEFAULTS },
      functionPrefix: 'model',
    }),
    logger,
  });

  let invocations = 0;
  let throttles = 0;
  let dispatchInvocations = 0;
  let queued = 0;
  const inFlight = new Map<string, number>();
  const pendingRuns = new Set<Promise<unknown>>();

  // Lambda, modelled: `dispatch` asynchronously (queued, unreserved); the type functions synchronously, each
  // with its reserved concurrency.
  const lambda: Invoker = {
    async invoke(fn, payload) {
      if (fn === 'dispatch') {
        dispatchInvocations += 1;
        const run = runDispatch(payload, Date.now() + 600_000, dispatchDeps)
          .then((outcome) => {
            if ('queued' in outcome) queued += 1;
          })
          .catch(() => undefined)
          .finally(() => pendingRuns.delete(run));
        pendingRuns.add(run);
        return undefined;
      }
      const busy = inFlight.get(fn) ?? 0;
      if (busy >= RESERVED_CONCURRENCY) {
        throttles += 1;
        throw new InvokeThrottledError(`model-${fn}`, 'TooManyRequestsException');
      }
      inFlight.set(fn, busy + 1);
      invocations += 1;
      try {
        return await typeFunction(
          payload,
          fakeLambdaContext({ functionName: `model-${fn}`, remainingMs: 120_000 }),
        );
      } finally {
        inFlight.set(fn, (inFlight.get(fn) ?? 1) - 1);
      }
    },
  };
  const requester = createDispatchRequester(lambda, 'dispatch');
  const dispatchDeps = {
    dispatcher: createDispatcher({
      client,
      invoker: lambda,
      tasks: records,
      automation: table,
      concurrency: RESERVED_CONCURRENCY,
      leaseSeconds: TASK_DEFAULTS.leaseSeconds,
      logger: silentLogger,
    }),
    requester,
    locks: store,
    logger: silentLogger,
  };

  // Connect's webhooks reach the real router core, as API Gateway would hand them over.
  let deliveries = 0;
  const verifier = createWebhookVerifier({ secrets: [SECRET] });
  const routerDeps = { verifier, products: [PRODUCT_ID], requester };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      deliveries += 1;
      const answer = await routeWebhook(
        {
          body: Buffer.concat(chunks).toString(),
          isBase64Encoded: false,
          headers: request.headers as Record<string, string>,
        },
        `model-${deliveries}`,
        routerDeps,
      ).catch(() => ({ statusCode: 503, body: '' }));
      response.writeHead(answer.statusCode).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/connect/webhook`;

  try {
    const faults = emulator.faults.config;
    emulator.reset();
    emulator.setFaults(faults);
    emulator.store.applySeed({ requests: Array.from({ length: options.requests }, () => purchaseBody()) });
    const ids = emulator.store.listRequests().map((request) => request.id);
    const created = await fetch(`${emulator.url}/notifications/webhooks`, {
      method: 'POST',
      headers: { authorization: API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        label: 'aws model',
        description: 'aws model',
        type: 'event',
        object_class: 'fulfillment_request',
        product_id: PRODUCT_ID,
        external_url: url,
        jwt_secret: SECRET,
        http_method: 'POST',
        active: true,
        data: {},
      }),
    });
    const { id: webhookId } = (await created.json()) as { id: string };
    emulator.setFaults({ latencyMs: CONNECT_LATENCY_MS });

    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await fetch(`${emulator.url}/notifications/webhooks/${webhookId}/trigger`, {
      method: 'POST',
      headers: { authorization: API_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    // Polled on the status alone: a read of the whole request is a deep copy, on the same CPU as the model.
    const waiting = new Set(ids);
    while (waiting.size > 0) {
      for (const id of waiting) if (emulator.store.requestStatus(id) === 'approved') waiting.delete(id);
      if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // Let the approvals' own webhooks and dispatches end: they are part of the cost.
    await emulator.webhooksIdle();
    while (pendingRuns.size > 0) await Promise.all([...pendingRuns]);
    emulator.setFaults({ latencyMs: 0 });

    const n = ids.length;
    const floorSeconds =
      (2 * CONNECT_LATENCY_MS + Math.ceil(n / RESERVED_CONCURRENCY) * 2 * CONNECT_LATENCY_MS) / 1000;
    const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
    const invocationsPerRequest = round(invocations / n, 3);
    return {
      requests: n,
      reservedConcurrency: RESERVED_CONCURRENCY,
      runsInFlight: RESERVED_CONCURRENCY,
      seconds: round(seconds, 2),
      floorSeconds: round(floorSeconds, 2),
      ratio: round(seconds / floorSeconds, 2),
      cpuSeconds: round(cpuSeconds, 2),
      invocationsPerRequest,
      dynamoCallsPerRequest: round(total / n, 2),
      recordWritesPerRequest: round(recordWrites / n, 3),
      dynamoCalls: calls,
      throttledRetries: throttles,
      dispatchInvocations,
      dispatchesQueued: queued,
      webhookDeliveries: deliveries,
      meetsGoal: invocationsPerRequest <= 1.05 && throttles === 0,
    };
  } finally {
    server.close();
    await dynamo.stop();
  }
}
