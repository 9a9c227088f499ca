/**
 * THE list-and-dispatch step, run by the `dispatch` function for the router (on a webhook) and the sweep (on
 * a schedule): page through a product's pending requests, and run one type function per request that the
 * task record lets through, once per request version.
 *
 * - Pages are keyset-ordered by `created` (`ge(created, …)`, 1,000 a page), never by offset: requests leave
 *   the pending list while we page, and an offset would skip the ones that moved up.
 * - Each page costs one batch read of its task records (per 100): what is taken (being processed, decided,
 *   not due, parked) is skipped with no write and no invocation.
 * - Each request let through is claimed (one conditional write: a duplicate delivery that raced us gets
 *   nothing), then its type function is run with the claim, and waited for: at most `concurrency` runs are in
 *   flight, so a burst never goes past the functions' concurrency. A throttled run (Lambda's 429: nothing ran)
 *   is asked again after 1 s, 2 s, 4 s…; a run that failed gives its claim back at once (one write), so that
 *   the next dispatch may take the request.
 * - A listed object that fails its schema cannot be dispatched: it is parked (logged once) so that an
 *   operator sees it, and the rest of the page goes on.
 * - Given a deadline, it stops taking requests while the runs in flight can still end before it, and says
 *   where it stopped (`cursor`); the `dispatch` function then continues in a new invocation.
 */
import { randomUUID } from 'node:crypto';
import type { AutomationTable } from '../automation';
import { TASK_DEFAULTS } from '../config';
import { type ConnectClient, type InvalidItemEvent, rql } from '../connect';
import { type AnyRequest, LIST_PAGE_SIZE, type ObjectClassName, objectClassNamed } from '../object-classes';
import { describeError, type Logger, redactSecrets } from '../observability';
import { type Claim, claimable, failureDecision, type TaskStore } from '../tasks';
import { InvokeFunctionError, type Invoker, InvokeThrottledError } from './invoker';
import { functionFor } from './routing';

/** Where a dispatch stopped: the `created` of the last request seen, and the ids seen with that value. */
export type Cursor = { created: string; ids: string[] };

/** What a type function receives. */
export type DispatchPayload = {
  objectClass: ObjectClassName;
  request: AnyRequest;
  correlationId: string;
  webhookId?: string;
  /** When the request's page was asked for (ISO): a type function re-reads a request whose listing has aged. */
  listedAt: string;
  /** The dispatch's claim on the request (lib/tasks). */
  claim: Claim;
};

export type DispatchRequest = {
  productId: string;
  objectClass: ObjectClassName;
  correlationId: string;
  webhookId?: string;
  /** A dispatch continued from an earlier invocation. */
  cursor?: Cursor;
};

export type DispatchSummary = {
  productId: string;
  objectClass: ObjectClassName;
  /** Requests listed. */
  listed: number;
  /** Runs, per function. */
  dispatched: Record<string, number>;
  /** The runs' outcomes (approved, inquired, rescheduled, parked, …). */
  outcomes: Record<string, number>;
  /** Runs Lambda throttled and that were asked again (each retry counted). */
  throttled: number;
  /** Listed but taken: being processed, decided, not due, parked, or claimed by a concurrent dispatch. */
  skipped: number;
  /** Runs that failed (their claim given back: the next dispatch takes the request again). */
  failed: number;
  /** Listed objects that fail their schema, parked. */
  parked: number;
  pages: number;
  /** False when the deadline came first: `cursor` says where to go on. */
  complete: boolean;
  cursor?: Cursor;
};

export type Dispatcher = {
  dispatch(request: DispatchRequest, options?: { deadline?: number }): Promise<DispatchSummary>;
};

export type DispatcherOptions = {
  client: ConnectClient;
  invoker: Invoker;
  tasks: TaskStore;
  /** The vendor's table: which function runs which request type. */
  automation: AutomationTable;
  /** Claims and invocations in flight at once (lib/config `dispatch.concurrency`). */
  concurrency: number;
  /** How long a claim holds (lib/config `tasks.leaseSeconds`). */
  leaseSeconds: number;
  /**
   * A run that ended without writing its end (a crash, its timeout) counts as a handler failure: retried after
   * the backoff, parked at the limit (lib/config `tasks`; its defaults otherwise).
   */
  failures?: { maxFailures: number; failureRetrySeconds: number; retentionDays: number };
  logger: Logger;
  now?: () => number;
  newToken?: () => string;
  /** Page size (1,000 in production; tests use less). */
  pageSize?: number;
  /** Waits before a throttled run is asked again; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * No request is taken later than this before the deadline: a type function runs up to 120 s (its timeout),
 * after up to 31 s of throttle waits, plus room to write the summary and ask for the continuation.
 */
export const RUN_MARGIN_MS = 170_000;
/** A throttled run is asked again after 1 s, 2 s, 4 s, 8 s, 16 s; then given back like a failed one. */
const THROTTLE_WAITS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];

