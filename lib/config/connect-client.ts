/** The Connect client of a deployment: the configured URL and key, retries logged without secrets. */
import { type ConnectClient, createConnectClient } from '../connect';
import { logger } from '../observability';
import type { Config } from './config';

export function createConfiguredClient(
  config: Pick<Config, 'connectApiUrl' | 'connectApiKey'> & Partial<Pick<Config, 'connectTimeoutMs'>>,
): ConnectClient {
  return createConnectClient({
    apiUrl: config.connectApiUrl,
    apiKey: config.connectApiKey,
    ...(config.connectTimeoutMs === undefined ? {} : { timeoutMs: config.connectTimeoutMs }),
    onRetry: (event) => logger.warn('Connect call retried', { ...event }),
    onInvalidItem: (event) =>
      logger.error('A listed object does not match its schema: left out (fix or fail it in Connect)', {
        ...event,
      }),
  });
}
