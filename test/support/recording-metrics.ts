/** A MetricsRecorder that keeps what it is given, for unit tests (the EMF side is tested in metrics.test.ts). */
import type { MetricDimensions, MetricsRecorder } from '../../lib/observability';

export type RecordedMetric = {
  name: string;
  unit: 'Count' | 'Milliseconds';
  dimensions: MetricDimensions;
  value: number;
};

export class RecordingMetrics implements MetricsRecorder {
  readonly recorded: RecordedMetric[] = [];
  readonly flushes: string[] = [];

  count(name: string, dimensions: MetricDimensions = {}, value = 1): void {
    this.recorded.push({ name, unit: 'Count', dimensions, value });
  }

  milliseconds(name: string, dimensions: MetricDimensions = {}, value = 0): void {
    this.recorded.push({ name, unit: 'Milliseconds', dimensions, value });
  }

  flush(functionName: string): void {
    this.flushes.push(functionName);
  }

  /** The recorded metrics of this name. */
  named(name: string): RecordedMetric[] {
    return this.recorded.filter((metric) => metric.name === name);
  }
}
