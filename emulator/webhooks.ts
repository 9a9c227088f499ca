/**
 * Webhook delivery: Connect's `event` envelope POSTed to `external_url` with `Authorization: Bearer <JWT>`
 * (the shared `signWebhookToken`: HS256 with the webhook's `jwt_secret`, claims `webhook_id`, `iat`,
 * `exp = iat + 600`). Bursts are
 * coalesced (at most one delivery per window per webhook), failures retried with exponential backoff.
 * Everything runs on timers, never inside an API response; `stop()` cancels timers and aborts calls.
 */
import { signWebhookToken } from '../lib/webhook';
import type { EmulatorStore, StoredWebhook } from './store';

export type WebhookRetryOptions = {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** Delay before the first retry in ms; doubles each retry. Default 500. */
  baseDelayMs?: number;
  /** Ceiling of one delay in ms. Default 10_000. */
  maxDelayMs?: number;
  /** Timeout of one delivery attempt in ms. Default 10_000. */
  timeoutMs?: number;
};

export type WebhookDispatcherOptions = {
  store: EmulatorStore;
  /** Coalescing window in ms. Default 100. */
  coalesceMs?: number;
  retry?: WebhookRetryOptions;
  fetch?: typeof globalThis.fetch;
  log?: (line: string) => void;
};

/** The body Connect POSTs for an `event` webhook (API.md §11.3). */
export type WebhookEnvelope = {
  webhook_id: string;
  webhook_name: string;
  object_class: string;
  account_id: string;
  product_id: string;
  api_url: string;
  triggered_at: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  processing_timeout: number;
  data: Record<string, unknown>;
};

export const PROCESSING_TIMEOUT_S = 600;

type Slot = { timer: NodeJS.Timeout | undefined; running: boolean; again: boolean };

export class WebhookDispatcher {
  private readonly slots = new Map<string, Slot>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly coalesceMs: number;
  private readonly retry: Required<WebhookRetryOptions>;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.coalesceMs = options.coalesceMs ?? 100;
    this.retry = {
      maxAttempts: options.retry?.maxAttempts ?? 4,
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
      timeoutMs: options.retry?.timeoutMs ?? 10_000,
    };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** Asks for a delivery of this webhook; coalesced with any delivery already waiting. */
  schedule(webhookId: string): void {
    if (this.stopped) return;
    this.options.store.recordEvent(webhookId);
    const slot = this.slots.get(webhookId) ?? { timer: undefined, running: false, again: false };
    this.slots.set(webhookId, slot);
    if (slot.timer) return;
    if (slot.running) {
      slot.again = true;
      return;
    }
    slot.timer = setTimeout(() => this.fire(webhookId, slot), this.coalesceMs);
  }

  private fire(webhookId: string, slot: Slot): void {
    slot.timer = undefined;
    slot.running = true;
    const run = this.deliverWithRetry(webhookId).finally(() => {
      this.inFlight.delete(run);
      slot.running = false;
      if (slot.again && !this.stopped && this.slots.get(webhookId) === slot) {
        slot.again = false;
        slot.timer = setTimeout(() => this.fire(webhookId, slot), this.coalesceMs);
      }
      this.checkIdle();
    });
    this.inFlight.add(run);
  }

  private async deliverWithRetry(webhookId: string): Promise<void> {
    for (let attempt = 1; attempt <= this.retry.maxAttempts && !this.stopped; attempt += 1) {
      const webhook = this.options.store.webhookForDelivery(webhookId);
      if (!webhook?.active) return;
      if (await this.deliverOnce(webhook)) return;
      if (attempt < this.retry.maxAttempts) {
        await this.sleep(Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs));
      }
    }
  }

  envelope(webhook: StoredWebhook): WebhookEnvelope {
    const { store } = this.options;
    return {
      webhook_id: webhook.id,
      webhook_name: webhook.label,
      object_class: webhook.object_class,
      account_id: webhook.account.id,
      product_id: webhook.product.id,
      api_url: store.apiUrl,
      triggered_at: store.now(),
      last_success_at: webhook.last_success?.time ?? null,
      last_failure_at: webhook.last_failure?.time ?? null,
      processing_timeout: PROCESSING_TIMEOUT_S,
      data: structuredClone(webhook.data),
    };
  }

  /** One attempt; true on a 2xx. Records the outcome on the webhook. */
  private async deliverOnce(webhook: StoredWebhook): Promise<boolean> {
    const started = performance.now();
    const token = await signWebhookToken({ secret: webhook.jwt_secret, claims: { webhook_id: webhook.id } });
    const post = webhook.http_method === 'POST';
    let statusCode = 0;
    let error: string | undefined;
    try {
      const response = await this.fetchImpl(webhook.external_url, {
        method: webhook.http_method,
        headers: {
          ...webhook.headers,
          ...(post ? { 'Content-Type': 'application/json' } : {}),
          Authorization: `Bearer ${token}`,
        },
        ...(post ? { body: JSON.stringify(this.envelope(webhook)) } : {}),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.retry.timeoutMs)]),
      });
      statusCode = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (cause) {
      error = cause instanceof Error ? cause.name : 'Error';
    }
    if (this.stopped) return true;
    const success = statusCode >= 200 && statusCode < 300;
    const duration = Math.round(performance.now() - started);
    this.options.store.recordDelivery(webhook.id, {
      status: success ? 'success' : 'failure',
      status_code: statusCode,
      duration,
      errors: error ? [`delivery failed: ${error}`] : success ? [] : [`HTTP ${statusCode}`],
    });
    this.options.log?.(`webhook ${webhook.id} -> ${statusCode || error} ${duration}ms`);
    return success;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
      };
      this.sleeps.add(entry);
    });
  }

  private busy(): boolean {
    return [...this.slots.values()].some((slot) => slot.timer !== undefined || slot.running);
  }

  private checkIdle(): void {
    if (this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no delivery is waiting, running or retrying (for tests and scripts). */
  whenIdle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every waiting delivery (after a reset); in-flight calls are aborted. */
  reset(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
    this.cancelSleeps();
    this.abort.abort();
    this.abort = new AbortController();
    this.checkIdle();
  }

  private cancelSleeps(): void {
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.sleeps.clear();
  }

  /** Cancels all timers and aborts in-flight deliveries; resolves when they have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.cancelSleeps();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    this.slots.clear();
    this.checkIdle();
  }
}
