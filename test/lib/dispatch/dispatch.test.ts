import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, startEmulator } from '../../../emulator';
import { type ConnectClient, createConnectClient } from '../../../lib/connect';
import {
  createDispatcher,
  type DispatchPayload,
  type DispatchRequest,
  InvokeError,
  InvokeFunctionError,
  type Invoker,
  InvokeThrottledError,
} from '../../../lib/dispatch';
import type { Logger } from '../../../lib/observability';
import { createTaskStore, type TaskStore } from '../../../lib/tasks';
import { createTasksTable, type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { fakeConnectClient, fakeLogger, TABLE } from './fakes';

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamo(0, 'dispatch-unused');
});
afterAll(async () => {
  await dynamo.stop();
});

/** A fresh task table on the local DynamoDB: the real conditional claims. */
async function freshTasks(): Promise<TaskStore> {
  const table = `dispatch-${++tables}`;
  await createTasksTable(dynamo.endpoint, table);
  return createTaskStore({ table, endpoint: dynamo.endpoint });
}

/** One dispatch through a dispatcher built for it (concurrency 8 unless given), on a fresh task table. */
async function dispatchPending(
  options: DispatchRequest & {
    client: ConnectClient;
    invoker: Invoker;
    logger: Logger;
    concurrency?: number;
    tasks?: TaskStore;
  },
) {
  const dispatcher = createDispatcher({
    ...options,
    tasks: options.tasks ?? (await freshTasks()),
    automation: TABLE,
    concurrency: options.concurrency ?? 8,
    leaseSeconds: 900,
  });
  return dispatcher.dispatch(options);
}

const CLAIM = {
  token: expect.any(String),
  leaseUntil: expect.any(Number),
  attempt: 1,
  failures: 0,
  reschedules: 0,
  outages: 0,
};

/**
 * An invoker that records calls and in-flight counts; each call takes 15 ms, longer than a claim on the
 * local DynamoDB, so that the lanes pile up on it and the bound is reached.
 */
/**
 * An invoker that records its calls. Each run takes 15 ms, or, with `holdUntil`, is held until that many run
 * at once (or every expected call has started): how many lanes fill does not depend on the machine's speed.
 */
