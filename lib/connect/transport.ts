/**
 * The one transport: builds the HTTP call (auth, JSON, User-Agent), applies the per-attempt timeout,
 * maps failures to typed errors and retries what the policy allows (see retry.ts).
 */
import { version } from '../../package.json';
import {
  type ConnectError,
  ConnectNetworkError,
  ConnectRateLimitError,
  ConnectResponseError,
  ConnectTimeoutError,
  createConnectError,
  errorCategory,
  redact,
} from './errors';
import { backoffDelay, parseRetryAfter, type RetryPolicy, retryReason } from './retry';
import type { CallEvent, RetryEvent } from './types';

/** The shortest timeout an attempt gets, however little of the budget is left. */
const MIN_ATTEMPT_MS = 1_000;
export const USER_AGENT = `connect-fulfillment-functions/${version}`;

export type HttpMethod = 'GET' | 'PUT' | 'POST';

export type TransportCall = {
  method: HttpMethod;
  /** Path below the base URL, ids already encoded, e.g. `/requests/PR-1/approve`. */
  path: string;
  /** Query string without `?`, already encoded. */
  query?: string;
  /** JSON-serialised when present. */
  body?: unknown;
  /** Idempotent calls are retried on network errors, timeouts and 5xx; others only on 429. */
  idempotent: boolean;
};

export type TransportResponse = { status: number; headers: Headers; text: string };

export type TransportOptions = {
  apiUrl: string;
  apiKey: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  onRetry?: (event: RetryEvent) => void;
  onCall?: (event: CallEvent) => void;
};

export type Transport = {
  /** Sends the call with retries; resolves with a 2xx answer or rejects with a {@link ConnectError}. */
  send(call: TransportCall): Promise<TransportResponse>;
};

/** `ApiKey SU-…:…`, prefix added when missing. */
export function authorizationHeader(apiKey: string): string {
  const key = apiKey.trim();
  return /^ApiKey /i.test(key) ? key : `ApiKey ${key}`;
}

/** The API key in every form it could leak in: with and without prefix, and its secret part. */
function secretsOf(apiKey: string): string[] {
  const header = authorizationHeader(apiKey);
  const bare = header.slice('ApiKey '.length).trim();
  const secretPart = bare.includes(':') ? bare.slice(bare.indexOf(':') + 1) : '';
  return [header, bare, secretPart].filter((secret) => secret !== '');
}

/** Node's fetch with `redirect: 'error'` fails with `TypeError('fetch failed', {cause: 'unexpected redirect'})`. */
function isRedirect(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && cause.message === 'unexpected redirect';
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'TimeoutError');
}

export function createTransport(options: TransportOptions): Transport {
  const baseUrl = options.apiUrl.replace(/\/+$/, '');
  const authorization = authorizationHeader(options.apiKey);
  const secrets = secretsOf(options.apiKey);

  async function attempt(call: TransportCall, timeoutMs: number): Promise<TransportResponse> {
    const url = `${baseUrl}${call.path}${call.query ? `?${call.query}` : ''}`;
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    };
    // No redirects: one would replay the API key elsewhere, or turn an approve POST into a GET.
    const init: RequestInit = { method: call.method, headers, redirect: 'error' };
    if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(call.body);
    }
    // A timer cleared as soon as the answer is in (`AbortSignal.timeout` would keep one alive per call for
    // the whole timeout, thousands at once under load).
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(
      () => controller.abort(new DOMException('timed out', 'TimeoutError')),
      timeoutMs,
    );
    init.signal = signal;
    try {
      const response = await options.fetch(url, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (isTimeout(error, signal)) {
        throw new ConnectTimeoutError({
          method: call.method,
          path: call.path,
          message: `Connect ${call.method} ${call.path} timed out after ${timeoutMs} ms`,
          cause: error,
        });
      }
      if (isRedirect(error)) {
        // Not a network blip: CONNECT_API_URL points at something that redirects. Never retried.
        throw new ConnectResponseError({
          method: call.method,
          path: call.path,
          message: `Connect ${call.method} ${call.path} answered with a redirect (refused): check CONNECT_API_URL`,
        });
      }
      const detail = error instanceof Error ? redact(error.message, secrets) : 'unknown error';
      throw new ConnectNetworkError({
        method: call.method,
        path: call.path,
        message: `Connect ${call.method} ${call.path} network error: ${detail}`,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function toError(call: TransportCall, response: TransportResponse): ConnectError {
    const retryAfterMs =
      response.status === 429
        ? parseRetryAfter(response.headers.get('retry-after'), options.now())
        : undefined;
    return createConnectError({
      method: call.method,
      path: call.path,
      status: response.status,
      bodyText: response.text,
      secrets,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  async function send(call: TransportCall): Promise<TransportResponse> {
    const startedAt = options.now();
    for (let attemptNumber = 1; ; attemptNumber++) {
      let failure: ConnectError;
      try {
        // An attempt never outlives the call's budget (a retry late in the budget gets what is left).
        const leftMs = options.retry.maxElapsedMs - (options.now() - startedAt);
        const response = await attempt(call, Math.min(options.timeoutMs, Math.max(MIN_ATTEMPT_MS, leftMs)));
        if (response.status >= 200 && response.status < 300) {
          options.onCall?.({ method: call.method, attempts: attemptNumber });
          return response;
        }
        failure = toError(call, response);
      } catch (error) {
        if (!(error instanceof ConnectNetworkError || error instanceof ConnectTimeoutError)) throw error;
        failure = error;
      }
      const fail = () => {
        options.onCall?.({ method: call.method, attempts: attemptNumber, category: errorCategory(failure) });
        return failure;
      };
      const reason = retryReason(failure, call.idempotent);
      if (reason === undefined || attemptNumber >= options.retry.maxAttempts) throw fail();
      const remainingMs = options.retry.maxElapsedMs - (options.now() - startedAt);
      const asked = failure instanceof ConnectRateLimitError ? failure.retryAfterMs : undefined;
      const delayMs = asked ?? backoffDelay(attemptNumber, options.retry, options.random);
      if (delayMs > remainingMs) throw fail();
      options.onRetry?.({ method: call.method, path: call.path, attempt: attemptNumber, delayMs, reason });
      await options.sleep(delayMs);
    }
  }

  return { send };
}
