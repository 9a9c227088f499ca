/**
 * The dispatcher at scale, with fakes at unit level: a Connect listing that honours `ge(created, …)` and
 * `ordering(created)` the way Connect does, requests that leave the pending list while it pages (as the type
 * functions approve them), an in-memory task store, and a clock that the invocations move forward so that
 * the deadline comes. 100,000 pending requests are dispatched completely, each exactly once, across
 * invocations, with no invocation running past its deadline.
 */
import { describe, expect, it } from 'vitest';
import { runDispatch } from '../../../functions/dispatch/dispatch';
import type { ConnectClient, FulfillmentRequest, ListQuery } from '../../../lib/connect';
import { createDispatcher, type DispatchOrder, type Invoker } from '../../../lib/dispatch';
import type { Claim, TaskStore } from '../../../lib/tasks';
import { fulfillmentRequest } from '../../support/builders';
import { fakeLogger, memoryLocks, TABLE } from './fakes';

/** `ge(created,"…")` out of a filter: the value the fake listing starts from. */
function geCreated(filter: string | undefined): string | undefined {
  const match = /ge\(created,(?:"([^"]*)"|([^)]*))\)/.exec(filter ?? '');
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? undefined : decodeURIComponent(raw);
}

function pendingQueue(count: number) {
  const pending = new Map<string, FulfillmentRequest>();
  for (let i = 0; i < count; i += 1) {
    // Several requests share a `created` value: the cursor must not lose or repeat them.
    const created = `2026-01-01T00:00:00.${String(Math.floor(i / 3)).padStart(6, '0')}+00:00`;
    const request = { ...fulfillmentRequest({ id: `PR-${String(i).padStart(6, '0')}` }), created };
    pending.set(request.id, request);
  }
  let listCalls = 0;
  const client = {
    requests: {
      list: (query: ListQuery = {}) => {
        listCalls += 1;
        const from = geCreated(query.filter);
        const page = [...pending.values()]
          .filter((request) => from === undefined || (request.created ?? '') >= from)
          .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.id.localeCompare(b.id))
          .slice(0, query.pageSize ?? 100);
        return (async function* () {
          yield* page;
        })();
      },
    },
  } as unknown as ConnectClient;
  return { pending, client, listCalls: () => listCalls };
}

/** Claims each id once (what the real store does for requests nobody else holds). */
function onceStore(): TaskStore & { claims: Map<string, number> } {
  const claims = new Map<string, number>();
  return {
    ...memoryLocks(),
    claims,
    getMany: async () => new Map(),
    get: async () => undefined,
    claim: async ({ id, token, now, leaseSeconds }) => {
      claims.set(id, (claims.get(id) ?? 0) + 1);
      if ((claims.get(id) ?? 0) > 1) return undefined;
      return {
        token,
        leaseUntil: now + leaseSeconds * 1000,
        attempt: 1,
        failures: 0,
        reschedules: 0,
        outages: 0,
      } satisfies Claim;
    },
    claimDue: async () => undefined,
    complete: async () => true,
    expire: async () => true,
    park: async () => true,
    release: async () => undefined,
    countParked: async () => 0,
    list: async () => [],
  };
}

