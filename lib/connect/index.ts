export { createConnectClient } from './client';
export {
  ConnectAuthError,
  ConnectError,
  type ConnectErrorCategory,
  type ConnectErrorOptions,
  ConnectNetworkError,
  ConnectNotFoundError,
  ConnectRateLimitError,
  ConnectResponseError,
  ConnectServerError,
  ConnectTimeoutError,
  ConnectValidationError,
  createConnectError,
  errorCategory,
} from './errors';
export { parseContentRange } from './pagination';
export { type RqlValue, rql, rqlOrdering, rqlSelect, rqlValue } from './rql';
export * from './schemas';
export { USER_AGENT } from './transport';
export type * from './types';
