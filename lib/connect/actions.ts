/**
 * Status-changing POST actions (approve, inquire, fail, pend) are not idempotent: after an ambiguous
 * failure (timeout, network error, 5xx) the action may or may not have been applied. Instead of
 * retrying blindly, re-read the object: already in the target state → success from the re-read object;
 * still in a state the action needs → retry the action; anything else → the original error.
 */
import { backoffDelay, isAmbiguous, type RetryPolicy } from './retry';
import type { Transport, TransportCall, TransportResponse } from './transport';
import type { InvalidItemEvent, RetryEvent } from './types';

export type ActionRuntime = {
  transport: Transport;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  onRetry?: (event: RetryEvent) => void;
  onInvalidItem?: (event: InvalidItemEvent) => void;
};

export type ActionSpec<T, S extends { status: string }> = {
  call: Omit<TransportCall, 'idempotent'>;
  /** Statuses from which the action may be sent again. */
  from: readonly string[];
  /** The status the action leads to. */
  to: string;
  /** Turns a 2xx answer into the result. */
  onAnswer: (response: TransportResponse, call: TransportCall) => T;
  /** Reads the object again (a GET, itself retried). */
  reread: () => Promise<S>;
  /** The result when the re-read object already is in the target state. */
  fromReread: (current: S) => T;
};

export async function runAction<T, S extends { status: string }>(
  runtime: ActionRuntime,
  spec: ActionSpec<T, S>,
): Promise<T> {
  const call: TransportCall = { ...spec.call, idempotent: false };
  const startedAt = runtime.now();
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      return spec.onAnswer(await runtime.transport.send(call), call);
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      failure = error;
    }
    let current: S;
    try {
      current = await spec.reread();
    } catch {
      throw failure;
    }
    if (current.status === spec.to) return spec.fromReread(current);
    if (!spec.from.includes(current.status) || attempt >= runtime.retry.maxAttempts) throw failure;
    const delayMs = backoffDelay(attempt, runtime.retry, runtime.random);
    if (delayMs > runtime.retry.maxElapsedMs - (runtime.now() - startedAt)) throw failure;
    runtime.onRetry?.({
      method: call.method,
      path: call.path,
      attempt,
      delayMs,
      reason: `${failure instanceof Error ? failure.name : 'error'}; re-read status ${current.status}`,
    });
    await runtime.sleep(delayMs);
  }
}