describe('dispatching a deep queue', () => {
  it('dispatches 100,000 pending requests exactly once each, across invocations, none past its deadline', async () => {
    // Prepare
    const queue = pendingQueue(100_000);
    const tasks = onceStore();
    let clock = 0;
    const invoked: string[] = [];
    const invoker: Invoker = {
      async invoke(_fn, payload) {
        const { request } = payload as { request: FulfillmentRequest };
        invoked.push(request.id);
        // The type function approves it: it leaves the pending list while the dispatcher pages on.
        queue.pending.delete(request.id);
        clock += 10; // 10 ms a run (16 in flight): 100,000 take 1,000 s of clock
      },
    };
    const dispatcher = createDispatcher({
      client: queue.client,
      invoker,
      tasks,
      automation: TABLE,
      concurrency: 16,
      leaseSeconds: 900,
      logger: fakeLogger().logger,
      now: () => clock,
    });
    const continuations: DispatchOrder[] = [];
    const requester = { request: async (order: DispatchOrder) => void continuations.push(order) };

    // Act: each invocation has the dispatch's 600 s; its continuations are run one after the other.
    const overruns: number[] = [];
    let order: unknown = { productId: 'PRD-1', objectClass: 'fulfillment_request', correlationId: 'deep' };
    let invocations = 0;
    for (;;) {
      invocations += 1;
      const deadline = clock + 600_000;
      await runDispatch(order, deadline, {
        dispatcher,
        requester,
        locks: memoryLocks(),
        logger: fakeLogger().logger,
      });
      if (clock > deadline) overruns.push(clock - deadline);
      const next = continuations.shift();
      if (next === undefined) break;
      order = next;
    }

    // Assess
    expect(invoked).toHaveLength(100_000);
    expect(new Set(invoked).size).toBe(100_000);
    expect(queue.pending.size).toBe(0);
    expect([...tasks.claims.values()].every((count) => count === 1)).toBe(true);
    expect(overruns).toEqual([]);
    expect(invocations).toBeGreaterThan(1);
    expect(invocations).toBeLessThanOrEqual(10);
  });

  it('stops carrying a dispatch after its last continuation: the sweep goes on from there', async () => {
    // Prepare: a queue that each invocation barely starts.
    const queue = pendingQueue(5_000);
    let clock = 0;
    const dispatcher = createDispatcher({
      client: queue.client,
      invoker: {
        async invoke(_fn, payload) {
          queue.pending.delete((payload as { request: FulfillmentRequest }).request.id);
          clock += 100;
        },
      },
      tasks: onceStore(),
      automation: TABLE,
      concurrency: 1,
      leaseSeconds: 900,
      logger: fakeLogger().logger,
      now: () => clock,
      pageSize: 100,
    });
    const continuations: DispatchOrder[] = [];
    const { logger, entries } = fakeLogger();

    // Act: an order already at its tenth hop.
    await runDispatch(
      { productId: 'PRD-1', objectClass: 'fulfillment_request', correlationId: 'deep', hop: 10 },
      clock + 30_000,
      {
        dispatcher,
        requester: { request: async (order) => void continuations.push(order) },
        locks: memoryLocks(),
        logger,
      },
    );

    // Assess
    expect(continuations).toEqual([]);
    expect(entries.some((entry) => entry.level === 'error' && entry.message.includes('next sweep'))).toBe(
      true,
    );
    expect(queue.pending.size).toBeGreaterThan(0);
  });

  it('stops, warned, when the listing does not move on (the keyset filter ignored): no loop on one page', async () => {
    // Prepare: a listing that always serves the same first page, whatever its filter.
    const first = Array.from({ length: 10 }, (_, i) => ({
      ...fulfillmentRequest({ id: `PR-${i}` }),
      created: `2026-01-01T00:00:0${i}+00:00`,
    }));
    let listCalls = 0;
    const client = {
      requests: {
        list: () => {
          listCalls += 1;
          return (async function* () {
            yield* first;
          })();
        },
      },
    } as unknown as ConnectClient;
    const tasks = onceStore();
    const invoked: string[] = [];
    const { logger, entries } = fakeLogger();
    const dispatcher = createDispatcher({
      client,
      invoker: {
        invoke: async (_fn, payload) =>
          void invoked.push((payload as { request: { id: string } }).request.id),
      },
      tasks,
      automation: TABLE,
      concurrency: 4,
      leaseSeconds: 900,
      logger,
      pageSize: 10,
    });

    // Act
    const summary = await dispatcher.dispatch({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'stuck',
    });

    // Assess
    expect(listCalls).toBe(2);
    expect(invoked.sort()).toEqual(first.map((request) => request.id).sort());
    expect(summary).toMatchObject({ listed: 10, pages: 2 });
    expect(entries.some((entry) => entry.level === 'warn' && entry.message.includes('did not move on'))).toBe(
      true,
    );
  });

  it('refuses an order that is not what the router or the sweep send', async () => {
    const dispatcher = createDispatcher({
      client: pendingQueue(0).client,
      invoker: { invoke: async () => undefined },
      tasks: onceStore(),
      automation: TABLE,
      concurrency: 1,
      leaseSeconds: 900,
      logger: fakeLogger().logger,
    });
    await expect(
      runDispatch({ productId: '', objectClass: 'usage_file' }, Date.now() + 1_000, {
        dispatcher,
        requester: { request: async () => undefined },
        locks: memoryLocks(),
        logger: fakeLogger().logger,
      }),
    ).rejects.toThrow(/Invalid dispatch order/);
  });
});
