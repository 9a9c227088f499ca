/**
 * An HTTP route's Lambda handler: the route's pure core with a correlation id of ours (it follows the call
 * into every log line, and the router's dispatch into the type functions), the logger's Lambda context, the
 * edge's errors mapped to answers (lib/webhook `edgeErrors`), and the call's metrics flushed when it ends.
 */
import { randomUUID } from 'node:crypto';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { flushMetrics, type MetricsRecorder, noMetrics } from '../observability';
import { type EdgeResult, edgeErrors } from '../webhook';

export type EdgeCall = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>;

export type EdgeCore = (call: EdgeCall, correlationId: string) => Promise<EdgeResult>;

export type EdgeHandlerOptions = {
  logger: PowertoolsLogger;
  /** Names the route in the log lines of its refusals (`Webhook refused: unauthorized`). */
  route: string;
  /** The route as the metrics name it (`WebhookRejected`'s `route`: `webhook`, `validate`). */
  metricsRoute: string;
  /** Flushed when each call ends. Default: none recorded. */
  metrics?: MetricsRecorder;
  newCorrelationId?: () => string;
};

export function createEdgeHandler(
  core: EdgeCore,
  { logger, route, metricsRoute, metrics = noMetrics, newCorrelationId = randomUUID }: EdgeHandlerOptions,
) {
  return middy(async (event: EdgeCall): Promise<EdgeResult> => {
    const correlationId = newCorrelationId();
    logger.appendKeys({ correlation_id: correlationId });
    return core(event, correlationId);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics(metrics))
    .use(edgeErrors({ logger, route, metrics, metricsRoute }));
}
