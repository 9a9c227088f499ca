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

/** What CloudWatch extracts from the lines: per directive, each metric with its dimensions' values. */
function extracted(lines: readonly Emf[]) {
  return lines.flatMap((line) =>
    line._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map(({ Name, Unit }) => ({
        name: Name,
        unit: Unit,
        dimensions: Object.fromEntries(
          (directive.Dimensions[0] ?? []).map((dimension) => [dimension, line[dimension]]),
        ),
        value: line[Name],
      })),
    ),
  );
}

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

    const byMetric = (name: string) => extracted(lines).find((metric) => metric.name === name);
    expect(byMetric('WebhookRejected')?.dimensions).toEqual({
      service: 'svc',
      route: 'webhook',
      reason: 'unauthorized',
    });
    expect(byMetric('ParkedRequests')).toMatchObject({ dimensions: { service: 'svc' }, value: 0 });
    expect(byMetric('ConnectCalls')).toMatchObject({
      dimensions: { service: 'svc', function: 'router' },
      value: 3,
    });
  });

  it("writes a type function's run as one line: a directive per dimension set, each with only its own", () => {
    const { metrics, lines } = recorder();
    metrics.milliseconds('DispatchLag', undefined, 4);
    metrics.milliseconds('HandlerDuration', { requestType: 'purchase' }, 12);
    metrics.count('RequestDecided', { requestType: 'purchase', outcome: 'approved' });
    metrics.flush('purchase');

    expect(lines).toHaveLength(1);
    expect(lines[0]?._aws.CloudWatchMetrics.map((directive) => directive.Dimensions)).toEqual([
      [['service', 'function']],
      [['service', 'function', 'requestType']],
      [['service', 'function', 'requestType', 'outcome']],
    ]);
    expect(extracted(lines)).toEqual([
      {
        name: 'DispatchLag',
        unit: 'Milliseconds',
        dimensions: { service: 'svc', function: 'purchase' },
        value: 4,
      },
      {
        name: 'HandlerDuration',
        unit: 'Milliseconds',
        dimensions: { service: 'svc', function: 'purchase', requestType: 'purchase' },
        value: 12,
      },
      {
        name: 'RequestDecided',
        unit: 'Count',
        dimensions: { service: 'svc', function: 'purchase', requestType: 'purchase', outcome: 'approved' },
        value: 1,
      },
    ]);
  });

  it('drops a metric named like one of its own dimensions (it would have no value of its own), not the others', () => {
    const { metrics, lines } = recorder();
    metrics.count('outcome', { outcome: 'approved' });
    metrics.count('RequestDecided', { requestType: 'purchase', outcome: 'approved' });
    metrics.flush('purchase');
    expect(extracted(lines).map(({ name, value }) => [name, value])).toEqual([['RequestDecided', 1]]);
  });

  it('stamps each line with the flush time, and skips a value that is not a finite number', () => {
    const lines: Emf[] = [];
    const metrics = createMetricsRecorder({
      serviceName: 'svc',
      write: (line) => lines.push(JSON.parse(line)),
      now: () => 1_796_000_000_000,
    });
    metrics.milliseconds('DispatchLag', undefined, Number.NaN);
    metrics.milliseconds('DispatchLag', undefined, 7);
    metrics.count('ConnectCalls', undefined, Number.POSITIVE_INFINITY);
    metrics.count('ConnectRetries', undefined, 2);
    metrics.count('ConnectRetries', undefined, Number.NaN);
    metrics.flush('router');

    expect(lines).toHaveLength(1);
    expect(lines[0]?._aws).toMatchObject({ Timestamp: 1_796_000_000_000 });
    expect(extracted(lines).map(({ name, value }) => [name, value])).toEqual([
      ['ConnectRetries', 2],
      ['DispatchLag', 7],
    ]);
  });

  it("keeps every duration, at most 100 values of a metric a line (EMF's limit)", () => {
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
