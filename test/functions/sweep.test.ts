import { describe, expect, it } from 'vitest';
import { sweep } from '../../functions/sweep/sweep';
import type { DispatchSummary } from '../../lib/dispatch';
import type { ObjectClassName } from '../../lib/object-classes';
import { RecordingLogger } from '../support/recording-logger';

describe('sweep', () => {
  it('dispatches tier config requests first, then fulfillment requests, for every product', async () => {
    const order: string[] = [];
    const result = await sweep('sweep-1', {
      products: ['PRD-A', 'PRD-B'],
      logger: new RecordingLogger(),
      dispatcher: {
        dispatch: async ({ productId, objectClass }): Promise<DispatchSummary> => {
          order.push(`${objectClass} ${productId}`);
          return { productId, objectClass, listed: 0, dispatched: {}, failed: 0 };
        },
      },
    });
    expect(order).toEqual([
      'tier_config_request PRD-A',
      'tier_config_request PRD-B',
      'fulfillment_request PRD-A',
      'fulfillment_request PRD-B',
    ]);
    expect(result.failures).toBe(0);
  });

  it('keeps sweeping the other products when one fails', async () => {
    const seen: Array<[string, ObjectClassName]> = [];
    const logger = new RecordingLogger();
    const result = await sweep('sweep-2', {
      products: ['PRD-DOWN', 'PRD-UP'],
      logger,
      dispatcher: {
        dispatch: async ({ productId, objectClass }): Promise<DispatchSummary> => {
          seen.push([productId, objectClass]);
          if (productId === 'PRD-DOWN') throw new Error('Connect unavailable');
          return { productId, objectClass, listed: 1, dispatched: { purchase: 1 }, failed: 0 };
        },
      },
    });
    expect(seen).toHaveLength(4);
    expect(result.failures).toBe(2);
    expect(result.summaries.map((summary) => summary.productId)).toEqual(['PRD-UP', 'PRD-UP']);
    expect(logger.at('error')).toHaveLength(2);
  });
});
