/**
 * The one Powertools Logger of the function set. Structured JSON; level from `POWERTOOLS_LOG_LEVEL` (default
 * INFO), service from `POWERTOOLS_SERVICE_NAME`. Every serialised record goes through
 * `redactingJsonReplacer`, which sees every nested string, error messages and stacks included.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas';
import { redactingJsonReplacer } from './redact';

export const DEFAULT_SERVICE_NAME = 'connect-fulfillment';

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
type KnownLogLevel = (typeof LOG_LEVELS)[number];

function logLevelFrom(value: string | undefined): KnownLogLevel | undefined {
  const upper = value?.trim().toUpperCase();
  return LOG_LEVELS.find((level) => level === upper);
}

/** A logger over `env` (tests pass their own); handlers use the shared `logger` below. */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const logLevel = logLevelFrom(env.POWERTOOLS_LOG_LEVEL);
  return new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME,
    // An unknown level is ignored (INFO), as Powertools does for its own variable.
    ...(logLevel === undefined ? {} : { logLevel }),
    jsonReplacerFn: redactingJsonReplacer,
  });
}

export const logger: Logger = createLogger();

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

/** Adds the context to every following log line until `resetRequestContext` (call it per invocation). */
export function appendRequestContext(context: RequestLogContext, target: Logger = logger): void {
  const keys: Record<string, string | number> = {};
  for (const [field, key] of Object.entries(CONTEXT_KEYS)) {
    const value = context[field as keyof RequestLogContext];
    if (value !== undefined && value !== '') keys[key] = value;
  }
  target.appendKeys(keys);
}

/** Drops the keys added by `appendRequestContext` (and any other temporary keys). */
export function resetRequestContext(target: Logger = logger): void {
  target.resetKeys();
}

/** The log context of a fulfillment request or a tier config request. */
export function requestLogContext(request: FulfillmentRequest | TierConfigRequest): RequestLogContext {
  if (!isTierConfigRequest(request)) {
    return {
      requestId: request.id,
      assetId: request.asset.id,
      productId: request.asset.product.id,
      requestType: request.type,
    };
  }
  return {
    requestId: request.id,
    productId: request.configuration.product.id,
    requestType: request.type,
    tierLevel: request.configuration.tier_level,
  };
}

function isTierConfigRequest(request: FulfillmentRequest | TierConfigRequest): request is TierConfigRequest {
  return request.asset === undefined && request.configuration !== undefined;
}
