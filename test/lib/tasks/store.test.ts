import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimable, createTaskStore, type TaskRecord, type TaskStore } from '../../../lib/tasks';
import { createTasksTable, type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { memoryLocks } from '../dispatch/fakes';

let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo(0, 'tasks-unused');
});
afterAll(async () => {
  await dynamo.stop();
});

async function freshStore(): Promise<{ store: TaskStore; calls: string[] }> {
  const table = `tasks-${++tables}`;
  await createTasksTable(dynamo.endpoint, table);
  const calls: string[] = [];
  return {
    store: createTaskStore({ table, endpoint: dynamo.endpoint, onCall: (op) => calls.push(op) }),
    calls,
  };
}

const T0 = 1_800_000_000_000;
const LEASE = 900;

function claimAt(
  store: TaskStore,
  id: string,
  options: { version?: string; listedAt?: number; now?: number; token?: string } = {},
) {
  const now = options.now ?? T0;
  return store.claim({
    id,
    version: options.version ?? 'v1',
    listedAt: options.listedAt ?? now,
    now,
    token: options.token ?? `token-${now}-${options.version ?? 'v1'}`,
    objectClass: 'fulfillment_request',
    type: 'purchase',
    productId: 'PRD-1',
    fn: 'purchase',
    leaseSeconds: LEASE,
  });
}

const attempt = (
  n: number,
  outcome: 'approved' | 'skipped' | 'rescheduled' | 'parked' | 'error' | 'inquired',
  at = T0,
) => ({
  n,
  at,
  outcome,
  durationMs: 12,
  lambdaRequestId: `req-${n}`,
});

