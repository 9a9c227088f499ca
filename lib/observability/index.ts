export { connectHooks } from './connect-hooks';
export { describeError, type LogAttributes, type Logger } from './log';
export {
  appendRequestContext,
  createLogger,
  logger,
  type RequestLogContext,
  resetRequestContext,
} from './logger';
export {
  createMetricsRecorder,
  flushMetrics,
  METRICS_NAMESPACE,
  type MetricDimensions,
  type MetricsRecorder,
  metrics,
  noMetrics,
  shortFunctionName,
} from './metrics';
export { redactingJsonReplacer, redactSecrets } from './redact';
