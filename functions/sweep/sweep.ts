/**
 * The safety net for lost webhooks: for every configured product, list and dispatch what is pending, tier
 * config requests first (a purchase can wait on its tier setup), through the router's own dispatcher.
 */
import type { Dispatcher, DispatchSummary } from '../../lib/dispatch';
import { OBJECT_CLASSES } from '../../lib/object-classes';
import { describeError, type Logger } from '../../lib/observability';

export type SweepDeps = {
  /** The products to sweep (`'*'`: one listing without a product filter). */
  products: readonly string[];
  dispatcher: Dispatcher;
  logger: Logger;
};

export type SweepResult = { correlationId: string; summaries: DispatchSummary[]; failures: number };

export async function sweep(correlationId: string, deps: SweepDeps): Promise<SweepResult> {
  const summaries: DispatchSummary[] = [];
  let failures = 0;
  for (const { name: objectClass } of OBJECT_CLASSES) {
    for (const productId of deps.products) {
      try {
        summaries.push(await deps.dispatcher.dispatch({ productId, objectClass, correlationId }));
      } catch (error) {
        // One product's failure (Connect down for it, say) must not starve the others.
        failures += 1;
        deps.logger.error('Sweep of a product failed; the next sweep retries', {
          productId,
          objectClass,
          error: describeError(error),
        });
      }
    }
  }
  return { correlationId, summaries, failures };
}
