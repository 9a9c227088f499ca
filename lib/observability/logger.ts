/**
 * The one Powertools Logger of the function set. Structured JSON; level and service from lib/config
 * (`POWERTOOLS_LOG_LEVEL`, default INFO; `POWERTOOLS_SERVICE_NAME`). Every serialised record goes through
 * `redactingJsonReplacer`, which sees every nested string, error messages and stacks included.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { type LoggingConfig, type LogLevel, loggingConfig } from '../config';
import { redactingJsonReplacer } from './redact';

/** A logger with these settings (tests pass their own, e.g. `{ logLevel: 'SILENT' }`). */
export function createLogger(settings: Partial<LoggingConfig> = loggingConfig()): PowertoolsLogger {
  const logLevel: LogLevel | undefined = settings.logLevel;
  return new PowertoolsLogger({
    serviceName: settings.serviceName ?? loggingConfig({}).serviceName,
    ...(logLevel === undefined ? {} : { logLevel }),
    jsonReplacerFn: redactingJsonReplacer,
  });
}

export const logger: PowertoolsLogger = createLogger();

/** What identifies the work a log line is about. Keys are emitted in snake_case. */
export type RequestLogContext = {
  requestId?: string;
  assetId?: string;
  productId?: string;
  requestType?: string;
  tierLevel?: number;
  correlationId?: string;
  webhookId?: string;
};

const CONTEXT_KEYS = {
  requestId: 'request_id',
  assetId: 'asset_id',
  productId: 'product_id',
  requestType: 'request_type',
  tierLevel: 'tier_level',
  correlationId: 'correlation_id',
  webhookId: 'webhook_id',
} as const satisfies Record<keyof RequestLogContext, string>;

/**
 * Adds the context to every following log line of the invocation. Call it once per invocation: the handler's
 * `injectLambdaContext(logger, { resetKeys: true })` drops the keys when the invocation ends.
 */
export function appendRequestContext(context: RequestLogContext, target: PowertoolsLogger = logger): void {
  const keys: Record<string, string | number> = {};
  for (const [field, key] of Object.entries(CONTEXT_KEYS)) {
    const value = context[field as keyof RequestLogContext];
    if (value !== undefined && value !== '') keys[key] = value;
  }
  target.appendKeys(keys);
}

/** Drops the keys added by `appendRequestContext` (and any other temporary keys). */
export function resetRequestContext(target: PowertoolsLogger = logger): void {
  target.resetKeys();
}
