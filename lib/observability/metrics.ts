/**
 * The function set's metrics (docs/operations.md, "The metrics contract"): CloudWatch embedded metric format
 * (EMF) lines, namespace `ConnectFulfillment`, the dimension `service` on every metric. Nothing is sent by
 * API: CloudWatch reads the lines from the function's log, and locally they are log lines like any other.
 *
 * A recorder aggregates what an invocation records, by dimension set (a count is summed, durations are kept
 * as values), and when the invocation flushes it (`flushMetrics`, a middy middleware) writes one metric
 * directive per dimension set, `function` added to the metrics the contract names it for. The directives
 * share as few documents (lines) as EMF allows: one per flush, unless two sets disagree on a dimension's
 * value (two outcomes of RequestDecided) or a metric has more than 100 values. A type function's run is one
 * line instead of three. The format is small and documented, so it is written here: Powertools Metrics
 * serialises one dimension set per document. Dimensions take only the contract's low-cardinality values
 * (function, request type, outcome, category, route, reason): never a request id, a product or anything a
 * caller controls.
 */
import type middy from '@middy/core';
import { functionPrefixOf, loggingConfig, metricsConfig } from '../config';

export const METRICS_NAMESPACE = 'ConnectFulfillment';

const DIMENSION_NAMES = ['requestType', 'outcome', 'category', 'route', 'reason'] as const;

/** The contract's dimension names (besides `service` and `function`, which every line carries). */
export type MetricDimensions = Readonly<Partial<Record<(typeof DIMENSION_NAMES)[number], string>>>;

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

/** EMF's limits: values of one metric in one document, metric definitions in one directive. */
const VALUES_PER_METRIC = 100;
const METRICS_PER_DIRECTIVE = 100;
/** Ours, not EMF's (which sets none): a document stays far below a log event's 256 KB. */
const DIRECTIVES_PER_DOCUMENT = 50;

type Group = {
  dimensions: MetricDimensions;
  counts: Map<string, number>;
  durations: Map<string, number[]>;
};

/** Metrics of one dimension set, as one EMF metric directive: their values and units. */
type Directive = {
  dimensions: Record<string, string>;
  metrics: Array<{ name: string; unit: 'Count' | 'Milliseconds'; value: number | number[] }>;
};

/**
 * One EMF document: its directives share the root, where each dimension and each metric has one value. A
 * directive joins a document whose root has none of its metric names and agrees on its dimensions' values.
 */
type EmfDocument = { root: Map<string, string | number | number[]>; directives: Directive[] };

function fits(document: EmfDocument, directive: Directive): boolean {
  if (document.directives.length >= DIRECTIVES_PER_DOCUMENT) return false;
  for (const [name, value] of Object.entries(directive.dimensions)) {
    const present = document.root.get(name);
    if (present !== undefined && present !== value) return false;
  }
  return directive.metrics.every(({ name }) => !document.root.has(name) && !(name in directive.dimensions));
}

/** The directives packed into as few documents as their values allow (usually one per flush). */
function pack(directives: readonly Directive[]): EmfDocument[] {
  const documents: EmfDocument[] = [];
  for (const directive of directives) {
    // A metric named like one of its own dimensions has no value of its own in any document: dropped.
    if (!fits({ root: new Map(), directives: [] }, directive)) continue;
    let document = documents.find((candidate) => fits(candidate, directive));
    if (document === undefined) {
      document = { root: new Map(), directives: [] };
      documents.push(document);
    }
    for (const [name, value] of Object.entries(directive.dimensions)) document.root.set(name, value);
    for (const { name, value } of directive.metrics) document.root.set(name, value);
    document.directives.push(directive);
  }
  return documents;
}

function serialize(document: EmfDocument, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: document.directives.map((directive) => ({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [Object.keys(directive.dimensions)],
        Metrics: directive.metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
      })),
    },
    ...Object.fromEntries(document.root),
  });
}

export type MetricsRecorderOptions = {
  serviceName?: string;
  /** Records nothing and writes nothing (`POWERTOOLS_METRICS_DISABLED`). */
  disabled?: boolean;
  /** Where each EMF line goes. Default: standard output, where Lambda's log (and CloudWatch) reads it. */
  write?: (line: string) => void;
  /** The documents' `Timestamp` (ms). */
  now?: () => number;
};

export function createMetricsRecorder({
  disabled = metricsConfig().disabled,
  serviceName = loggingConfig().serviceName,
  write = (line) => process.stdout.write(`${line}\n`),
  now = Date.now,
}: MetricsRecorderOptions = {}): MetricsRecorder {
  if (disabled) return noMetrics;
  const groups = new Map<string, Group>();

  const group = (dimensions: MetricDimensions = {}): Group => {
    // The same set whatever the order its dimensions were given in: the contract's names, in one order.
    const key = DIMENSION_NAMES.map((name) => dimensions[name] ?? '').join('\u0000');
    let found = groups.get(key);
    if (found === undefined) {
      found = { dimensions, counts: new Map(), durations: new Map() };
      groups.set(key, found);
    }
    return found;
  };

  /** A group's directives: with `function` for the metrics the contract gives it, without for the others. */
  const directivesOf = (functionName: string, { dimensions, counts, durations }: Group): Directive[] => {
    const out: Directive[] = [];
    for (const perFunction of [true, false]) {
      const named: Record<string, string> = { service: serviceName };
      if (perFunction) named.function = functionName;
      for (const [name, value] of Object.entries(dimensions)) if (value) named[name] = value;
      const mine = ([name]: [string, unknown]) => PER_FUNCTION.has(name) === perFunction;
      // Chunk k holds the k-th 100 values of each duration (EMF's limit per metric), the counts in chunk 0:
      // each chunk is a directive of its own (and so goes to a document of its own).
      const chunks: Directive['metrics'][] = [
        [...counts].filter(mine).map(([name, value]) => ({ name, unit: 'Count' as const, value })),
      ];
      for (const [name, values] of [...durations].filter(mine)) {
        for (let k = 0; k * VALUES_PER_METRIC < values.length; k++) {
          const slice = values.slice(k * VALUES_PER_METRIC, (k + 1) * VALUES_PER_METRIC);
          const chunk = chunks[k] ?? [];
          chunk.push({ name, unit: 'Milliseconds', value: slice.length === 1 ? (slice[0] ?? 0) : slice });
          chunks[k] = chunk;
        }
      }
      for (const metrics of chunks) {
        for (let start = 0; start < metrics.length; start += METRICS_PER_DIRECTIVE) {
          out.push({ dimensions: named, metrics: metrics.slice(start, start + METRICS_PER_DIRECTIVE) });
        }
      }
    }
    return out;
  };

  return {
    count(name, dimensions, value = 1) {
      // A value that is not a finite number is not recorded (one NaN would turn the whole count into NaN).
      if (!Number.isFinite(value)) return;
      const { counts } = group(dimensions);
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
    milliseconds(name, dimensions, value) {
      if (!Number.isFinite(value)) return;
      const { durations } = group(dimensions);
      const values = durations.get(name);
      if (values === undefined) durations.set(name, [value]);
      else values.push(value);
    },
    flush(functionName) {
      const directives = [...groups.values()].flatMap((entry) => directivesOf(functionName, entry));
      groups.clear();
      const timestamp = now();
      for (const document of pack(directives)) {
        try {
          write(serialize(document, timestamp));
        } catch {
          // A metric is never worth an invocation: what cannot be written is dropped.
        }
      }
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
