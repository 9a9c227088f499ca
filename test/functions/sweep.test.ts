import { describe, expect, it } from 'vitest';
import { sweep } from '../../functions/sweep/sweep';
import type { DispatchOrder } from '../../lib/dispatch';
import type { ObjectClassName } from '../../lib/object-classes';
import { RecordingLogger } from '../support/recording-logger';
import { RecordingMetrics } from '../support/recording-metrics';

describe('sweep', () => {
  it('asks for tier config requests first, then fulfillment requests, for every product', async () => {
    const order: string[] = [];
    const metrics = new RecordingMetrics();
    const result = await sweep('sweep-1', {
      products: ['PRD-A', 'PRD-B'],
      logger: new RecordingLogger(),
      metrics,
      countParked: async () => 3,
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
    expect(result).toEqual({ correlationId: 'sweep-1', requested: 4, failures: 0, parked: 3 });
    // The gauge the parked alarm watches, with no dimension of its own.
    expect(metrics.named('ParkedRequests')).toEqual([
      { name: 'ParkedRequests', unit: 'Count', dimensions: {}, value: 3 },
    ]);
  });

  it('emits ParkedRequests 0 when nothing is parked, so the alarm sees a value on every run', async () => {
    const metrics = new RecordingMetrics();
    await sweep('sweep-0', {
      products: ['PRD-A'],
      logger: new RecordingLogger(),
      metrics,
      countParked: async () => 0,
      requester: { request: async () => undefined },
    });
    expect(metrics.named('ParkedRequests').map((metric) => metric.value)).toEqual([0]);
  });

  it('still asks for every dispatch when the parked requests cannot be counted, and counts that as a failure', async () => {
    const metrics = new RecordingMetrics();
    const logger = new RecordingLogger();
    const asked: string[] = [];
    const result = await sweep('sweep-3', {
      products: ['PRD-A'],
      logger,
      metrics,
      countParked: async () => {
        throw new Error('DynamoDB unavailable');
      },
      requester: {
        request: async ({ objectClass }: DispatchOrder) => {
          asked.push(objectClass);
        },
      },
    });
    expect(asked).toHaveLength(2);
    expect(result).toMatchObject({ requested: 2, failures: 1, parked: undefined });
    expect(metrics.named('ParkedRequests')).toEqual([]);
    expect(logger.at('error')).toHaveLength(1);
  });

  it('keeps sweeping the other products when one fails', async () => {
    const seen: Array<[string, ObjectClassName]> = [];
    const logger = new RecordingLogger();
    const result = await sweep('sweep-2', {
      products: ['PRD-DOWN', 'PRD-UP'],
      logger,
      metrics: new RecordingMetrics(),
      countParked: async () => 0,
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
