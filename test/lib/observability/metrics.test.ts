/** The EMF lines a recorder writes: what CloudWatch reads from the log (docs/operations.md, the contract). */
import { describe, expect, it } from 'vitest';
import { metricsConfig } from '../../../lib/config';
import { createMetricsRecorder, METRICS_NAMESPACE, shortFunctionName } from '../../../lib/observability';

type Emf = {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
} & Record<string, unknown>;

function recorder() {
  const lines: Emf[] = [];
  const metrics = createMetricsRecorder({
    serviceName: 'svc',
    write: (line) => lines.push(JSON.parse(line)),
  });
  return { metrics, lines };
}

const dimensionsOf = (line: Emf) => [...(line._aws.CloudWatchMetrics[0]?.Dimensions[0] ?? [])].sort();

describe('createMetricsRecorder', () => {
  it('writes nothing until flushed, then one line per dimension set, counts summed', () => {
    const { metrics, lines } = recorder();
    metrics.count('RequestDecided', { requestType: 'purchase', outcome: 'approved' });
    metrics.count('RequestDecided', { outcome: 'approved', requestType: 'purchase' });
    metrics.count('RequestDecided', { requestType: 'purchase', outcome: 'failed' });
    expect(lines).toEqual([]);

    metrics.flush('purchase');

    expect(lines).toHaveLength(2);
    const approved = lines.find((line) => line.outcome === 'approved');
    expect(approved).toMatchObject({
      service: 'svc',
      function: 'purchase',
      requestType: 'purchase',
      RequestDecided: 2,
    });
    expect(approved?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Metrics: [{ Name: 'RequestDecided', Unit: 'Count' }],
    });
    expect(dimensionsOf(approved as Emf)).toEqual(['function', 'outcome', 'requestType', 'service']);
    expect(lines.find((line) => line.outcome === 'failed')?.RequestDecided).toBe(1);
  });

  it('never fails the invocation: a line that cannot be written is dropped, and the next flush starts clean', () => {
    const lines: string[] = [];
    let broken = true;
    const metrics = createMetricsRecorder({
      serviceName: 'svc',
      write: (line) => {
        if (broken) throw new Error('stdout closed');
        lines.push(line);
      },
    });
    metrics.count('ConnectCalls');
    expect(() => metrics.flush('router')).not.toThrow();
    broken = false;
    metrics.count('ConnectRetries');
    metrics.flush('router');
    expect(
      lines.map((line) => Object.keys(JSON.parse(line)).filter((key) => key.startsWith('Connect'))),
    ).toEqual([['ConnectRetries']]);
  });

  it('forgets what it flushed', () => {
    const { metrics, lines } = recorder();
    metrics.count('ConnectCalls');
    metrics.flush('router');
    metrics.flush('router');
    expect(lines).toHaveLength(1);
  });

  it('gives `function` only to the metrics the contract names it for', () => {
    const { metrics, lines } = recorder();
    metrics.count('WebhookRejected', { route: 'webhook', reason: 'unauthorized' });
    metrics.count('ParkedRequests', undefined, 0);
    metrics.count('ConnectCalls', undefined, 3);
    metrics.flush('router');

    const byMetric = (name: string) => lines.find((line) => name in line) as Emf;
    expect(dimensionsOf(byMetric('WebhookRejected'))).toEqual(['reason', 'route', 'service']);
    expect(dimensionsOf(byMetric('ParkedRequests'))).toEqual(['service']);
    expect(byMetric('ParkedRequests').ParkedRequests).toBe(0);
    expect(dimensionsOf(byMetric('ConnectCalls'))).toEqual(['function', 'service']);
    expect(byMetric('ConnectCalls').ConnectCalls).toBe(3);
  });

  it('keeps every duration, fewer than 100 values a line (Powertools would publish by itself at 100)', () => {
    const { metrics, lines } = recorder();
    for (let value = 0; value < 250; value++) metrics.milliseconds('DispatchLag', undefined, value);
    metrics.flush('purchase');
    const values = lines.flatMap((line) => {
      const value = line.DispatchLag;
      return Array.isArray(value) ? value : [value];
    });
    expect(lines.length).toBe(3);
    expect(values).toHaveLength(250);
    expect(new Set(values).size).toBe(250);
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'DispatchLag', Unit: 'Milliseconds' },
    ]);
  });
});

describe('shortFunctionName', () => {
  it('drops the <SERVICE>-<STAGE> prefix the template gives every function', () => {
    const prefix = 'connect-fulfillment-prod';
    expect(shortFunctionName('connect-fulfillment-prod-tier-config', prefix)).toBe('tier-config');
    expect(shortFunctionName('other-function', prefix)).toBe('other-function');
    expect(shortFunctionName('connect-fulfillment-prod-purchase', undefined)).toBe(
      'connect-fulfillment-prod-purchase',
    );
  });
});

describe('POWERTOOLS_METRICS_DISABLED', () => {
  it('turns the recorder off: nothing recorded, nothing written', () => {
    const lines: string[] = [];
    const metrics = createMetricsRecorder({ disabled: true, write: (line) => lines.push(line) });
    metrics.count('ConnectCalls');
    metrics.flush('router');
    expect(lines).toEqual([]);
    expect(metricsConfig({ POWERTOOLS_METRICS_DISABLED: 'true' }).disabled).toBe(true);
    expect(metricsConfig({ POWERTOOLS_METRICS_DISABLED: 'false' }).disabled).toBe(false);
    expect(metricsConfig({}).disabled).toBe(false);
  });
});
