/** Typed fakes for the dispatch tests: a ConnectClient serving canned lists, an Invoker, a logger. */
import type {
  ConnectClient,
  FulfillmentRequest,
  FulfillmentRequestType,
  ListQuery,
  TierConfigRequest,
} from '../../../lib/connect';
import type { DispatchLogger } from '../../../lib/dispatch';

export function fulfillmentRequest(
  id: string,
  type: FulfillmentRequestType = 'purchase',
): FulfillmentRequest {
  return {
    id,
    type,
    status: 'pending',
    asset: { id: `AS-${id}`, product: { id: 'PRD-000-000-001' }, items: [], params: [] },
  };
}

export function tierConfigRequest(id: string): TierConfigRequest {
  return {
    id,
    type: 'setup',
    status: 'pending',
    params: [],
    configuration: { id: `TC-${id}`, tier_level: 1, product: { id: 'PRD-000-000-001' } },
  };
}

function notUsed(): never {
  throw new Error('not used by dispatch');
}

/** Serves the given requests in pages of `pageSize` (as the real client does while following Content-Range). */
export function fakeConnectClient(options: {
  requests?: FulfillmentRequest[];
  tierConfigRequests?: TierConfigRequest[];
  pageSize?: number;
}): {
  client: ConnectClient;
  queries: { resource: string; query: ListQuery | undefined }[];
  pagesServed: () => number;
} {
  const queries: { resource: string; query: ListQuery | undefined }[] = [];
  let pages = 0;
  const pageSize = options.pageSize ?? 2;
  async function* paged<T>(items: readonly T[]): AsyncGenerator<T> {
    for (let offset = 0; offset < items.length; offset += pageSize) {
      pages += 1;
      await Promise.resolve();
      yield* items.slice(offset, offset + pageSize);
    }
  }
  const client: ConnectClient = {
    requests: {
      list: (query) => {
        queries.push({ resource: 'requests', query });
        return paged(options.requests ?? []);
      },
      get: notUsed,
      updateParams: notUsed,
      approve: notUsed,
      inquire: notUsed,
      fail: notUsed,
      pend: notUsed,
    },
    tierConfigRequests: {
      list: (query) => {
        queries.push({ resource: 'tierConfigRequests', query });
        return paged(options.tierConfigRequests ?? []);
      },
      get: notUsed,
      updateParams: notUsed,
      approve: notUsed,
      inquire: notUsed,
      fail: notUsed,
      pend: notUsed,
    },
    conversations: { findByInstanceId: notUsed, postMessage: notUsed },
  };
  return { client, queries, pagesServed: () => pages };
}

export type LogEntry = {
  level: 'debug' | 'info' | 'error';
  message: string;
  extra: Record<string, unknown>[];
};

export function fakeLogger(): { logger: DispatchLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      entries.push({ level, message, extra });
    };
  return { logger: { debug: at('debug'), info: at('info'), error: at('error') }, entries };
}
