/** The Connect client's events, logged: retries at WARN, a listed object that fails its schema at ERROR. */
import type { ConnectClientOptions } from '../connect';
import type { Logger } from './log';

export function connectLogHooks(log: Logger): Pick<ConnectClientOptions, 'onRetry' | 'onInvalidItem'> {
  return {
    onRetry: (event) => log.warn('Connect call retried', { ...event }),
    onInvalidItem: (event) =>
      log.error('A listed object does not match its schema: left out (fix or fail it in Connect)', {
        ...event,
      }),
  };
}
