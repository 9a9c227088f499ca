/** The edge's error mapping (lib/webhook edgeErrors): a server EdgeError's own fixed body, and only that. */
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { EdgeError, type EdgeResult, edgeErrors, UNAVAILABLE_BODY } from '../../../lib/webhook';
import { fakeLambdaContext } from '../../support/lambda-context';
import { RecordingLogger } from '../../support/recording-logger';

function answerTo(error: unknown) {
  const logger = new RecordingLogger();
  const handler = middy(async () => {
    throw error;
  }).use(edgeErrors({ logger, route: 'Test' }));
  return { logger, result: handler({}, fakeLambdaContext()) as Promise<EdgeResult> };
}

describe('edgeErrors', () => {
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
