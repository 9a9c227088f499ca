/**
 * The Connect client's events, logged and counted: a retry at WARN (and `ConnectRetries`), a listed object
 * that fails its schema at ERROR, every call counted (`ConnectCalls`) and a failed one by its category
 * (`ConnectErrors`).
 */
import type { ConnectClientOptions } from '../connect';
import type { Logger } from './log';
import { type MetricsRecorder, noMetrics } from './metrics';

export function connectHooks(
  log: Logger,
  metrics: MetricsRecorder = noMetrics,
): Pick<ConnectClientOptions, 'onRetry' | 'onInvalidItem' | 'onCall'> {
  return {
    onRetry: (event) => {
      metrics.count('ConnectRetries');
      log.warn('Connect call retried', { ...event });
    },
    onInvalidItem: (event) =>
      log.error('A listed object does not match its schema: left out (fix or fail it in Connect)', {
        ...event,
      }),
    onCall: ({ category }) => {
      metrics.count('ConnectCalls');
      if (category !== undefined) metrics.count('ConnectErrors', { category });
    },
  };
}
