/**
 * Typed fakes for the dispatch tests: a ConnectClient serving canned lists, a logger, and an automation table
 * of their own (the shipped one is tested in test/functions/automation).
 */
import type { AutomationTable } from '../../../lib/automation';
import type { ConnectClient, FulfillmentRequest, ListQuery, TierConfigRequest } from '../../../lib/connect';
import type { Logger } from '../../../lib/observability';
import type { TaskStore } from '../../../lib/tasks';

/** Purchases and cancels automated, every tier config request type too; renew and the rest are not. */
export const TABLE: AutomationTable = {
  fulfillment_request: {
    purchase: { process: () => undefined },
    cancel: { process: () => undefined },
  },
  tier_config_request: { setup: { process: () => undefined } },
};

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
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>[];
};

export function fakeLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      entries.push({ level, message, extra });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

/** The task store's lock, in memory, with the same rules (for unit tests of the dispatch function). */
export function memoryLocks(): Pick<TaskStore, 'acquireLock' | 'queueOnLock' | 'releaseLock' | 'dropLock'> & {
  held: Map<string, { token: string; leaseUntil: number; again: boolean }>;
} {
  const held = new Map<string, { token: string; leaseUntil: number; again: boolean }>();
  return {
    held,
    acquireLock: async (key, token, now, leaseMs) => {
      const lock = held.get(key);
      if (lock && lock.leaseUntil >= now && lock.token !== token) return false;
      held.set(key, { token, leaseUntil: now + leaseMs, again: lock?.again ?? false });
      return true;
    },
    queueOnLock: async (key, token, now) => {
      const lock = held.get(key);
      if (!lock || lock.leaseUntil < now || lock.token === token) return false;
      lock.again = true;
      return true;
    },
    releaseLock: async (key, token) => {
      const lock = held.get(key);
      if (!lock || lock.token !== token) return 'lost';
      if (lock.again) {
        lock.again = false;
        return 'again';
      }
      lock.leaseUntil = 0;
      return 'released';
    },
    dropLock: async (key, token) => {
      const lock = held.get(key);
      if (!lock || lock.token !== token) return false;
      lock.leaseUntil = 0;
      lock.again = false;
      return true;
    },
  };
}
