export { connectLogHooks } from './connect-hooks';
export { describeError, type LogAttributes, type Logger } from './log';
export {
  appendRequestContext,
  createLogger,
  logger,
  type RequestLogContext,
  resetRequestContext,
} from './logger';
export { redactingJsonReplacer, redactSecrets } from './redact';
