/** The retry policy: which failures are retried, how long to wait. Pure functions, used by the transport and the client. */
import {
  type ConnectError,
  ConnectNetworkError,
  ConnectRateLimitError,
  ConnectServerError,
  ConnectTimeoutError,
} from './errors';
import type { RetryOptions } from './types';

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxElapsedMs: 30_000,
};

export function resolveRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...stripUndefined(options) };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${key} must be a number >= 0`);
  }
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  return policy;
}

function stripUndefined(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Full jitter: a random delay in [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))). `attempt` is 1-based. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delta seconds or an HTTP date, in ms from `nowMs`; undefined when absent or invalid. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

const RETRYABLE_READ_STATUSES = new Set([500, 502, 503, 504]);

/**
 * Whether a failed call is retried as is, with the reason to report.
 * Idempotent calls (GET, PUT): network errors, timeouts, 429, 500, 502, 503, 504.
 * Other calls (POST actions, messages): 429 only, the one failure known not to have been processed.
 */
export function retryReason(error: ConnectError, idempotent: boolean): string | undefined {
  if (error instanceof ConnectRateLimitError) return 'rate limited (429)';
  if (!idempotent) return undefined;
  if (error instanceof ConnectTimeoutError) return 'timeout';
  if (error instanceof ConnectNetworkError) return 'network error';
  if (error instanceof ConnectServerError && error.status !== undefined) {
    return RETRYABLE_READ_STATUSES.has(error.status) ? `server error (${error.status})` : undefined;
  }
  return undefined;
}

/** A failure after which a non-idempotent call may or may not have been processed. */
export function isAmbiguous(error: unknown): error is ConnectError {
  return (
    error instanceof ConnectTimeoutError ||
    error instanceof ConnectNetworkError ||
    error instanceof ConnectServerError
  );
}