describe('claim', () => {
  it('claims a request once: a second dispatch within the lease gets nothing', async () => {
    const { store } = await freshStore();

    const first = await claimAt(store, 'PR-1');
    const second = await claimAt(store, 'PR-1', { token: 'other', now: T0 + 1 });

    expect(first).toMatchObject({ attempt: 1, failures: 0, reschedules: 0, leaseUntil: T0 + LEASE * 1000 });
    expect(second).toBeUndefined();
    expect(await store.get('PR-1')).toMatchObject({
      state: 'processing',
      version: 'v1',
      attempts: 1,
      fn: 'purchase',
    });
  });

  it('claims again once the lease is over (the run died)', async () => {
    const { store } = await freshStore();
    await claimAt(store, 'PR-1');

    const again = await claimAt(store, 'PR-1', { token: 'second', now: T0 + LEASE * 1000 + 1 });

    expect(again).toMatchObject({ token: 'second', attempt: 2 });
  });

  it('does not claim a decided version again, nor any version listed before the decision', async () => {
    const { store } = await freshStore();
    const claim = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: claim?.token ?? '',
      state: 'done',
      outcome: 'inquired',
      version: 'v1',
      attempt: attempt(1, 'inquired', T0 + 100),
      now: T0 + 100,
      expiresAt: undefined,
    });

    // The same version after the decision; another version listed before it (our own PUT's): nothing.
    expect(
      await claimAt(store, 'PR-1', { version: 'v1', listedAt: T0 + 200, now: T0 + 200 }),
    ).toBeUndefined();
    expect(await claimAt(store, 'PR-1', { version: 'v2', listedAt: T0 + 50, now: T0 + 200 })).toBeUndefined();
    // The customer answered: a new version listed after the decision is claimed at once.
    expect(await claimAt(store, 'PR-1', { version: 'v3', listedAt: T0 + 300, now: T0 + 300 })).toMatchObject({
      attempt: 2,
    });
  });

  it('claims a skipped request again once its retry time has passed', async () => {
    const { store } = await freshStore();
    const claim = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: claim?.token ?? '',
      state: 'done',
      outcome: 'skipped',
      version: 'v1',
      retryAt: T0 + 120_000,
      attempt: attempt(1, 'skipped'),
      now: T0 + 10,
      expiresAt: undefined,
    });

    expect(await claimAt(store, 'PR-1', { listedAt: T0 + 60_000, now: T0 + 60_000 })).toBeUndefined();
    expect(await claimAt(store, 'PR-1', { listedAt: T0 + 121_000, now: T0 + 121_000 })).toBeDefined();
  });

  it('does not claim a rescheduled request before it is due, by any way', async () => {
    const { store } = await freshStore();
    const claim = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: claim?.token ?? '',
      state: 'rescheduled',
      outcome: 'rescheduled',
      version: 'v1',
      dueAt: T0 + 30_000,
      reschedules: 1,
      firstRescheduledAt: T0,
      attempt: attempt(1, 'rescheduled'),
      now: T0 + 10,
      expiresAt: undefined,
    });

    expect(
      await claimAt(store, 'PR-1', { version: 'v9', listedAt: T0 + 20_000, now: T0 + 20_000 }),
    ).toBeUndefined();
    expect(
      await store.claimDue({ id: 'PR-1', token: 't', now: T0 + 29_999, leaseSeconds: LEASE }),
    ).toBeUndefined();
    const due = await store.claimDue({ id: 'PR-1', token: 't', now: T0 + 30_000, leaseSeconds: LEASE });
    expect(due).toMatchObject({ token: 't', attempt: 2, reschedules: 1, firstRescheduledAt: T0 });
    // A retry of the same trigger takes its own claim again; another trigger does not.
    expect(
      await store.claimDue({ id: 'PR-1', token: 't', now: T0 + 31_000, leaseSeconds: LEASE }),
    ).toBeDefined();
    expect(
      await store.claimDue({ id: 'PR-1', token: 'x', now: T0 + 31_000, leaseSeconds: LEASE }),
    ).toBeUndefined();
  });

  it('claims a due rescheduled request only from a listing taken after it was rescheduled', async () => {
    // The attempt that rescheduled may have written to Connect first: an older listing shows the request before.
    const { store } = await freshStore();
    const claim = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: claim?.token ?? '',
      state: 'rescheduled',
      outcome: 'rescheduled',
      version: 'v1',
      dueAt: T0 + 1_000,
      reschedules: 1,
      firstRescheduledAt: T0,
      attempt: attempt(1, 'rescheduled'),
      now: T0 + 500,
      expiresAt: undefined,
    });

    expect(await claimAt(store, 'PR-1', { listedAt: T0 + 400, now: T0 + 2_000 })).toBeUndefined();
    expect(await claimAt(store, 'PR-1', { listedAt: T0 + 600, now: T0 + 2_000 })).toBeDefined();
  });

  it('does not claim a parked request until its version changes, or it is released', async () => {
    const { store } = await freshStore();
    const claim = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: claim?.token ?? '',
      state: 'parked',
      outcome: 'parked',
      version: 'v1',
      reason: 'the product has no parameter `email`',
      attempt: attempt(1, 'parked'),
      now: T0 + 10,
      expiresAt: undefined,
    });

    expect(
      await claimAt(store, 'PR-1', { listedAt: T0 + 999_999_999, now: T0 + 999_999_999 }),
    ).toBeUndefined();
    expect((await store.list({ state: 'parked' })).map((record) => record.id)).toEqual(['PR-1']);

    const released = await store.release('PR-1', T0 + 50);
    expect(released).toMatchObject({ state: 'rescheduled', dueAt: T0 + 50, failures: 0, reschedules: 0 });
    expect(released?.reason).toBeUndefined();
    expect(await store.list({ state: 'parked' })).toEqual([]);
    expect(await store.claimDue({ id: 'PR-1', token: 'r', now: T0 + 60, leaseSeconds: LEASE })).toBeDefined();
  });

  it('dispatches a parked request again when someone edits it in Connect', async () => {
    const { store } = await freshStore();
    await store.park({
      id: 'PR-1',
      objectClass: 'fulfillment_request',
      type: 'purchase',
      productId: 'PRD-1',
      fn: 'purchase',
      version: 'v1',
      reason: 'Connect sent a request that does not match its schema',
      now: T0,
    });

    expect(await claimAt(store, 'PR-1', { version: 'v2', listedAt: T0 + 1, now: T0 + 1 })).toBeDefined();
  });
});

