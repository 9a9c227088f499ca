import * as z from '../zod';
import { type ActionRuntime, runAction } from './actions';
import { paginate } from './pagination';
import { parseBody } from './parse';
import { resolveRetryPolicy } from './retry';
import {
  ConversationMessageSchema,
  ConversationSchema,
  FulfillmentRequestSchema,
  type ParamUpdate,
  TierConfigApprovalSchema,
  TierConfigRequestSchema,
} from './schemas';
import { createTransport, type Transport, type TransportCall, type TransportResponse } from './transport';
import type {
  ConnectAdminClient,
  ConnectClientOptions,
  ConversationsApi,
  FulfillmentRequestsApi,
  ListQuery,
  TierConfigRequestsApi,
} from './types';
import { webhooksApi } from './webhooks';

const DEFAULT_TIMEOUT_MS = 15_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One encoded path segment. */
function segment(id: string): string {
  if (id === '') throw new TypeError('A Connect id must not be empty');
  return encodeURIComponent(id);
}

/** How an answer becomes a result: parsed from a 2xx, or built from a re-read object already in the target state. */
type Answer<R, T> = { parse(response: TransportResponse, call: TransportCall): T; fromReread(current: R): T };

/** What differs between the two request collections; everything else is shared by {@link requestCollection}. */
type CollectionSpec<R extends { status: string }, O, A> = {
  path: string;
  schema: z.ZodMiniType<R>;
  /** The PUT body for a parameter update. */
  updateBody(params: ParamUpdate[], note: string | undefined): unknown;
  /** What PUT and the inquire / fail / pend actions answer: the object (fulfillment requests) or nothing (TCRs). */
  answer: Answer<R, O>;
  approval: Answer<R, A>;
  /** The inquire body for an optional inquire template. */
  inquireBody(templateId: string | undefined): unknown;
  /** Statuses a fail may be sent from. */
  failFrom: readonly string[];
};

function requestCollection<R extends { status: string }, O, A>(
  transport: Transport,
  runtime: ActionRuntime,
  spec: CollectionSpec<R, O, A>,
) {
  const itemPath = (id: string) => `${spec.path}/${segment(id)}`;

  async function get(id: string): Promise<R> {
    const call: TransportCall = { method: 'GET', path: itemPath(id), idempotent: true };
    return parseBody(spec.schema, call, await transport.send(call));
  }

  function action<T>(
    id: string,
    name: string,
    from: readonly string[],
    to: string,
    body: unknown,
    answer: Answer<R, T>,
  ) {
    return runAction(runtime, {
      call: { method: 'POST', path: `${itemPath(id)}/${name}`, ...(body === undefined ? {} : { body }) },
      from,
      to,
      onAnswer: answer.parse,
      reread: () => get(id),
      fromReread: answer.fromReread,
    });
  }

  return {
    list: (query?: ListQuery) => paginate(transport, spec.path, spec.schema, query, runtime.onInvalidItem),
    get,
    async updateParams(id: string, params: readonly ParamUpdate[], note?: string): Promise<O> {
      const body = spec.updateBody([...params], note);
      const call: TransportCall = { method: 'PUT', path: itemPath(id), body, idempotent: true };
      return spec.answer.parse(await transport.send(call), call);
    },
    approve: (id: string, body: unknown) =>
      action(id, 'approve', ['pending'], 'approved', body, spec.approval),
    inquire: (id: string, templateId?: string) =>
      action(id, 'inquire', ['pending'], 'inquiring', spec.inquireBody(templateId), spec.answer),
    fail: (id: string, reason: string) =>
      action(id, 'fail', spec.failFrom, 'failed', { reason }, spec.answer),
    pend: (id: string) => action(id, 'pend', ['inquiring'], 'pending', undefined, spec.answer),
  };
}

const theObject = <R>(schema: z.ZodMiniType<R>): Answer<R, R> => ({
  parse: (response, call) => parseBody(schema, call, response),
  fromReread: (current) => current,
});

function requestsApi(transport: Transport, runtime: ActionRuntime): FulfillmentRequestsApi {
  const collection = requestCollection(transport, runtime, {
    path: '/requests',
    schema: FulfillmentRequestSchema,
    updateBody: (params, note) => ({ asset: { params }, ...(note === undefined ? {} : { note }) }),
    answer: theObject(FulfillmentRequestSchema),
    approval: theObject(FulfillmentRequestSchema),
    inquireBody: (templateId) => (templateId ? { template_id: templateId } : {}),
    failFrom: ['pending'],
  });
  return { ...collection, inquire: (id, body) => collection.inquire(id, body?.template_id) };
}

function tierConfigRequestsApi(transport: Transport, runtime: ActionRuntime): TierConfigRequestsApi {
  return requestCollection(transport, runtime, {
    path: '/tier/config-requests',
    schema: TierConfigRequestSchema,
    updateBody: (params, notes) => ({ params, ...(notes === undefined ? {} : { notes }) }),
    // PUT answers 200 or 204, and the actions 204: nothing worth reading.
    answer: { parse: () => undefined, fromReread: () => undefined },
    // Not the TCR: only the template and the effective date.
    approval: {
      parse: (response, call) => parseBody(TierConfigApprovalSchema, call, response),
      fromReread: (current) =>
        TierConfigApprovalSchema.parse({
          template: current.template ?? null,
          effective_date: current.effective_date ?? null,
        }),
    },
    // TCRs take no inquire template.
    inquireBody: () => undefined,
    // A TCR, unlike a fulfillment request, can be failed from inquiring too (API.md §5.3).
    failFrom: ['pending', 'inquiring'],
  });
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
 * - `webhooks` (list, get, create, update) serves operator tools (`npm run webhooks`), not the functions.
 *
 * @example
 * const connect = createConnectClient({ apiUrl: 'https://api.connect.cloudblue.com/public/v1', apiKey });
 * for await (const request of connect.requests.list({ filter: rql.eq('status', 'pending') })) { … }
 */
export function createConnectClient(options: ConnectClientOptions): ConnectAdminClient {
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
    ...(options.onCall === undefined ? {} : { onCall: options.onCall }),
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
    webhooks: webhooksApi(transport, segment, options.onInvalidItem),
  };
}