function recordingInvoker(
  options: {
    failFor?: (payload: DispatchPayload) => boolean;
    holdUntil?: { inFlight: number; calls: number };
  } = {},
) {
  const calls: { functionName: string; payload: DispatchPayload }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let held: Array<() => void> = [];
  const settle = () => {
    const { holdUntil } = options;
    if (holdUntil && (inFlight >= holdUntil.inFlight || calls.length >= holdUntil.calls)) {
      for (const resume of held) resume();
      held = [];
    }
  };
  const invoker: Invoker = {
    async invoke(functionName, payload) {
      const typed = payload as DispatchPayload;
      calls.push({ functionName, payload: typed });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (options.holdUntil) {
          await new Promise<void>((resume) => {
            held.push(resume);
            settle();
          });
        } else await new Promise((resolve) => setTimeout(resolve, 15));
        if (options.failFor?.(typed)) throw new Error('ServiceException');
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { invoker, calls, maxInFlight: () => maxInFlight };
}

describe('the dispatcher', () => {
  it('invokes one function per pending request and summarises per function', async () => {
    // Prepare
    const { client } = fakeConnectClient({
      requests: [
        fulfillmentRequest({ id: 'PR-1', type: 'purchase' }),
        fulfillmentRequest({ id: 'PR-2', type: 'purchase' }),
        fulfillmentRequest({ id: 'PR-3', type: 'cancel' }),
        fulfillmentRequest({ id: 'PR-4', type: 'renew' }),
      ],
    });
    const { invoker, calls } = recordingInvoker();
    const { logger } = fakeLogger();

    // Act
    const summary = await dispatchPending({
      client,
      invoker,
      logger,
      productId: 'PRD-000-000-001',
      objectClass: 'fulfillment_request',
      correlationId: 'corr-1',
      webhookId: 'WH-1',
    });

    // Assess
    expect(summary).toEqual({
      productId: 'PRD-000-000-001',
      objectClass: 'fulfillment_request',
      listed: 4,
      dispatched: { purchase: 2, cancel: 1, unsupported: 1 },
      outcomes: {},
      throttled: 0,
      skipped: 0,
      failed: 0,
      parked: 0,
      pages: 1,
      complete: true,
    });
    expect(calls.map((call) => call.functionName).sort()).toEqual([
      'cancel',
      'purchase',
      'purchase',
      'unsupported',
    ]);
    expect(calls[0]?.payload).toEqual({
      objectClass: 'fulfillment_request',
      request: fulfillmentRequest({ id: 'PR-1', type: 'purchase' }),
      correlationId: 'corr-1',
      webhookId: 'WH-1',
      listedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      claim: CLAIM,
    });
  });

  it('sends tier config requests to tier-config and omits an absent webhook id', async () => {
    const { client } = fakeConnectClient({ tierConfigRequests: [tierConfigRequest({ id: 'TCR-1' })] });
    const { invoker, calls } = recordingInvoker();

    const summary = await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-000-000-001',
      objectClass: 'tier_config_request',
      correlationId: 'sweep-1',
    });

    expect(summary.dispatched).toEqual({ 'tier-config': 1 });
    expect(calls[0]?.payload).toEqual({
      objectClass: 'tier_config_request',
      request: tierConfigRequest({ id: 'TCR-1' }),
      correlationId: 'sweep-1',
      listedAt: expect.any(String),
      claim: CLAIM,
    });
  });

  it.each([1, 3, 8])('keeps at most %i invocations in flight', async (concurrency) => {
    // Prepare
    const requests = Array.from({ length: 25 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client } = fakeConnectClient({ requests, pageSize: 10 });
    const { invoker, calls, maxInFlight } = recordingInvoker({
      holdUntil: { inFlight: concurrency, calls: 25 },
    });

    // Act
    await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      concurrency,
    });

    // Assess
    expect(calls).toHaveLength(25);
    expect(maxInFlight()).toBe(concurrency);
  });

  it('counts and logs a failed invoke without aborting the others', async () => {
    // Prepare
    const requests = Array.from({ length: 6 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client } = fakeConnectClient({ requests });
    const { invoker, calls } = recordingInvoker({ failFor: (payload) => payload.request.id === 'PR-2' });
    const { logger, entries } = fakeLogger();

    // Act
    const summary = await dispatchPending({
      client,
      invoker,
      logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      concurrency: 2,
    });

    // Assess
    expect(calls).toHaveLength(6);
    expect(summary).toMatchObject({ listed: 6, dispatched: { purchase: 5 }, failed: 1 });
    const errors = entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extra[0]).toMatchObject({ request_id: 'PR-2', function: 'purchase' });
  });

  it('records a run that ended without a decision as a failure: due again after the backoff, parked at the limit', async () => {
    // Prepare: the type function crashes (FunctionError) every time.
    const requests = [fulfillmentRequest({ id: 'PR-1' })];
    const { client } = fakeConnectClient({ requests });
    const tasks = await freshTasks();
    let clock = Date.parse('2026-11-27T12:00:00Z');
    const invoker: Invoker = {
      async invoke() {
        throw new InvokeFunctionError('p-purchase', 'Unhandled error (Error: out of memory)');
      },
    };
    const dispatcher = createDispatcher({
      client,
      invoker,
      tasks,
      automation: TABLE,
      concurrency: 1,
      leaseSeconds: 900,
      failures: { maxFailures: 2, failureRetrySeconds: 30, retentionDays: 30 },
      now: () => clock,
      logger: fakeLogger().logger,
    });
    const order = { productId: 'PRD-1', objectClass: 'fulfillment_request' as const, correlationId: 'c' };

    // Act
    const first = await dispatcher.dispatch(order);
    const record = await tasks.get('PR-1');
    const early = await dispatcher.dispatch(order);
    clock += 31_000;
    const second = await dispatcher.dispatch(order);
    clock += 3_600_000;
    const after = await dispatcher.dispatch(order);

    // Assess
    expect(first).toMatchObject({ failed: 1 });
    expect(record).toMatchObject({
      state: 'rescheduled',
      failures: 1,
      error: { code: 'InvokeFunctionError' },
    });
    expect(record?.dueAt).toBe(Date.parse('2026-11-27T12:00:30Z'));
    expect(early).toMatchObject({ failed: 0, skipped: 1 });
    expect(second).toMatchObject({ failed: 1 });
    expect(await tasks.get('PR-1')).toMatchObject({ state: 'parked', failures: 2 });
    expect(after).toMatchObject({ failed: 0, skipped: 1 });
  });

  it('gives a throttled run its claim back at once, and leaves a run whose invoke failed on the way holding it', async () => {
    // Prepare: PR-1 is throttled past every retry (nothing ran); PR-2's invoke fails in transport (it may run).
    const requests = [fulfillmentRequest({ id: 'PR-1' }), fulfillmentRequest({ id: 'PR-2' })];
    const { client } = fakeConnectClient({ requests });
    const tasks = await freshTasks();
    const invoker: Invoker = {
      async invoke(_fn, payload) {
        const id = (payload as DispatchPayload).request.id;
        if (id === 'PR-1') throw new InvokeThrottledError('p-purchase', 'TooManyRequestsException');
        throw new InvokeError('p-purchase', 'TimeoutError');
      },
    };
    const dispatcher = createDispatcher({
      client,
      invoker,
      tasks,
      automation: TABLE,
      concurrency: 1,
      leaseSeconds: 900,
      sleep: async () => undefined,
      logger: fakeLogger().logger,
    });

    // Act
    const summary = await dispatcher.dispatch({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    // Assess
    expect(summary).toMatchObject({ failed: 2 });
    const [throttled, inTransit] = [await tasks.get('PR-1'), await tasks.get('PR-2')];
    expect(throttled?.state).toBe('processing');
    expect(throttled?.leaseUntil ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(Date.now());
    expect(inTransit?.state).toBe('processing');
    expect(inTransit?.leaseUntil ?? 0).toBeGreaterThan(Date.now() + 800_000);
  });

  it('asks a throttled run again after a wait, never past the limit of runs in flight', async () => {
    // Prepare: Lambda refuses the first two runs of PR-2 for want of concurrency.
    const requests = Array.from({ length: 4 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client } = fakeConnectClient({ requests });
    let throttles = 2;
    const waits: number[] = [];
    const ran: string[] = [];
    const invoker: Invoker = {
      async invoke(_fn, payload) {
        const { id } = (payload as DispatchPayload).request;
        if (id === 'PR-2' && throttles > 0) {
          throttles -= 1;
          throw new InvokeThrottledError('p-purchase', 'TooManyRequestsException');
        }
        ran.push(id);
        return { outcome: 'approved' };
      },
    };
    const dispatcher = createDispatcher({
      client,
      invoker,
      tasks: await freshTasks(),
      automation: TABLE,
      concurrency: 2,
      leaseSeconds: 900,
      logger: fakeLogger().logger,
      sleep: async (ms) => void waits.push(ms),
    });

    // Act
    const summary = await dispatcher.dispatch({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    // Assess
    expect(summary).toMatchObject({
      throttled: 2,
      failed: 0,
      dispatched: { purchase: 4 },
      outcomes: { approved: 4 },
    });
    expect(waits).toEqual([1_000, 2_000]);
    expect(ran.sort()).toEqual(['PR-0', 'PR-1', 'PR-2', 'PR-3']);
  });

  it('pages the real emulator over HTTP by created, each pending request dispatched once, approved ones left', async () => {
    // Prepare: 35 pending purchases, a page of 10, and one request that leaves the queue while we page.
    const emulator = await startEmulator({ port: 0 });
    try {
      emulator.store.applySeed({
        requests: Array.from({ length: 35 }, () => ({
          type: 'purchase',
          asset: { product: { id: 'PRD-EMU' }, items: [], params: [] },
        })),
      });
      const ids = emulator.store.listRequests().map((request) => request.id);
      const client = createConnectClient({ apiUrl: emulator.url, apiKey: DEFAULT_API_KEY });
      const approvedWhilePaging = ids[25] as string;
      const invoked: string[] = [];
      const invoker: Invoker = {
        async invoke(_fn, payload) {
          const { request } = payload as DispatchPayload;
          invoked.push(request.id);
          if (invoked.length === 10)
            await client.requests.approve(approvedWhilePaging, { template_id: 'TL-1' });
        },
      };
      const dispatcher = createDispatcher({
        client,
        invoker,
        tasks: await freshTasks(),
        automation: TABLE,
        concurrency: 1,
        leaseSeconds: 900,
        logger: fakeLogger().logger,
        pageSize: 10,
      });

      // Act
      const summary = await dispatcher.dispatch({
        productId: 'PRD-EMU',
        objectClass: 'fulfillment_request',
        correlationId: 'paging',
      });

      // Assess
      expect(invoked).toEqual(ids.filter((id) => id !== approvedWhilePaging));
      expect(summary).toMatchObject({ listed: 34, skipped: 0, complete: true });
      const lists = emulator
        .calls()
        .filter((call) => call.method === 'GET' && call.path.endsWith('/requests'));
      expect(lists.length).toBe(summary.pages);
      expect(lists.slice(1).every((call) => call.query.includes('ge(created,'))).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  it('returns an empty summary when nothing is pending', async () => {
    const { client } = fakeConnectClient({});
    const { invoker, calls } = recordingInvoker();

    const summary = await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    expect(summary).toEqual({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      listed: 0,
      dispatched: {},
      outcomes: {},
      throttled: 0,
      skipped: 0,
      failed: 0,
      parked: 0,
      pages: 1,
      complete: true,
    });
    expect(calls).toHaveLength(0);
  });

  it('lets a listing failure propagate', async () => {
    const { client } = fakeConnectClient({});
    client.requests.list = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('Connect down')) }),
    });

    const result = dispatchPending({
      client,
      invoker: recordingInvoker().invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    await expect(result).rejects.toThrow('Connect down');
  });

  it.each([0, -1, 1.5])('refuses concurrency %s', async (concurrency) => {
    const { client } = fakeConnectClient({});

    await expect(
      dispatchPending({
        client,
        invoker: recordingInvoker().invoker,
        logger: fakeLogger().logger,
        productId: 'PRD-1',
        objectClass: 'fulfillment_request',
        correlationId: 'c',
        concurrency,
      }),
    ).rejects.toThrow(RangeError);
  });

  it('invokes nothing for a request already dispatched: a duplicate delivery costs one batch read', async () => {
    // Prepare: one delivery dispatched the queue; a second one lists the same requests.
    const requests = Array.from({ length: 5 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const tasks = await freshTasks();
    const first = recordingInvoker();
    const second = recordingInvoker();
    const request = { productId: 'PRD-1', objectClass: 'fulfillment_request' as const, correlationId: 'c' };
    await dispatchPending({
      ...request,
      client: fakeConnectClient({ requests }).client,
      invoker: first.invoker,
      logger: fakeLogger().logger,
      tasks,
    });

    // Act
    const duplicate = await dispatchPending({
      ...request,
      client: fakeConnectClient({ requests }).client,
      invoker: second.invoker,
      logger: fakeLogger().logger,
      tasks,
    });

    // Assess
    expect(first.calls).toHaveLength(5);
    expect(second.calls).toEqual([]);
    expect(duplicate).toMatchObject({ listed: 5, skipped: 5, dispatched: {} });
  });

  it('lets only one of many concurrent deliveries claim each request', async () => {
    const requests = Array.from({ length: 40 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const tasks = await freshTasks();
    const invokers = Array.from({ length: 6 }, () => recordingInvoker());

    await Promise.all(
      invokers.map(({ invoker }) =>
        dispatchPending({
          productId: 'PRD-1',
          objectClass: 'fulfillment_request',
          correlationId: 'storm',
          client: fakeConnectClient({ requests }).client,
          invoker,
          logger: fakeLogger().logger,
          tasks,
        }),
      ),
    );

    const invoked = invokers.flatMap(({ calls }) => calls.map((call) => call.payload.request.id));
    expect(invoked.sort()).toEqual(requests.map((item) => item.id).sort());
  });

  it('parks a listed object that fails its schema, once, and goes on with the page', async () => {
    // Prepare: the client reports PR-BAD as not matching the schema while listing the others.
    const requests = [fulfillmentRequest({ id: 'PR-1' })];
    const { client } = fakeConnectClient({ requests });
    const list = client.requests.list;
    client.requests.list = (query) => {
      query?.onInvalidItem?.({
        path: '/requests',
        id: 'PR-BAD',
        type: 'reassign',
        updated: 'v1',
        issues: ['type: Invalid option'],
      });
      return list(query);
    };
    const tasks = await freshTasks();
    const { invoker, calls } = recordingInvoker();
    const { logger, entries } = fakeLogger();

    // Act
    const first = await dispatchPending({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      client,
      invoker,
      logger,
      tasks,
    });
    const again = await dispatchPending({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      client,
      invoker,
      logger,
      tasks,
    });

    // Assess
    expect(calls.map((call) => call.payload.request.id)).toEqual(['PR-1']);
    expect([first.parked, again.parked]).toEqual([1, 0]);
    expect(await tasks.get('PR-BAD')).toMatchObject({
      state: 'parked',
      reason: "Connect's fulfillment request does not match its schema: type: Invalid option",
    });
    expect(entries.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });
});
