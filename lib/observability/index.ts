export {
  appendRequestContext,
  createLogger,
  DEFAULT_SERVICE_NAME,
  logger,
  type RequestLogContext,
  requestLogContext,
  resetRequestContext,
} from './logger';
export { redactingJsonReplacer, redactSecrets } from './redact';
