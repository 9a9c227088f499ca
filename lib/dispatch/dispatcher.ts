/**
 * THE list-and-dispatch step, one object shared by the router (on a webhook) and the sweep (on a schedule):
 * list every pending request of a product, then invoke one type function per request with bounded
 * concurrency. One failed invoke is logged and counted and never stops the others; the next sweep retries
 * what is still pending.
 */
import type { AutomationTable } from '../automation';
import type { ConnectClient } from '../connect';
import { type AnyRequest, type ObjectClassName, objectClassNamed } from '../object-classes';
import { describeError, type Logger } from '../observability';
import type { Invoker } from './invoker';
import { listPending } from './list-pending';
import { functionFor } from './routing';

/** What each type function receives. */
export type DispatchPayload = {
  objectClass: ObjectClassName;
  request: AnyRequest;
  correlationId: string;
  webhookId?: string;
  /** When the request was listed (ISO): a type function re-reads a request whose listing has aged. */
  listedAt: string;
};

export type DispatchRequest = {
  productId: string;
  objectClass: ObjectClassName;
  correlationId: string;
  webhookId?: string;
};

export type DispatchSummary = {
  productId: string;
  objectClass: ObjectClassName;
  listed: number;
  /** Invocations queued, per function. */
  dispatched: Record<string, number>;
  failed: number;
};

export type Dispatcher = { dispatch(request: DispatchRequest): Promise<DispatchSummary> };

export type DispatcherOptions = {
  client: ConnectClient;
  invoker: Invoker;
  /** The vendor's table: which function runs which request type. */
  automation: AutomationTable;
  /** Invocations in flight at once (lib/config `dispatch.concurrency`). */
  concurrency: number;
  logger: Logger;
};

/** Runs `worker` over `items` with at most `limit` in flight. `worker` must not reject. */
async function runBounded<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { client, invoker, automation, concurrency, logger: log } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`dispatch concurrency must be a positive integer, got ${concurrency}`);
  }
  return {
    async dispatch({ productId, objectClass: name, correlationId, webhookId }) {
      const objectClass = objectClassNamed(name);
      // Taken before the listing: a request's copy is at least this old (its age is never understated).
      const listedAt = new Date().toISOString();
      const pending = await listPending(client, objectClass, productId);
      const summary: DispatchSummary = {
        productId,
        objectClass: name,
        listed: pending.length,
        dispatched: {},
        failed: 0,
      };

      await runBounded(pending, concurrency, async (request) => {
        const functionName = functionFor(automation, objectClass, request.type);
        const payload: DispatchPayload = {
          objectClass: name,
          request,
          correlationId,
          listedAt,
          ...(webhookId === undefined ? {} : { webhookId }),
        };
        const context = {
          request_id: request.id,
          request_type: request.type,
          product_id: productId,
          function: functionName,
          correlation_id: correlationId,
        };
        try {
          await invoker.invoke(functionName, payload);
          summary.dispatched[functionName] = (summary.dispatched[functionName] ?? 0) + 1;
          log.debug('request dispatched', context);
        } catch (error) {
          summary.failed += 1;
          log.error('request dispatch failed; the sweep will retry', {
            ...context,
            error: describeError(error),
          });
        }
      });

      log.info('dispatch finished', { ...summary, correlation_id: correlationId });
      return summary;
    },
  };
}
