/**
 * The minimal logger the fulfillment lib needs. Structural, so the Powertools `Logger` fits as is:
 * extra objects are merged into the JSON log line as attributes.
 */
import type { FulfillmentRequest, TierConfigRequest } from '../connect';

export type LogAttributes = Record<string, unknown>;

export interface Logger {
  debug(message: string, ...extra: LogAttributes[]): void;
  info(message: string, ...extra: LogAttributes[]): void;
  warn(message: string, ...extra: LogAttributes[]): void;
  error(message: string, ...extra: LogAttributes[]): void;
}

/** The attributes that identify a request in every log line (the keys of lib/observability). */
export function fulfillmentLogAttributes(request: FulfillmentRequest): LogAttributes {
  return {
    request_id: request.id,
    request_type: request.type,
    asset_id: request.asset.id,
    product_id: request.asset.product.id,
  };
}

export function tierConfigLogAttributes(request: TierConfigRequest): LogAttributes {
  return {
    request_id: request.id,
    request_type: request.type,
    tier_configuration_id: request.configuration.id,
    product_id: request.configuration.product.id,
    tier_level: request.configuration.tier_level,
  };
}

/** A logger that appends `attributes` to every line, after the caller's own extra objects. */
export function withLogAttributes(logger: Logger, attributes: LogAttributes): Logger {
  return {
    debug: (message, ...extra) => logger.debug(message, ...extra, attributes),
    info: (message, ...extra) => logger.info(message, ...extra, attributes),
    warn: (message, ...extra) => logger.warn(message, ...extra, attributes),
    error: (message, ...extra) => logger.error(message, ...extra, attributes),
  };
}

/** A safe description of any thrown value: its name and message, never a stack or a payload. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'NonError', message: typeof error === 'string' ? error : typeof error };
}
