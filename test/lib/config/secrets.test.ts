import { describe, expect, it } from 'vitest';
import { memoizeAsync, resolveSecrets, SecretResolutionError } from '../../../lib/config';

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
      'CONNECT_WEBHOOK_SECRETS_PARAMETER: SSM parameter /x/secrets could not be read',
    );
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
