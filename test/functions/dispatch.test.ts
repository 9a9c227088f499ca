/**
 * The `dispatch` function's core: one dispatch at a time per product and kind (the others queue on it and it
 * lists once more), continuations that carry the lock, and a failure that lets it go.
 */
import { describe, expect, it } from 'vitest';
import { DISPATCH_LOCK_MS, runDispatch } from '../../functions/dispatch/dispatch';
import type { Dispatcher, DispatchOrder, DispatchRequest, DispatchSummary } from '../../lib/dispatch';
import { fakeLogger, memoryLocks } from '../lib/dispatch/fakes';

const ORDER = { productId: 'PRD-1', objectClass: 'fulfillment_request', correlationId: 'c' } as const;

const summary = (extra: Partial<DispatchSummary> = {}): DispatchSummary => ({
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
  ...extra,
});

/** A dispatcher whose runs wait for `release()`; it records the orders it was given. */
function gatedDispatcher(result: () => DispatchSummary = () => summary()) {
  const orders: DispatchRequest[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const dispatcher: Dispatcher = {
    async dispatch(order) {
      orders.push(order);
      await gate;
      return result();
    },
  };
  return {
    dispatcher,
    orders,
    release() {
      open();
      gate = Promise.resolve();
    },
  };
}

describe('runDispatch', () => {
  it('queues a dispatch asked for while one runs: the running one lists once more, nothing runs twice at once', async () => {
    // Prepare
    const locks = memoryLocks();
    const gated = gatedDispatcher();
    const deps = { dispatcher: gated.dispatcher, requester: { request: async () => undefined }, locks };
    const { logger } = fakeLogger();
    const deadline = Date.now() + 600_000;

    // Act: a storm of three more deliveries while the first dispatch lists.
    const first = runDispatch(ORDER, deadline, { ...deps, logger });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const storm = await Promise.all([1, 2, 3].map(() => runDispatch(ORDER, deadline, { ...deps, logger })));
    gated.release();
    const ran = await first;

    // Assess
    expect(storm).toEqual([1, 2, 3].map(() => ({ queued: true, productId: 'PRD-1' })));
    expect(ran).toMatchObject({ rounds: 2, complete: true });
    expect(gated.orders).toHaveLength(2);
    expect(locks.held.get('dispatch#PRD-1#fulfillment_request')?.leaseUntil).toBe(0);
  });

  it('hands the lock to its continuation, which takes it with the same token', async () => {
    const locks = memoryLocks();
    const continuations: DispatchOrder[] = [];
    const dispatcher: Dispatcher = {
      dispatch: async () => summary({ complete: false, cursor: { created: '2026-01-01', ids: ['PR-9'] } }),
    };

    await runDispatch(ORDER, Date.now() + 600_000, {
      dispatcher,
      requester: { request: async (order) => void continuations.push(order) },
      locks,
      logger: fakeLogger().logger,
      newToken: () => 'lock-1',
    });

    expect(continuations).toEqual([
      { ...ORDER, cursor: { created: '2026-01-01', ids: ['PR-9'] }, hop: 1, lock: 'lock-1' },
    ]);
    const lock = locks.held.get('dispatch#PRD-1#fulfillment_request');
    expect(lock?.token).toBe('lock-1');
    expect(lock?.leaseUntil).toBeGreaterThan(Date.now() + DISPATCH_LOCK_MS - 1_000);
    // Another delivery meanwhile queues on the continuation's lock.
    expect(
      await runDispatch(ORDER, Date.now() + 600_000, {
        dispatcher,
        requester: { request: async () => undefined },
        locks,
        logger: fakeLogger().logger,
      }),
    ).toEqual({ queued: true, productId: 'PRD-1' });
  });

  it('lets the lock go when the dispatch fails, so that the next delivery dispatches at once', async () => {
    const locks = memoryLocks();
    const failing: Dispatcher = {
      dispatch: async () => {
        throw new Error('Connect is down');
      },
    };
    const deps = { requester: { request: async () => undefined }, locks, logger: fakeLogger().logger };

    await expect(runDispatch(ORDER, Date.now() + 600_000, { ...deps, dispatcher: failing })).rejects.toThrow(
      'Connect is down',
    );
    const next = await runDispatch(ORDER, Date.now() + 600_000, {
      ...deps,
      dispatcher: { dispatch: async () => summary({ listed: 3 }) },
    });

    expect(next).toMatchObject({ listed: 3, rounds: 1 });
  });
});
