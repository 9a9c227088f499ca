/**
 * The function set's metrics (docs/operations.md, "The metrics contract"): CloudWatch embedded metric format
 * lines through Powertools Metrics, namespace `ConnectFulfillment`, the default dimension `service`. Nothing is sent by API: CloudWatch reads the lines from the function's log, and
 * locally they are log lines like any other.
 *
 * A recorder aggregates what an invocation records, by dimension set (a count is summed, durations are kept
 * as values), and writes one line per dimension set when the invocation flushes it (`flushMetrics`, a middy
 * middleware), `function` added to the metrics the contract names it for. Dimensions take only the contract's low-cardinality values (function, request type, outcome,
 * category, route, reason): never a request id, a product or anything a caller controls.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import { functionPrefixOf, loggingConfig, metricsConfig } from '../config';

export const METRICS_NAMESPACE = 'ConnectFulfillment';

/** The contract's dimension names (besides `service` and `function`, which every line carries). */
export type MetricDimensions = Readonly<
  Partial<Record<'requestType' | 'outcome' | 'category' | 'route' | 'reason', string>>
>;

export type MetricsRecorder = {
  /** Adds `value` (default 1) to a Count. */
  count(name: string, dimensions?: MetricDimensions, value?: number): void;
  /** One value of a Milliseconds metric. */
  milliseconds(name: string, dimensions: MetricDimensions | undefined, value: number): void;
  /**
   * Writes what was recorded since the last flush (one line per dimension set), `function` = `functionName`,
   * and forgets it.
   */
  flush(functionName: string): void;
};

/**
 * The metrics the contract gives a `function` dimension (the others have none: the alarms on
 * `WebhookRejected` and `ParkedRequests` name exactly their dimensions).
 */
const PER_FUNCTION = new Set([
  'RequestDecided',
  'HandlerDuration',
  'ConnectCalls',
  'ConnectRetries',
  'ConnectErrors',
  'DispatchLag',
]);

/**
 * Values of one metric per line: Powertools publishes by itself (to its own console) when a metric reaches
 * 100 values, so a line stays under that.
 */
const VALUES_PER_LINE = 99;

type Group = {
  dimensions: MetricDimensions;
  counts: Map<string, number>;
  durations: Map<string, number[]>;
};

export type MetricsRecorderOptions = {
  serviceName?: string;
  /** Records nothing and writes nothing (`POWERTOOLS_METRICS_DISABLED`). */
  disabled?: boolean;
  /** Where each EMF line goes. Default: standard output, where Lambda's log (and CloudWatch) reads it. */
  write?: (line: string) => void;
};

export function createMetricsRecorder({
  disabled = metricsConfig().disabled,
  serviceName = loggingConfig().serviceName,
  write = (line) => process.stdout.write(`${line}\n`),
}: MetricsRecorderOptions = {}): MetricsRecorder {
  if (disabled) return noMetrics;
  const emf = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  const groups = new Map<string, Group>();

  const group = (dimensions: MetricDimensions = {}): Group => {
    const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
    let found = groups.get(key);
    if (found === undefined) {
      found = { dimensions, counts: new Map(), durations: new Map() };
      groups.set(key, found);
    }
    return found;
  };

  /** One EMF line: these metrics, with these dimensions. */
  const line = (dimensions: Record<string, string>, add: (emf: Metrics) => void) => {
    try {
      emf.addDimensions(dimensions);
      add(emf);
      write(JSON.stringify(emf.serializeMetrics()));
    } catch {
      // A metric is never worth an invocation: what cannot be written is dropped.
    } finally {
      emf.clearMetrics();
      emf.clearDimensions();
    }
  };

  /** Lines for one dimension set: counts first, then the durations, fewer than 100 values a line (Powertools would publish by itself at 100). */
  const lines = (
    dimensions: Record<string, string>,
    counts: ReadonlyArray<[string, number]>,
    durations: ReadonlyArray<[string, number[]]>,
  ) => {
    if (counts.length === 0 && durations.length === 0) return;
    line(dimensions, (emf) => {
      for (const [name, value] of counts) emf.addMetric(name, MetricUnit.Count, value);
      for (const [name, values] of durations) {
        for (const value of values.slice(0, VALUES_PER_LINE))
          emf.addMetric(name, MetricUnit.Milliseconds, value);
      }
    });
    for (const [name, values] of durations) {
      for (let start = VALUES_PER_LINE; start < values.length; start += VALUES_PER_LINE) {
        line(dimensions, (emf) => {
          for (const value of values.slice(start, start + VALUES_PER_LINE)) {
            emf.addMetric(name, MetricUnit.Milliseconds, value);
          }
        });
      }
    }
  };

  return {
    count(name, dimensions, value = 1) {
      const { counts } = group(dimensions);
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
    milliseconds(name, dimensions, value) {
      const { durations } = group(dimensions);
      const values = durations.get(name);
      if (values === undefined) durations.set(name, [value]);
      else values.push(value);
    },
    flush(functionName) {
      for (const { dimensions, counts, durations } of groups.values()) {
        const perFunction = ([name]: [string, unknown]) => PER_FUNCTION.has(name);
        const notPerFunction = ([name]: [string, unknown]) => !PER_FUNCTION.has(name);
        const countList = [...counts];
        const durationList = [...durations];
        lines(
          { function: functionName, ...dimensions },
          countList.filter(perFunction),
          durationList.filter(perFunction),
        );
        lines({ ...dimensions }, countList.filter(notPerFunction), durationList.filter(notPerFunction));
      }
      groups.clear();
    },
  };
}

/** Records nothing (unit tests, the benchmarks' in-process model). */
export const noMetrics: MetricsRecorder = { count() {}, milliseconds() {}, flush() {} };

/**
 * Flushes the recorder when the invocation ends, whether it returned or threw, under the function's short name.
 * In Lambda an execution environment runs one invocation at a time, so what it flushes is that invocation's.
 * (serverless-offline's in-process mode runs concurrent invocations in one process: there, lines of type
 * functions running at once may carry each other's `function`; every other dimension and value holds.)
 */
export function flushMetrics(
  recorder: MetricsRecorder,
  prefix: string | undefined = functionPrefixOf(),
): middy.MiddlewareObj {
  const flush = async (request: middy.Request) => {
    const name = (request.context as { functionName?: unknown } | undefined)?.functionName;
    recorder.flush(shortFunctionName(typeof name === 'string' ? name : 'unknown', prefix));
  };
  return { after: flush, onError: flush };
}

/**
 * The function's name as serverless.yml names it: `purchase` for `connect-fulfillment-prod-purchase` (without
 * the `<SERVICE>-<STAGE>` prefix and its dash, which the template gives every function).
 */
export function shortFunctionName(name: string, prefix: string | undefined): string {
  return prefix !== undefined && name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
}

/** The function set's one recorder (each function's composition root flushes it per invocation). */
export const metrics: MetricsRecorder = createMetricsRecorder();
