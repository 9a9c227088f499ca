import { describe, expect, it } from 'vitest';
import { sweep } from '../../functions/sweep/sweep';
import type { DispatchOrder } from '../../lib/dispatch';
import type { ObjectClassName } from '../../lib/object-classes';
import { RecordingLogger } from '../support/recording-logger';

describe('sweep', () => {
  it('asks for tier config requests first, then fulfillment requests, for every product', async () => {
    const order: string[] = [];
    const result = await sweep('sweep-1', {
      products: ['PRD-A', 'PRD-B'],
      logger: new RecordingLogger(),
      requester: {
        request: async ({ productId, objectClass, correlationId }: DispatchOrder) => {
          order.push(`${objectClass} ${productId} ${correlationId}`);
        },
      },
    });
    expect(order).toEqual([
      'tier_config_request PRD-A sweep-1',
      'tier_config_request PRD-B sweep-1',
      'fulfillment_request PRD-A sweep-1',
      'fulfillment_request PRD-B sweep-1',
    ]);
    expect(result).toEqual({ correlationId: 'sweep-1', requested: 4, failures: 0 });
  });

  it('keeps sweeping the other products when one fails', async () => {
    const seen: Array<[string, ObjectClassName]> = [];
    const logger = new RecordingLogger();
    const result = await sweep('sweep-2', {
      products: ['PRD-DOWN', 'PRD-UP'],
      logger,
      requester: {
        request: async ({ productId, objectClass }: DispatchOrder) => {
          seen.push([productId, objectClass]);
          if (productId === 'PRD-DOWN') throw new Error('Lambda unavailable');
        },
      },
    });
    expect(seen).toHaveLength(4);
    expect(result).toMatchObject({ requested: 2, failures: 2 });
    expect(logger.at('error')).toHaveLength(2);
  });
});
