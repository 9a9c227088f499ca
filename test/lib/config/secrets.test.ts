import {
  AccessDeniedException,
  InvalidKeyId,
  ParameterNotFound,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { memoizeAsync, resolveSecrets, SecretResolutionError } from '../../../lib/config';
import { describeSsmFailure } from '../../../lib/config/secrets';
import { type EdgeResult, edgeErrors } from '../../../lib/webhook';
import { fakeLambdaContext } from '../../support/lambda-context';
import { RecordingLogger } from '../../support/recording-logger';

const KEY = 'ApiKey SU-111-222-333:aaaabbbbccccdddd';

describe('resolveSecrets', () => {
  it('leaves the environment as it is when no parameter is named (local, tests)', async () => {
    const env = { CONNECT_API_KEY: KEY, CONNECT_WEBHOOK_SECRETS: 'a,b' };
    const reads: string[] = [];
    const resolved = await resolveSecrets(env, async (name) => {
      reads.push(name);
      return 'unused';
    });
    expect(resolved).toEqual(env);
    expect(reads).toEqual([]);
  });

  it('fills each secret from the SSM parameter its *_PARAMETER variable names', async () => {
    const parameters: Record<string, string> = {
      '/connect-fulfillment/prod/api-key': KEY,
      '/connect-fulfillment/prod/webhook-secrets': 'new-secret,old-secret',
    };
    const resolved = await resolveSecrets(
      {
        CONNECT_API_KEY_PARAMETER: '/connect-fulfillment/prod/api-key',
        CONNECT_WEBHOOK_SECRETS_PARAMETER: '/connect-fulfillment/prod/webhook-secrets',
        CONNECT_API_KEY: '',
      },
      async (name) => parameters[name],
    );
    expect(resolved.CONNECT_API_KEY).toBe(KEY);
    expect(resolved.CONNECT_WEBHOOK_SECRETS).toBe('new-secret,old-secret');
  });

  it('names the variable and the parameter when a parameter is missing or unreadable, never a value', async () => {
    const missing = resolveSecrets({ CONNECT_API_KEY_PARAMETER: '/x/api-key' }, async () => undefined);
    await expect(missing).rejects.toThrow('CONNECT_API_KEY_PARAMETER: SSM parameter /x/api-key has no value');
    const denied = resolveSecrets({ CONNECT_WEBHOOK_SECRETS_PARAMETER: '/x/secrets' }, async () => {
      throw new Error('AccessDeniedException');
    });
    await expect(denied).rejects.toBeInstanceOf(SecretResolutionError);
    await expect(denied).rejects.toThrow(
      'CONNECT_WEBHOOK_SECRETS_PARAMETER: SSM parameter /x/secrets could not be read: Error',
    );
  });
});

/** An SSM failure as the runtime sees it: the SDK's exception, alone or as the `cause` of a plain Error. */
const $metadata = { httpStatusCode: 400, requestId: 'req-1' };
const wrapped = (cause: Error) => new Error(cause.message, { cause });
/** A message that quotes what must never reach a log (as some services' messages quote their input). */
const LEAKY = `value ${KEY} rejected`;

describe('describeSsmFailure', () => {
  it.each([
    ['not found', new ParameterNotFound({ message: LEAKY, $metadata }), 'not found (ParameterNotFound)'],
    [
      'access denied',
      new AccessDeniedException({ message: LEAKY, Message: LEAKY, $metadata }),
      'access denied (AccessDeniedException)',
    ],
    [
      'throttled',
      new ThrottlingException({ message: LEAKY, Message: LEAKY, $metadata }),
      'throttled (ThrottlingException)',
    ],
    [
      'a bad KMS key',
      new InvalidKeyId({ message: LEAKY, $metadata }),
      'decryption failed, KMS (InvalidKeyId)',
    ],
    [
      'a KMS key policy',
      new AccessDeniedException({
        message: 'User: arn:aws:sts::1:assumed-role/r is not authorized to perform: kms:Decrypt',
        Message: 'User: arn:aws:sts::1:assumed-role/r is not authorized to perform: kms:Decrypt',
        $metadata,
      }),
      'decryption failed, KMS (AccessDeniedException)',
    ],
  ])('names %s, alone or wrapped, never the message', (_, cause, expected) => {
    for (const error of [cause, wrapped(cause)]) {
      const description = describeSsmFailure(error);
      expect(description).toBe(expected);
      expect(description).not.toContain('SU-111');
    }
  });

  it('falls back to the original error name, its Node code, or its HTTP status', () => {
    const timeout = Object.assign(new Error(LEAKY), { name: 'TimeoutError' });
    expect(describeSsmFailure(wrapped(timeout))).toBe('TimeoutError');
    const reset = Object.assign(new Error(LEAKY), { code: 'ECONNRESET' });
    expect(describeSsmFailure(wrapped(reset))).toBe('ECONNRESET');
    const forbidden = Object.assign(new Error(LEAKY), {
      name: 'UnknownError',
      $metadata: { httpStatusCode: 403 },
    });
    expect(describeSsmFailure(forbidden)).toBe('access denied (UnknownError)');
    expect(describeSsmFailure(wrapped(new Error(LEAKY)))).toBe('Error');
  });

  it('never repeats a name that is free text, and survives a cycle and a thrown string', () => {
    const odd = Object.assign(new Error('x'), { name: `bad ${KEY}` });
    expect(describeSsmFailure(odd)).toBe('unknown error');
    const loop = new Error('a') as Error & { cause?: unknown };
    loop.cause = loop;
    expect(describeSsmFailure(loop)).toBe('Error');
    expect(describeSsmFailure(KEY)).toBe('unknown error');
  });

  it('puts the cause in the error of resolveSecrets, and so in the 503 log line, without the value', async () => {
    const logger = new RecordingLogger();
    const handler = middy(async (): Promise<EdgeResult> => {
      await resolveSecrets({ CONNECT_API_KEY_PARAMETER: '/x/api-key' }, async () => {
        throw wrapped(new AccessDeniedException({ message: LEAKY, Message: LEAKY, $metadata }));
      });
      return { statusCode: 200, body: '' };
    }).use(edgeErrors({ logger, route: 'Webhook' }));
    const answer = await handler({}, fakeLambdaContext());
    expect(answer.statusCode).toBe(503);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({
        message: 'Webhook could not be processed: answered 503',
        attributes: {
          error: {
            name: 'SecretResolutionError',
            message:
              'CONNECT_API_KEY_PARAMETER: SSM parameter /x/api-key could not be read: ' +
              'access denied (AccessDeniedException)',
          },
        },
      }),
    ]);
    expect(logger.text()).not.toContain('SU-111');
  });
});

describe('memoizeAsync', () => {
  it('keeps a value until it is older than maxAge, then builds it again', async () => {
    let clock = 0;
    let builds = 0;
    const get = memoizeAsync(async () => ++builds, { maxAgeMs: 1_000, now: () => clock });
    expect([await get(), await get()]).toEqual([1, 1]);
    clock = 1_001;
    expect(await get()).toBe(2);
  });

  it('does not keep a failed first build: the next call tries again', async () => {
    let attempt = 0;
    const get = memoizeAsync(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('SSM throttled');
      return 'config';
    });
    await expect(get()).rejects.toThrow('SSM throttled');
    expect(await get()).toBe('config');
  });

  it('serves the last good value when a refresh fails', async () => {
    let clock = 0;
    let attempt = 0;
    const get = memoizeAsync(
      async () => {
        attempt += 1;
        if (attempt === 2) throw new Error('SSM throttled');
        return `config ${attempt}`;
      },
      { maxAgeMs: 10, now: () => clock },
    );
    expect(await get()).toBe('config 1');
    clock = 11;
    expect(await get()).toBe('config 1');
    expect(await get()).toBe('config 3');
  });
});
