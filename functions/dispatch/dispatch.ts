/**
 * The `dispatch` function's core: one product's dispatch (lib/dispatch), asked for by the router or the
 * sweep, continued in a new invocation when its time runs low.
 *
 * - **One at a time per product and kind**: a dispatch takes a lock (an item of the task table). A dispatch
 *   asked for while another runs (a storm of webhooks, a sweep during a burst) only asks the running one to
 *   list once more when it ends, and stops: one listing, not twenty, and never two sets of runs competing for
 *   the same functions' concurrency.
 * - **Continued**: a dispatch of 100,000 pending requests pages through all of them; each invocation stops
 *   taking requests while its runs can still end before its timeout, and hands the lock to its continuation.
 *   At most `MAX_HOPS` invocations carry one dispatch (Lambda stops a chain of 16 asynchronous invocations as
 *   a loop): what is left then is the next sweep's.
 */
import { randomUUID } from 'node:crypto';
import {
  type Dispatcher,
  type DispatchOrder,
  type DispatchRequester,
  type DispatchSummary,
  RUN_MARGIN_MS,
} from '../../lib/dispatch';
import { OBJECT_CLASS_NAMES } from '../../lib/object-classes';
import type { Logger } from '../../lib/observability';
import type { TaskStore } from '../../lib/tasks';
import * as z from '../../lib/zod';

/** Router or sweep → dispatch → (this many continuations) → type function: well under Lambda's 16. */
export const MAX_HOPS = 10;

/** The lock outlives a dispatch invocation (600 s) by a minute: a crashed one frees it after that. */
export const DISPATCH_LOCK_MS = 660_000;

const OrderSchema = z.object({
  productId: z.string().check(z.minLength(1)),
  objectClass: z.enum(OBJECT_CLASS_NAMES as [string, ...string[]]),
  correlationId: z.string().check(z.minLength(1), z.maxLength(200)),
  webhookId: z.optional(z.string().check(z.maxLength(100))),
  cursor: z.optional(z.object({ created: z.string(), ids: z.array(z.string()) })),
  hop: z.optional(z.number().check(z.int(), z.gte(0))),
  lock: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});

export type DispatchDeps = {
  dispatcher: Dispatcher;
  requester: DispatchRequester;
  /** Where the lock is kept. */
  locks: Pick<TaskStore, 'acquireLock' | 'queueOnLock' | 'releaseLock' | 'dropLock'>;
  logger: Logger;
  now?: () => number;
  newToken?: () => string;
};

/** What an invocation did: its dispatch's summary (the last, when it listed again), or that it queued. */
export type DispatchOutcome = (DispatchSummary & { rounds: number }) | { queued: true; productId: string };

export async function runDispatch(
  event: unknown,
  deadline: number,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const parsed = OrderSchema.safeParse(event);
  if (!parsed.success) {
    // Not what the router or the sweep send: a bug or a hand-made event, never retried into success.
    throw new TypeError(`Invalid dispatch order: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  const now = deps.now ?? Date.now;
  const order = parsed.data as DispatchOrder;
  const key = `dispatch#${order.productId}#${order.objectClass}`;
  const token = order.lock ?? (deps.newToken ?? randomUUID)();
  const context = { productId: order.productId, objectClass: order.objectClass };

  // Ask a running dispatch to list once more (one write: the common case in a burst, where every approval
  // fires a webhook), or take the lock. Twice: the holder may let go, or another take it, between the two.
  let held = false;
  for (let tries = 0; tries < 2 && !held; tries += 1) {
    if (await deps.locks.queueOnLock(key, token, now())) {
      deps.logger.info('A dispatch of this product runs already: it lists once more when it ends', context);
      return { queued: true, productId: order.productId };
    }
    held = await deps.locks.acquireLock(key, token, now(), DISPATCH_LOCK_MS);
  }
  if (!held) throw new Error(`The dispatch lock of ${order.productId} could be neither taken nor queued on`);

  let current: DispatchOrder = order;
  let rounds = 0;
  try {
    for (;;) {
      rounds += 1;
      const summary = await deps.dispatcher.dispatch(current, { deadline });
      /** Goes on in a new invocation that carries the lock (nobody else lists this product meanwhile). */
      const continueWith = async (next: DispatchOrder) => {
        const hop = (order.hop ?? 0) + 1;
        if (hop > MAX_HOPS) {
          deps.logger.error('Dispatch stopped after its last continuation: the next sweep goes on', {
            ...context,
            hop,
          });
          await deps.locks.dropLock(key, token);
        } else {
          await deps.requester.request({ ...next, hop, lock: token });
          deps.logger.info('Dispatch continues in a new invocation', { ...context, hop });
        }
        return { ...summary, rounds };
      };
      if (!summary.complete && summary.cursor !== undefined) {
        return continueWith({ ...order, cursor: summary.cursor });
      }
      const released = await deps.locks.releaseLock(key, token);
      if (released !== 'again') return { ...summary, rounds };
      // Asked for again while it ran (a new webhook): list once more, from the start, if there is time.
      const { cursor: _done, ...fresh } = order;
      current = fresh;
      if (now() > deadline - RUN_MARGIN_MS) return continueWith(fresh);
      if (!(await deps.locks.acquireLock(key, token, now(), DISPATCH_LOCK_MS))) return { ...summary, rounds };
    }
  } catch (error) {
    // Connect down, a bug: let the lock go, whatever was queued on it, so that the next webhook or sweep may
    // dispatch at once (a queued order would otherwise wait on a holder that is gone, up to its lease).
    await deps.locks.dropLock(key, token).catch(() => undefined);
    throw error;
  }
}