describe('complete', () => {
  it('writes only with its own claim, and keeps the last attempts in order', async () => {
    const { store } = await freshStore();
    let now = T0;
    for (let n = 1; n <= 12; n += 1) {
      now += LEASE * 1000 + 1;
      const claim = await claimAt(store, 'PR-1', { now, token: `t${n}` });
      expect(claim?.attempt).toBe(n);
      await store.complete({
        id: 'PR-1',
        token: claim?.token ?? '',
        state: 'processing',
        outcome: 'error',
        version: 'v1',
        attempt: attempt(n, 'error', now),
        error: { code: 'EMU_FAULT', message: 'Connect answered 500' },
        now,
        expiresAt: Math.ceil(now / 1000) + 86_400,
      });
    }

    const lost = await store.complete({
      id: 'PR-1',
      token: 'a token nobody holds',
      state: 'done',
      outcome: 'approved',
      version: 'v1',
      attempt: attempt(13, 'approved', now),
      now,
      expiresAt: undefined,
    });
    const record = (await store.get('PR-1')) as TaskRecord;

    expect(lost).toBe(false);
    expect(record.state).toBe('processing');
    expect(record.history.map((entry) => entry.n)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(record.error).toEqual({ code: 'EMU_FAULT', message: 'Connect answered 500' });
  });

  it('counts handler failures per version', async () => {
    const { store } = await freshStore();
    const first = await claimAt(store, 'PR-1');
    await store.complete({
      id: 'PR-1',
      token: first?.token ?? '',
      state: 'rescheduled',
      outcome: 'error',
      version: 'v1',
      failures: 3,
      dueAt: T0 + 1,
      attempt: attempt(1, 'error'),
      now: T0,
      expiresAt: undefined,
    });

    const sameVersion = await store.claimDue({ id: 'PR-1', token: 'd', now: T0 + 2, leaseSeconds: LEASE });
    expect(sameVersion?.failures).toBe(3);
    await store.complete({
      id: 'PR-1',
      token: 'd',
      state: 'done',
      outcome: 'skipped',
      version: 'v1',
      retryAt: T0 + 3,
      attempt: attempt(2, 'skipped'),
      now: T0 + 2,
      expiresAt: undefined,
    });
    const newVersion = await claimAt(store, 'PR-1', { version: 'v2', listedAt: T0 + 10, now: T0 + 10 });
    expect(newVersion?.failures).toBe(0);
  });
});

describe('getMany', () => {
  it('reads any number of records, 100 per batch', async () => {
    const { store, calls } = await freshStore();
    for (let n = 0; n < 150; n += 3) await claimAt(store, `PR-${n}`);
    calls.length = 0;

    const found = await store.getMany(Array.from({ length: 150 }, (_, n) => `PR-${n}`));

    expect(found.size).toBe(50);
    expect(calls).toEqual(['BatchGetItem', 'BatchGetItem']);
  });
});

describe("the dispatcher's pre-check agrees with the store", () => {
  it.each([
    ['no record', undefined, true],
    ['processing, within the lease', { state: 'processing', leaseUntil: T0 + 1 }, false],
    ['processing, lease over', { state: 'processing', leaseUntil: T0 - 1 }, true],
    ['done, same version', { state: 'done', decidedAt: T0 - 10, version: 'v1' }, false],
    ['done, new version listed after', { state: 'done', decidedAt: T0 - 10, version: 'v0' }, true],
    ['done, new version listed before', { state: 'done', decidedAt: T0 + 10, version: 'v0' }, false],
    ['done, retry time passed', { state: 'done', decidedAt: T0 - 10, version: 'v1', retryAt: T0 - 1 }, true],
    ['rescheduled, not due', { state: 'rescheduled', dueAt: T0 + 1 }, false],
    ['rescheduled, due', { state: 'rescheduled', dueAt: T0 }, true],
    ['rescheduled, due, listed after', { state: 'rescheduled', dueAt: T0, decidedAt: T0 - 10 }, true],
    ['rescheduled, due, listed before', { state: 'rescheduled', dueAt: T0, decidedAt: T0 + 10 }, false],
    ['parked, same version', { state: 'parked', decidedAt: T0 - 10, version: 'v1' }, false],
    ['parked, edited since', { state: 'parked', decidedAt: T0 - 10, version: 'v0' }, true],
  ] as const)('%s', (_name, partial, expected) => {
    const record =
      partial === undefined
        ? undefined
        : ({
            id: 'PR-1',
            version: 'v1',
            attempts: 1,
            failures: 0,
            reschedules: 0,
            outages: 0,
            history: [],
            updatedAt: 0,
            objectClass: '',
            type: '',
            productId: '',
            fn: '',
            ...partial,
          } as TaskRecord);
    expect(claimable(record, { id: 'PR-1', version: 'v1', listedAt: T0 }, T0)).toBe(expected);
  });
});

describe('the dispatch lock', () => {
  /** One sequence of lock calls; the in-memory lock of the dispatch tests must answer it the same way. */
  async function sequence(
    locks: Pick<TaskStore, 'acquireLock' | 'queueOnLock' | 'releaseLock' | 'dropLock'>,
  ) {
    return [
      await locks.acquireLock('P#fr', 'a', T0, 1_000),
      await locks.acquireLock('P#fr', 'b', T0 + 10, 1_000), // a holds it
      await locks.acquireLock('P#fr', 'a', T0 + 20, 1_000), // a renews it (its continuation)
      await locks.queueOnLock('P#fr', 'b', T0 + 30), // b asks a to list again
      await locks.releaseLock('P#fr', 'a'), // again: the flag cleared, still a's
      await locks.releaseLock('P#fr', 'a'), // released
      await locks.queueOnLock('P#fr', 'c', T0 + 40), // nobody holds it: c must take it
      await locks.acquireLock('P#fr', 'c', T0 + 40, 1_000),
      await locks.releaseLock('P#fr', 'a'), // not a's any more
      await locks.acquireLock('P#fr', 'd', T0 + 2_000, 1_000), // c's lease ran out (a crashed run)
      await locks.queueOnLock('P#fr', 'e', T0 + 2_010), // e queues on d
      await locks.acquireLock('P#fr', 'd', T0 + 2_020, 1_000), // d's continuation renews: e is still owed
      await locks.releaseLock('P#fr', 'd'), // again
      await locks.queueOnLock('P#fr', 'f', T0 + 2_030), // f queues on d
      await locks.dropLock('P#fr', 'd'), // d fails: gone, whatever was queued
      await locks.queueOnLock('P#fr', 'g', T0 + 2_040), // nobody holds it
      await locks.acquireLock('P#fr', 'g', T0 + 2_040, 1_000), // g takes it at once
      await locks.dropLock('P#fr', 'd'), // not d's any more
    ];
  }

  it('lets one holder at a time run, queues the others on it, and frees it after its lease', async () => {
    const { store } = await freshStore();

    const answers = await sequence(store);

    expect(answers).toEqual([
      ...[true, false, true, true, 'again', 'released', false, true, 'lost', true],
      ...[true, true, 'again', true, true, false, true, false],
    ]);
    expect(answers).toEqual(await sequence(memoryLocks()));
  });

  it('is never listed among the task records', async () => {
    const { store } = await freshStore();
    await store.acquireLock('P#fr', 'a', T0, 1_000);
    await claimAt(store, 'PR-1');

    expect((await store.list()).map((record) => record.id)).toEqual(['PR-1']);
  });
});

describe('countParked', () => {
  it('counts the parked requests only, with one Query and no record read', async () => {
    const { store, calls } = await freshStore();
    expect(await store.countParked()).toBe(0);
    const parkAt = (id: string) =>
      store.park({
        id,
        objectClass: 'fulfillment_request',
        type: 'purchase',
        productId: 'PRD-1',
        fn: 'purchase',
        version: 'v1',
        reason: 'unreadable',
        now: T0,
      });
    await parkAt('PR-1');
    await parkAt('PR-2');
    await claimAt(store, 'PR-3');
    await store.acquireLock('P#fr', 'a', T0, 1_000);
    calls.length = 0;

    expect(await store.countParked()).toBe(2);
    expect(calls).toEqual(['Query']);

    await store.release('PR-1', T0 + 1);
    expect(await store.countParked()).toBe(1);
  });
});
