/**
 * The safety net for lost webhooks: for every configured product, list and dispatch what is pending,
 * tier config requests first (a purchase can wait on its tier setup), through the router's own dispatcher.
 */
import type { DispatchSummary, ObjectClass } from '../../lib/dispatch';

export type SweepDeps = {
  products: readonly string[];
  dispatch(args: {
    productId: string;
    objectClass: ObjectClass;
    correlationId: string;
  }): Promise<DispatchSummary>;
  logger: { error(message: string, ...extra: Array<Record<string, unknown>>): void };
};

export type SweepResult = { correlationId: string; summaries: DispatchSummary[]; failures: number };

const ORDER: readonly ObjectClass[] = ['tier_config_request', 'fulfillment_request'];

export async function sweep(correlationId: string, deps: SweepDeps): Promise<SweepResult> {
  const summaries: DispatchSummary[] = [];
  let failures = 0;
  for (const objectClass of ORDER) {
    for (const productId of deps.products) {
      try {
        summaries.push(await deps.dispatch({ productId, objectClass, correlationId }));
      } catch (error) {
        // One product's failure (Connect down for it, say) must not starve the others.
        failures += 1;
        deps.logger.error('Sweep of a product failed; the next sweep retries', {
          productId,
          objectClass,
          error: { name: error instanceof Error ? error.name : 'Error' },
        });
      }
    }
  }
  return { correlationId, summaries, failures };
}