/** Runs `worker` over `items` with at most `limit` in flight. `worker` must not reject. */
/**
 * Runs `worker` over `items` in order with at most `limit` in flight, taking no new item once `open()` is false.
 * Returns how many were taken (always a prefix of `items`). `worker` must not reject.
 */
async function runBounded<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
  open: () => boolean = () => true,
): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && open()) {
      const item = items[next] as T;
      next += 1;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return next;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { client, invoker, tasks, automation, concurrency, leaseSeconds, logger: log } = options;
  const failurePolicy = options.failures ?? TASK_DEFAULTS;
  const now = options.now ?? Date.now;
  const newToken = options.newToken ?? randomUUID;
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`dispatch concurrency must be a positive integer, got ${concurrency}`);
  }

  return {
    async dispatch(request, { deadline } = {}) {
      const { productId, objectClass: name, correlationId, webhookId } = request;
      const objectClass = objectClassNamed(name);
      const collection = objectClass.collection(client);
      const summary: DispatchSummary = {
        productId,
        objectClass: name,
        listed: 0,
        dispatched: {},
        outcomes: {},
        throttled: 0,
        skipped: 0,
        failed: 0,
        parked: 0,
        pages: 0,
        complete: true,
      };
      let cursor = request.cursor;
      // Every id listed by this invocation: a listing that does not move on (a filter the server ignored, more
      // requests sharing one `created` than a page holds) stops the dispatch instead of looping on one page.
      const listedIds = new Set(cursor?.ids ?? []);

      // Whether a new request may still be taken: its run must be able to end before the deadline.
      const open = () => deadline === undefined || now() <= deadline - RUN_MARGIN_MS;
      for (;;) {
        if (summary.pages > 0 && !open()) {
          summary.complete = false;
          if (cursor !== undefined) summary.cursor = cursor;
          break;
        }
        // Taken before the page is asked for: a request's copy is at least this old.
        const listedAt = now();
        const invalid: InvalidItemEvent[] = [];
        const base = objectClass.pendingQuery(productId);
        const page: AnyRequest[] = [];
        for await (const item of collection.list({
          ...base,
          filter:
            cursor === undefined
              ? base.filter
              : rql.and(base.filter ?? '', rql.ge('created', cursor.created)),
          ordering: ['created'],
          pageSize,
          onInvalidItem: (event) => invalid.push(event),
        })) {
          page.push(item);
          // One page at a time: stop the client's paging here.
          if (page.length + invalid.length >= pageSize) break;
        }
        summary.pages += 1;
        const seen = cursor;
        const fresh = page.filter((item) => !listedIds.has(item.id));
        for (const item of fresh) listedIds.add(item.id);
        summary.listed += fresh.length;

        const records = await tasks.getMany(fresh.map((item) => item.id));
        const candidates = fresh.filter((item) =>
          claimable(records.get(item.id), { id: item.id, version: item.updated ?? '', listedAt }, now()),
        );
        summary.skipped += fresh.length - candidates.length;

        /**
         * The run ended and wrote nothing (a crash, its timeout, an error it could not record): a handler failure
         * of the claimed version, so a request that kills its run every time is parked, not run forever. Written
         * only while the record is still this claim's and still processing.
         */
        const recordCrash = async (
          item: AnyRequest,
          claim: Claim,
          error: InvokeFunctionError,
          at: number,
        ) => {
          const decision = failureDecision(claim.failures, failurePolicy, now());
          const { failures, park } = decision;
          const dueAt = decision.park ? undefined : decision.dueAt;
          const message = redactSecrets(error.message).slice(0, 500);
          await tasks.complete({
            id: item.id,
            token: claim.token,
            version: item.updated ?? '',
            now: now(),
            state: park ? 'parked' : 'rescheduled',
            outcome: park ? 'parked' : 'error',
            attempt: {
              n: claim.attempt,
              at: now(),
              outcome: 'error',
              durationMs: now() - at,
              lambdaRequestId: '-',
            },
            failures,
            dueAt,
            error: { code: error.name, message },
            reason: park
              ? `The run ended without a decision ${failures} times on this version: ${message}`
              : undefined,
            expiresAt:
              dueAt === undefined
                ? undefined
                : Math.ceil(dueAt / 1000) + failurePolicy.retentionDays * 86_400,
            whileProcessing: true,
          });
        };

        const runOne = async (item: AnyRequest) => {
          const fn = functionFor(automation, objectClass, item.type);
          const context = {
            request_id: item.id,
            request_type: item.type,
            product_id: productId,
            function: fn,
          };
          let claim: Claim | undefined;
          let started = now();
          try {
            claim = await tasks.claim({
              id: item.id,
              version: item.updated ?? '',
              listedAt,
              now: now(),
              token: newToken(),
              objectClass: name,
              type: item.type,
              productId: objectClass.productId(item),
              fn,
              leaseSeconds,
            });
            if (claim === undefined) {
              summary.skipped += 1;
              return;
            }
            const payload: DispatchPayload = {
              objectClass: name,
              request: item,
              correlationId,
              listedAt: new Date(listedAt).toISOString(),
              claim,
              ...(webhookId === undefined ? {} : { webhookId }),
            };
            let answer: unknown;
            started = now();
            for (let attempt = 0; ; attempt += 1) {
              try {
                answer = await invoker.invoke(fn, payload);
                break;
              } catch (error) {
                const wait = THROTTLE_WAITS_MS[attempt];
                if (!(error instanceof InvokeThrottledError) || wait === undefined) throw error;
                summary.throttled += 1;
                await sleep(wait);
              }
            }
            summary.dispatched[fn] = (summary.dispatched[fn] ?? 0) + 1;
            const outcome = (answer as { outcome?: unknown } | undefined)?.outcome;
            if (typeof outcome === 'string') summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
            log.debug('request dispatched', { ...context, outcome });
          } catch (error) {
            summary.failed += 1;
            if (claim !== undefined && error instanceof InvokeThrottledError) {
              // Nothing ran: given back at once, for the next webhook or sweep rather than after the lease.
              await tasks.expire(item.id, claim.token, now()).catch(() => false);
            } else if (claim !== undefined && error instanceof InvokeFunctionError) {
              await recordCrash(item, claim, error, started).catch(() => false);
            }
            // Any other failure (the invoke's own transport): the run may still be going, so its claim holds
            // until its lease ends.
            log.error('request dispatch failed; a later dispatch takes it again', {
              ...context,
              error: describeError(error),
            });
          }
        };
        const taken = await runBounded(candidates, concurrency, runOne, open);

        for (const item of invalid) {
          if (item.id === undefined) continue;
          const parked = await tasks.park({
            id: item.id,
            objectClass: name,
            type: item.type ?? '?',
            productId,
            fn: '-',
            version: item.updated ?? '',
            reason:
              `Connect's ${objectClass.noun} does not match its schema: ${item.issues.join('; ')}`.slice(
                0,
                1_000,
              ),
            now: now(),
          });
          if (parked) {
            summary.parked += 1;
            log.error('A listed request does not match its schema: parked (fix or fail it in Connect)', {
              request_id: item.id,
              issues: item.issues,
            });
          }
        }

        if (taken < candidates.length) {
          // The deadline came within the page: go on from the first request not taken.
          const next = candidates[taken] as AnyRequest;
          const before = fresh.slice(0, fresh.indexOf(next)).filter((item) => item.created === next.created);
          const carried = seen !== undefined && seen.created === next.created ? seen.ids : [];
          summary.complete = false;
          summary.cursor = {
            created: next.created ?? '',
            ids: [...new Set([...carried, ...before.map((i) => i.id)])],
          };
          break;
        }
        const last = page.at(-1);
        if (page.length + invalid.length < pageSize || last === undefined) break;
        if (typeof last.created !== 'string' || last.created === '') {
          log.warn('Listed requests carry no `created`: the rest of the queue is left to the next dispatch');
          break;
        }
        const atLast = page.filter((item) => item.created === last.created).map((item) => item.id);
        cursor = {
          created: last.created,
          ids: seen?.created === last.created ? [...new Set([...seen.ids, ...atLast])] : atLast,
        };
        if (fresh.length === 0) {
          const message = 'The pending listing did not move on: the rest is left to the next dispatch';
          log.warn(message, { product_id: productId, created: last.created });
          break;
        }
      }

      log.info('dispatch finished', { ...summary, correlation_id: correlationId });
      return summary;
    },
  };
}
