/**
 * The safety net for lost webhooks and lost triggers: for every configured product, ask for a dispatch of
 * what is pending, tier config requests first (a purchase can wait on its tier setup). The dispatches run in
 * the `dispatch` function, so a sweep takes seconds whatever the queues' depth, and two sweeps never overlap
 * on the same work (the task record lets each request through once). Each run also counts the parked requests
 * (the `ParkedRequests` gauge).
 */
import type { DispatchRequester } from '../../lib/dispatch';
import { OBJECT_CLASSES } from '../../lib/object-classes';
import { describeError, type Logger, type MetricsRecorder } from '../../lib/observability';

export type SweepDeps = {
  /** The products to sweep (`'*'`: one listing without a product filter). */
  products: readonly string[];
  requester: DispatchRequester;
  /** How many requests are parked now (the task table). */
  countParked: () => Promise<number>;
  /** `ParkedRequests`, the gauge the parked alarm watches, on every run (0 included). */
  metrics: MetricsRecorder;
  logger: Logger;
};

export type SweepResult = {
  correlationId: string;
  requested: number;
  failures: number;
  /** Parked requests now; `undefined` when they could not be counted. */
  parked: number | undefined;
};

export async function sweep(correlationId: string, deps: SweepDeps): Promise<SweepResult> {
  let requested = 0;
  let failures = 0;
  let parked: number | undefined;
  try {
    parked = await deps.countParked();
    deps.metrics.count('ParkedRequests', undefined, parked);
    if (parked > 0)
      deps.logger.warn('Parked requests wait for an operator (npm run tasks -- list)', { parked });
  } catch (error) {
    // Not the sweep's work: the dispatches still go out, and the failure is counted with the others.
    failures += 1;
    deps.logger.error('The parked requests could not be counted', { error: describeError(error) });
  }
  for (const { name: objectClass } of OBJECT_CLASSES) {
    for (const productId of deps.products) {
      try {
        await deps.requester.request({ productId, objectClass, correlationId });
        requested += 1;
      } catch (error) {
        // One product's failure must not starve the others.
        failures += 1;
        deps.logger.error('Sweep of a product failed; the next sweep retries', {
          productId,
          objectClass,
          error: describeError(error),
        });
      }
    }
  }
  return { correlationId, requested, failures, parked };
}
