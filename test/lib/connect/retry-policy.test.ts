import { describe, expect, it } from 'vitest';
import {
  type CallEvent,
  ConnectAuthError,
  ConnectNetworkError,
  ConnectRateLimitError,
  ConnectResponseError,
  ConnectServerError,
  ConnectTimeoutError,
  ConnectValidationError,
  errorCategory,
} from '../../../lib/connect';
import { buildFulfillmentRequest } from '../../support/builders';
import { hang, json, networkFailure } from './fake-fetch';
import { START_MS, setup } from './harness';

const okRequest = () => json(buildFulfillmentRequest());

describe('retries of reads and parameter updates', () => {
  it('honours Retry-After in seconds on 429', async () => {
    // Prepare
    const { client, calls, sleeps, retries } = setup([
      { status: 429, headers: { 'Retry-After': '3' }, json: { errors: ['Too many requests'] } },
      okRequest(),
    ]);

    // Act
    const result = await client.requests.get('PR-1');

    // Assess
    expect(result.id).toBe('PR-4412-0097-3381-001');
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
    expect(retries).toEqual([
      { method: 'GET', path: '/requests/PR-1', attempt: 1, delayMs: 3000, reason: 'rate limited (429)' },
    ]);
  });

  it('honours Retry-After as an HTTP date on 429', async () => {
    // Prepare
    const retryAt = new Date(START_MS + 7000).toUTCString();
    const { client, sleeps } = setup([{ status: 429, headers: { 'Retry-After': retryAt } }, okRequest()]);

    // Act
    await client.requests.get('PR-1');

    // Assess
    expect(sleeps).toEqual([7000]);
  });

  it('gives up with the rate-limit error when Retry-After exceeds the remaining budget', async () => {
    // Prepare
    const { client, calls, sleeps } = setup(
      [{ status: 429, headers: { 'Retry-After': '120' } }, okRequest()],
      {
        retry: { maxElapsedMs: 10_000 },
      },
    );

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectRateLimitError);
    await expect(result).rejects.toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries 503 then succeeds, with full-jitter exponential backoff', async () => {
    // Prepare
    const { client, calls, sleeps } = setup(
      [{ status: 503, text: 'busy' }, { status: 502, text: 'bad gateway' }, okRequest()],
      { retry: { baseDelayMs: 100, maxDelayMs: 10_000 }, random: () => 0.5 },
    );

    // Act
    await client.requests.get('PR-1');

    // Assess
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('caps each backoff at maxDelayMs', async () => {
    // Prepare
    const { client, sleeps } = setup(
      [{ status: 504 }, { status: 504 }, { status: 504 }, { status: 504 }, okRequest()],
      { retry: { baseDelayMs: 1000, maxDelayMs: 2500 }, random: () => 0.999 },
    );

    // Act
    await client.requests.get('PR-1');

    // Assess
    expect(sleeps).toEqual([999, 1998, 2497, 2497]);
  });

  it('retries a 500 on a read and on a PUT', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 500 }, okRequest(), { status: 500 }, okRequest()]);

    // Act
    await client.requests.get('PR-1');
    await client.requests.updateParams('PR-1', [{ id: 'tenant_id', value: 't' }]);

    // Assess
    expect(calls.map((call) => call.method)).toEqual(['GET', 'GET', 'PUT', 'PUT']);
    expect(calls[3]?.body).toEqual(calls[2]?.body);
  });

  it('retries a network error', async () => {
    // Prepare
    const { client, calls, retries } = setup([networkFailure(), okRequest()]);

    // Act
    await client.requests.get('PR-1');

    // Assess
    expect(calls).toHaveLength(2);
    expect(retries[0]?.reason).toBe('network error');
  });

  it('times an attempt out with the per-attempt timeout and retries it', async () => {
    // Prepare
    const { client, calls, retries } = setup([hang(), okRequest()], { timeoutMs: 5 });

    // Act
    const result = await client.requests.get('PR-1');

    // Assess
    expect(result.status).toBe('pending');
    expect(calls).toHaveLength(2);
    expect(retries[0]?.reason).toBe('timeout');
  });

  it('throws ConnectTimeoutError once the attempts are used up', async () => {
    // Prepare
    const { client, calls } = setup([hang(), hang()], { timeoutMs: 5, retry: { maxAttempts: 2 } });

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectTimeoutError);
    await expect(result).rejects.toThrow('Connect GET /requests/PR-1 timed out after 5 ms');
    expect(calls).toHaveLength(2);
  });

  it('stops after maxAttempts with the last error', async () => {
    // Prepare
    const { client, calls, sleeps } = setup(
      [{ status: 503 }, { status: 503 }, { status: 503 }, okRequest()],
      {
        retry: { maxAttempts: 3 },
      },
    );

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('stops when the next backoff would exceed the elapsed budget', async () => {
    // Prepare
    const { client, calls } = setup([networkFailure(), networkFailure(), networkFailure(), okRequest()], {
      retry: { baseDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 1500 },
      random: () => 0.9,
    });

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectNetworkError);
    expect(calls).toHaveLength(2);
  });

  it.each([
    [400, ConnectValidationError],
    [401, ConnectAuthError],
    [403, ConnectAuthError],
    [409, ConnectValidationError],
    [422, ConnectValidationError],
  ])('never retries a %i', async (status, errorClass) => {
    // Prepare
    const { client, calls } = setup([json({ error_code: 'X_001', errors: ['no'] }, status), okRequest()]);

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(errorClass);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a 501 (not a transient status)', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 501 }, okRequest()]);

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
    expect(calls).toHaveLength(1);
  });
});

describe('redirects', () => {
  it('refuses a redirect once, as a configuration error, never retried', async () => {
    // Prepare: what Node's fetch throws with `redirect: 'error'` when the server answers 301/302.
    const redirected = () => {
      throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    };
    const { client, calls, retries } = setup([redirected]);

    // Act
    const failure = client.requests.get('PR-1').catch((error: unknown) => error);

    // Assess
    const error = await failure;
    expect(error).toBeInstanceOf(ConnectResponseError);
    expect((error as Error).message).toContain('CONNECT_API_URL');
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([]);
  });
});

describe('onCall: every call once, when it ends', () => {
  it('reports the attempts of a call that succeeded after retries, and the category of one that failed', async () => {
    const events: CallEvent[] = [];
    const { client } = setup(
      [
        { status: 503, json: { errors: ['down'] } },
        okRequest(),
        { status: 404, json: { error_code: 'REQ_002', errors: ['not found'] } },
        { status: 401, json: { error_code: 'AUTH_001', errors: ['bad key'] } },
      ],
      { onCall: (event) => events.push(event) },
    );

    await client.requests.get('PR-1');
    await expect(client.requests.get('PR-2')).rejects.toThrow();
    await expect(client.requests.get('PR-3')).rejects.toBeInstanceOf(ConnectAuthError);

    expect(events).toEqual([
      { method: 'GET', attempts: 2 },
      { method: 'GET', attempts: 1, category: 'not_found' },
      { method: 'GET', attempts: 1, category: 'auth' },
    ]);
  });

  it('names the category of each error class', () => {
    const call = { method: 'GET', path: '/requests' };
    expect(
      [
        new ConnectValidationError(call),
        new ConnectAuthError(call),
        new ConnectRateLimitError(call),
        new ConnectServerError(call),
        new ConnectTimeoutError(call),
        new ConnectNetworkError(call),
        new ConnectResponseError(call),
      ].map(errorCategory),
    ).toEqual(['validation', 'auth', 'rate_limit', 'server', 'timeout', 'network', 'response']);
  });
});
