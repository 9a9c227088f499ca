/** The public surface of the Connect client. Implemented by `createConnectClient` in client.ts. */
import type { ConnectErrorCategory } from './errors';
import type {
  Conversation,
  ConversationMessage,
  FulfillmentRequest,
  ParamUpdate,
  TierConfigApproval,
  TierConfigRequest,
  Webhook,
  WebhookBody,
} from './schemas';

export type RetryOptions = {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling in ms; doubles each attempt (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Ceiling of one backoff in ms. Default 5_000. */
  maxDelayMs?: number;
  /** Total time budget across attempts, in ms. Default 30_000. */
  maxElapsedMs?: number;
};

export type ConnectClientOptions = {
  /** Base URL including `/public/v1`. */
  apiUrl: string;
  /** `ApiKey SU-…:…`, the `ApiKey ` prefix is added when missing. */
  apiKey: string;
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout in ms. Default 15_000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Injectable for tests: sleep between retries. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: random in [0, 1) for jitter. */
  random?: () => number;
  /** Injectable for tests: the clock in ms (elapsed budget, `Retry-After` dates). Default `Date.now`. */
  now?: () => number;
  /** Called on every retry (for logging and metrics); never receives secrets. */
  onRetry?: (event: RetryEvent) => void;
  /** Called once per call when it ends, after its retries: how many attempts, and the failure's category. */
  onCall?: (event: CallEvent) => void;
  /**
   * Called for a listed object that fails its schema (an unknown request type, a broken field): it is left
   * out of the list so that one odd object cannot stop a whole product's queue. Log it.
   */
  onInvalidItem?: (event: InvalidItemEvent) => void;
};

export type InvalidItemEvent = {
  path: string;
  /** The object's `id` when it has one. */
  id: string | undefined;
  /** Its `type` and `updated`, when they are strings (to record what could not be read). */
  type?: string | undefined;
  updated?: string | undefined;
  /** The failing fields, e.g. `type: Invalid option…` (never values). */
  issues: string[];
};

export type CallEvent = {
  method: string;
  attempts: number;
  /** Set when the call failed. */
  category?: ConnectErrorCategory;
};

export type RetryEvent = {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
};

export type ListQuery = {
  /** An RQL expression (see rql.ts) or a raw RQL string. */
  filter?: string;
  /** `select(...)` fields, e.g. `['-activation_key', '-template']`. */
  select?: readonly string[];
  /** `ordering(...)` fields, e.g. `['-created']`. */
  ordering?: readonly string[];
  /** `limit` per page. Default 100, at most 1000. */
  pageSize?: number;
  /** Called for each object of this listing that fails its schema, besides the client's own hook. */
  onInvalidItem?: (event: InvalidItemEvent) => void;
};

export type ApproveRequestBody =
  | { template_id: string; effective_date?: string }
  | { activation_tile: string; effective_date?: string };

export type ApproveTierConfigBody =
  | { template: { id: string; effective_date?: string } }
  | { template: { representation: string; effective_date?: string } };

export interface FulfillmentRequestsApi {
  list(query?: ListQuery): AsyncIterable<FulfillmentRequest>;
  get(id: string): Promise<FulfillmentRequest>;
  updateParams(id: string, params: readonly ParamUpdate[], note?: string): Promise<FulfillmentRequest>;
  approve(id: string, body: ApproveRequestBody): Promise<FulfillmentRequest>;
  inquire(id: string, body?: { template_id?: string }): Promise<FulfillmentRequest>;
  fail(id: string, reason: string): Promise<FulfillmentRequest>;
  pend(id: string): Promise<FulfillmentRequest>;
}

export interface TierConfigRequestsApi {
  list(query?: ListQuery): AsyncIterable<TierConfigRequest>;
  get(id: string): Promise<TierConfigRequest>;
  updateParams(id: string, params: readonly ParamUpdate[], notes?: string): Promise<void>;
  approve(id: string, body: ApproveTierConfigBody): Promise<TierConfigApproval>;
  inquire(id: string): Promise<void>;
  fail(id: string, reason: string): Promise<void>;
  pend(id: string): Promise<void>;
}

export interface ConversationsApi {
  findByInstanceId(instanceId: string): Promise<Conversation | undefined>;
  postMessage(conversationId: string, text: string): Promise<ConversationMessage>;
}

export interface WebhooksApi {
  /** Every webhook matching the query, all pages, e.g. `{filter: rql.eq('product.id', 'PRD-…')}`. */
  list(query?: ListQuery): AsyncIterable<Webhook>;
  get(id: string): Promise<Webhook>;
  create(body: WebhookBody): Promise<Webhook>;
  /** PUT: the whole webhook, as Connect requires. */
  update(id: string, body: WebhookBody): Promise<Webhook>;
}

/** What the functions use. */
export interface ConnectClient {
  readonly requests: FulfillmentRequestsApi;
  readonly tierConfigRequests: TierConfigRequestsApi;
  readonly conversations: ConversationsApi;
}

/** What `createConnectClient` builds: the functions' client plus what only operator tools call (webhooks). */
export interface ConnectAdminClient extends ConnectClient {
  readonly webhooks: WebhooksApi;
}
