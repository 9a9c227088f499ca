/** The edge's error mapping (lib/webhook edgeErrors): a server EdgeError's own fixed body, and only that. */
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { EdgeError, type EdgeResult, edgeErrors, UNAVAILABLE_BODY } from '../../../lib/webhook';
import { fakeLambdaContext } from '../../support/lambda-context';
import { RecordingLogger } from '../../support/recording-logger';
import { RecordingMetrics } from '../../support/recording-metrics';

function answerTo(error: unknown) {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = middy(async () => {
    throw error;
  }).use(edgeErrors({ logger, route: 'Test', metrics, metricsRoute: 'webhook' }));
  return { logger, metrics, result: handler({}, fakeLambdaContext()) as Promise<EdgeResult> };
}

describe('edgeErrors', () => {
  it('counts every refusal by route and reason (WebhookRejected), and no server error', async () => {
    const reasons: unknown[] = [];
    for (const error of [
      new EdgeError(401, 'unauthorized', 'bad token'),
      new EdgeError(413, 'too_large', 'body over 1 MB'),
      new EdgeError(400, 'invalid_payload', 'missing field'),
      new EdgeError(415, 'unsupported', 'not JSON'),
      new Error('Connect down'),
    ]) {
      const { metrics, result } = answerTo(error);
      await result;
      reasons.push(...metrics.named('WebhookRejected').map((metric) => metric.dimensions));
    }
    expect(reasons).toEqual([
      { route: 'webhook', reason: 'unauthorized' },
      { route: 'webhook', reason: 'too_large' },
      { route: 'webhook', reason: 'invalid' },
      { route: 'webhook', reason: 'invalid' },
    ]);
  });

  it('answers a server EdgeError with a fixed body of its own with its status, never its message', async () => {
    const error = new EdgeError(502, 'validation_unavailable', 'validator threw: secret detail', {
      fixedBody: { error: 'validation_unavailable', message: 'Try again later' },
      logged: { request_id: 'PR-1' },
    });
    const { logger, result } = answerTo(error);
    const answer = await result;
    expect(answer).toEqual({
      statusCode: 502,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'validation_unavailable', message: 'Try again later' }),
    });
    expect(logger.at('error')).toEqual([
      expect.objectContaining({
        message: 'Test could not be processed: answered 502',
        attributes: expect.objectContaining({ request_id: 'PR-1' }),
      }),
    ]);
  });

  it('answers the fixed 503 for a server EdgeError without one', async () => {
    const { result } = answerTo(new EdgeError(500, 'boom', 'internal detail'));
    expect(await result).toMatchObject({ statusCode: 503, body: JSON.stringify(UNAVAILABLE_BODY) });
  });

  it('ignores a fixed body on a client error: the exposed message is the answer', async () => {
    const error = new EdgeError(400, 'bad', 'Bad input', { fixedBody: { error: 'other' } });
    expect(error.fixedBody).toBeUndefined();
    const { result } = answerTo(error);
    expect(JSON.parse((await result).body)).toEqual({ error: 'bad', message: 'Bad input' });
  });
});
