import * as z from 'zod';
import { type ActionRuntime, runAction } from './actions';
import { paginate } from './pagination';
import { parseBody } from './parse';
import { resolveRetryPolicy } from './retry';
import {
  ConversationMessageSchema,
  ConversationSchema,
  type FulfillmentRequest,
  FulfillmentRequestSchema,
  type ParamUpdate,
  TierConfigApprovalSchema,
  type TierConfigRequest,
  TierConfigRequestSchema,
} from './schemas';
import { createTransport, type Transport, type TransportCall } from './transport';
import type {
  ConnectClient,
  ConnectClientOptions,
  ConversationsApi,
  FulfillmentRequestsApi,
  TierConfigRequestsApi,
} from './types';

const DEFAULT_TIMEOUT_MS = 15_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One encoded path segment. */
function segment(id: string): string {
  if (id === '') throw new TypeError('A Connect id must not be empty');
  return encodeURIComponent(id);
}

function requestsApi(transport: Transport, runtime: ActionRuntime): FulfillmentRequestsApi {
  const itemPath = (id: string) => `/requests/${segment(id)}`;

  async function get(id: string): Promise<FulfillmentRequest> {
    const call: TransportCall = { method: 'GET', path: itemPath(id), idempotent: true };
    return parseBody(FulfillmentRequestSchema, call, await transport.send(call));
  }

  function action(id: string, name: string, from: string, to: string, body?: unknown) {
    return runAction(runtime, {
      call: { method: 'POST', path: `${itemPath(id)}/${name}`, ...(body === undefined ? {} : { body }) },
      from: [from],
      to,
      onAnswer: (response, call) => parseBody(FulfillmentRequestSchema, call, response),
      reread: () => get(id),
      fromReread: (current) => current,
    });
  }

  return {
    list: (query) => paginate(transport, '/requests', FulfillmentRequestSchema, query, runtime.onInvalidItem),
    get,
    async updateParams(id, params, note) {
      const body = { asset: { params: [...params] }, ...(note === undefined ? {} : { note }) };
      const call: TransportCall = { method: 'PUT', path: itemPath(id), body, idempotent: true };
      return parseBody(FulfillmentRequestSchema, call, await transport.send(call));
    },
    approve: (id, body) => action(id, 'approve', 'pending', 'approved', body),
    inquire: (id, body) => action(id, 'inquire', 'pending', 'inquiring', body?.template_id ? body : {}),
    fail: (id, reason) => action(id, 'fail', 'pending', 'failed', { reason }),
    pend: (id) => action(id, 'pend', 'inquiring', 'pending'),
  };
}

function tierConfigRequestsApi(transport: Transport, runtime: ActionRuntime): TierConfigRequestsApi {
  const itemPath = (id: string) => `/tier/config-requests/${segment(id)}`;

  async function get(id: string): Promise<TierConfigRequest> {
    const call: TransportCall = { method: 'GET', path: itemPath(id), idempotent: true };
    return parseBody(TierConfigRequestSchema, call, await transport.send(call));
  }

  /** inquire / fail / pend answer 204 with an empty body. */
  function voidAction(id: string, name: string, from: readonly string[], to: string, body?: unknown) {
    return runAction(runtime, {
      call: { method: 'POST', path: `${itemPath(id)}/${name}`, ...(body === undefined ? {} : { body }) },
      from,
      to,
      onAnswer: () => undefined,
      reread: () => get(id),
      fromReread: () => undefined,
    });
  }

  return {
    list: (query) =>
      paginate(transport, '/tier/config-requests', TierConfigRequestSchema, query, runtime.onInvalidItem),
    get,
    async updateParams(id, params: readonly ParamUpdate[], notes) {
      const body = { params: [...params], ...(notes === undefined ? {} : { notes }) };
      await transport.send({ method: 'PUT', path: itemPath(id), body, idempotent: true });
    },
    approve: (id, body) =>
      runAction(runtime, {
        call: { method: 'POST', path: `${itemPath(id)}/approve`, body },
        from: ['pending'],
        to: 'approved',
        onAnswer: (response, call) => parseBody(TierConfigApprovalSchema, call, response),
        reread: () => get(id),
        fromReread: (current) =>
          TierConfigApprovalSchema.parse({
            template: current.template ?? null,
            effective_date: current.effective_date ?? null,
          }),
      }),
    inquire: (id) => voidAction(id, 'inquire', ['pending'], 'inquiring'),
    // A TCR, unlike a fulfillment request, can be failed from inquiring too (API.md §5.3).
    fail: (id, reason) => voidAction(id, 'fail', ['pending', 'inquiring'], 'failed', { reason }),
    pend: (id) => voidAction(id, 'pend', ['inquiring'], 'pending'),
  };
}

function conversationsApi(transport: Transport): ConversationsApi {
  return {
    async findByInstanceId(instanceId) {
      const call: TransportCall = {
        method: 'GET',
        path: '/conversations',
        query: `instance_id=${encodeURIComponent(instanceId)}`,
        idempotent: true,
      };
      const conversations = parseBody(z.array(ConversationSchema), call, await transport.send(call));
      return conversations[0];
    },
    async postMessage(conversationId, text) {
      // Not idempotent and not re-readable: only a 429 is retried.
      const call: TransportCall = {
        method: 'POST',
        path: `/conversations/${segment(conversationId)}/messages`,
        body: { text },
        idempotent: false,
      };
      return parseBody(ConversationMessageSchema, call, await transport.send(call));
    },
  };
}

/**
 * Creates the typed Connect REST client.
 *
 * - Auth: `Authorization: ApiKey …` (the prefix is added when missing); the key never appears in errors.
 * - Each attempt has its own timeout (`timeoutMs`, default 15 s).
 * - Reads and parameter updates (GET, PUT) are retried with exponential backoff and full jitter on
 *   network errors, timeouts, 429 (honouring `Retry-After`) and 500/502/503/504, within
 *   `retry.maxAttempts` and `retry.maxElapsedMs`.
 * - Actions (approve, inquire, fail, pend) are retried on 429 only; after an ambiguous failure
 *   (timeout, network error, 5xx) the request is re-read: already in the action's target state → success;
 *   still in the state the action needs → the action is sent again; otherwise the original error is thrown.
 * - Errors are {@link ConnectError} subclasses (see errors.ts); every answer is checked with the zod
 *   schemas of schemas.ts.
 * - `list` calls are async iterables over all pages (`Content-Range`), `pageSize` 100 by default, 1000 at most.
 *
 * @example
 * const connect = createConnectClient({ apiUrl: 'https://api.connect.cloudblue.com/public/v1', apiKey });
 * for await (const request of connect.requests.list({ filter: rql.eq('status', 'pending') })) { … }
 */
export function createConnectClient(options: ConnectClientOptions): ConnectClient {
  if (!options.apiUrl) throw new TypeError('createConnectClient: apiUrl is required');
  if (!options.apiKey) throw new TypeError('createConnectClient: apiKey is required');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError('createConnectClient: timeoutMs must be a positive number');
  }
  const retry = resolveRetryPolicy(options.retry);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const transport = createTransport({
    apiUrl: options.apiUrl,
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs,
    retry,
    sleep,
    random,
    now,
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });
  const runtime: ActionRuntime = {
    transport,
    retry,
    sleep,
    random,
    now,
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
    ...(options.onInvalidItem === undefined ? {} : { onInvalidItem: options.onInvalidItem }),
  };
  return {
    requests: requestsApi(transport, runtime),
    tierConfigRequests: tierConfigRequestsApi(transport, runtime),
    conversations: conversationsApi(transport),
  };
}
