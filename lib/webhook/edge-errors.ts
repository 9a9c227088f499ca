/**
 * The one middy middleware that turns the edge's errors into answers. A client error (an `EdgeError` with
 * `expose`) answers its status with `{error: code, message, ...details}` and is logged at WARN with what the
 * error allows to be logged. Anything else (Connect down, a configuration that cannot load, a bug) answers
 * the fixed 503, with no detail, and is logged at ERROR by name and message only; a server-side `EdgeError`
 * with a `fixedBody` of its own answers that body with its status instead (never its message). A refusal is
 * counted (`WebhookRejected`, by route and reason).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError, type Logger, type MetricsRecorder, noMetrics } from '../observability';
import { EdgeError } from './errors';

export type EdgeResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function json(statusCode: number, body: Record<string, unknown>): EdgeResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The only body a 5xx of the edge ever carries. */
export const UNAVAILABLE_BODY = {
  error: 'unavailable',
  message: 'The call could not be processed; retry later',
};

/** `WebhookRejected`'s reason for a refused call's status. */
export function rejectionReason(status: number): 'unauthorized' | 'too_large' | 'invalid' {
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too_large';
  return 'invalid';
}

export function edgeErrors(options: {
  logger: Logger;
  route: string;
  /** `WebhookRejected` {route: `metricsRoute`, reason} for every refused call. */
  metrics?: MetricsRecorder;
  metricsRoute?: string;
}): middy.MiddlewareObj<unknown, EdgeResult> {
  const { logger, route, metrics = noMetrics, metricsRoute = route.toLowerCase() } = options;
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof EdgeError && error.expose) {
        metrics.count('WebhookRejected', { route: metricsRoute, reason: rejectionReason(error.statusCode) });
        logger.warn(`${route} refused: ${error.code}`, { status: error.statusCode, ...error.logged });
        request.response = json(error.statusCode, {
          error: error.code,
          message: error.message,
          ...error.details,
        });
        return;
      }
      if (error instanceof EdgeError && error.fixedBody !== undefined) {
        logger.error(`${route} could not be processed: answered ${error.statusCode}`, {
          ...error.logged,
          error: describeError(error),
        });
        request.response = json(error.statusCode, { ...error.fixedBody });
        return;
      }
      logger.error(`${route} could not be processed: answered 503`, { error: describeError(error) });
      request.response = json(503, UNAVAILABLE_BODY);
    },
  };
}
