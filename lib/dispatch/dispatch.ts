/**
 * THE list-and-dispatch step, shared by the router (on a webhook) and the sweep (on a schedule): list every
 * pending request of a product, then invoke one type function per request with bounded concurrency. One
 * failed invoke is logged and counted and never stops the others; the next sweep retries what is still pending.
 */
import type { ConnectClient, FulfillmentRequest, TierConfigRequest } from '../connect';
import { logger as defaultLogger } from '../observability';
import type { Invoker } from './invoker';
import { listPending } from './list-pending';
import { type FunctionName, type ObjectClass, type PendingRequest, routeFor } from './routing';

type LogMethod = (message: string, ...extra: Array<Record<string, unknown>>) => void;
/** The slice of the Powertools Logger that dispatch uses. */
export type DispatchLogger = { debug: LogMethod; info: LogMethod; error: LogMethod };

export const DEFAULT_DISPATCH_CONCURRENCY = 8;

/** What each type function receives. */
export type DispatchPayload = {
  request: FulfillmentRequest | TierConfigRequest;
  correlationId: string;
  webhookId?: string;
  /** When the request was listed (ISO): a type function re-reads a request whose listing has aged. */
  listedAt: string;
};

export type DispatchOptions = {
  client: ConnectClient;
  invoker: Invoker;
  productId: string;
  objectClass: ObjectClass;
  correlationId: string;
  webhookId?: string;
  /** Invocations in flight at once. Default 8. */
  concurrency?: number;
  logger?: DispatchLogger;
};

export type DispatchSummary = {
  productId: string;
  objectClass: ObjectClass;
  listed: number;
  /** Invocations queued, per function. */
  dispatched: Partial<Record<FunctionName, number>>;
  failed: number;
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

export async function dispatchPending(options: DispatchOptions): Promise<DispatchSummary> {
  const { client, invoker, productId, objectClass, correlationId, webhookId } = options;
  const log: DispatchLogger = options.logger ?? defaultLogger;
  const concurrency = options.concurrency ?? DEFAULT_DISPATCH_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`dispatch concurrency must be a positive integer, got ${concurrency}`);
  }

  // Taken before the listing: a request's copy is at least this old (its age is never understated).
  const listedAt = new Date().toISOString();
  const pending = await listPending(client, productId, objectClass);
  const summary: DispatchSummary = {
    productId,
    objectClass,
    listed: pending.length,
    dispatched: {},
    failed: 0,
  };

  await runBounded(pending, concurrency, async (item: PendingRequest) => {
    const functionName = routeFor(item);
    const payload: DispatchPayload = {
      request: item.request,
      correlationId,
      listedAt,
      ...(webhookId === undefined ? {} : { webhookId }),
    };
    const context = {
      request_id: item.request.id,
      request_type: item.request.type,
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
      log.error('request dispatch failed; the sweep will retry', { ...context, error });
    }
  });

  log.info('dispatch finished', { ...summary, correlation_id: correlationId });
  return summary;
}
