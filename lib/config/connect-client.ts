/** The Connect client of a deployment: the configured URL and key, retries logged without secrets. */
import { type ConnectClient, createConnectClient, type RetryOptions } from '../connect';
import { logger } from '../observability';
import type { Config } from './config';

/**
 * `retry` narrows the client's retry policy for a caller with less time, e.g. the router, which must answer
 * within API Gateway's 30 s.
 */
export function createConfiguredClient(
  config: Pick<Config, 'connectApiUrl' | 'connectApiKey'> & Partial<Pick<Config, 'connectTimeoutMs'>>,
  retry?: RetryOptions,
): ConnectClient {
  return createConnectClient({
    apiUrl: config.connectApiUrl,
    apiKey: config.connectApiKey,
    ...(retry === undefined ? {} : { retry }),
    ...(config.connectTimeoutMs === undefined ? {} : { timeoutMs: config.connectTimeoutMs }),
    onRetry: (event) => logger.warn('Connect call retried', { ...event }),
    onInvalidItem: (event) =>
      logger.error('A listed object does not match its schema: left out (fix or fail it in Connect)', {
        ...event,
      }),
  });
}
