export {
  acceptsProduct,
  type Config,
  ConfigError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type LoadConfigOptions,
  loadConfig,
  MAX_DISPATCH_CONCURRENCY,
  OFFLINE_CONNECT_API_URL,
} from './config';
export { createConfiguredClient } from './connect-client';
export {
  CONFIG_REFRESH_MS,
  memoizeAsync,
  type ParameterReader,
  readSsmParameter,
  resolveSecrets,
  SecretResolutionError,
} from './secrets';
