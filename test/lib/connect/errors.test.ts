import { describe, expect, it } from 'vitest';
import {
  ConnectAuthError,
  ConnectError,
  ConnectNotFoundError,
  ConnectRateLimitError,
  ConnectServerError,
  ConnectValidationError,
  createConnectError,
} from '../../../lib/connect';
import { json } from './fake-fetch';
import { API_KEY, setup } from './harness';

const SECRET_PART = API_KEY.slice(API_KEY.indexOf(':') + 1);

describe('createConnectError', () => {
  it.each([
    [400, ConnectValidationError],
    [401, ConnectAuthError],
    [403, ConnectAuthError],
    [404, ConnectNotFoundError],
    [409, ConnectValidationError],
    [422, ConnectValidationError],
    [429, ConnectRateLimitError],
    [500, ConnectServerError],
    [503, ConnectServerError],
  ])('maps %i to its class', (status, errorClass) => {
    // Act
    const error = createConnectError({ method: 'GET', path: '/requests', status, bodyText: '{}' });

    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(errorClass.name);
    expect(error.status).toBe(status);
  });

  it('reads {error_code, errors} into fields and message', () => {
    // Act
    const error = createConnectError({
      method: 'POST',
      path: '/requests/PR-1/approve',
      status: 400,
      bodyText: JSON.stringify({
        error_code: 'VAL_001',
        errors: ['template_id: This field is required.', 'x'],
      }),
    });

    // Assess
    expect(error.errorCode).toBe('VAL_001');
    expect(error.errors).toEqual(['template_id: This field is required.', 'x']);
    expect(error.method).toBe('POST');
    expect(error.path).toBe('/requests/PR-1/approve');
    expect(error.message).toBe(
      'Connect POST /requests/PR-1/approve failed with 400 VAL_001: template_id: This field is required.; x',
    );
  });

  it('keeps a short text snippet of a non-JSON body such as an HTML 502 page', () => {
    // Prepare
    const html = `<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>${'<p>filler</p>'.repeat(100)}</body></html>`;

    // Act
    const error = createConnectError({ method: 'GET', path: '/requests', status: 502, bodyText: html });

    // Assess
    expect(error).toBeInstanceOf(ConnectServerError);
    expect(error.errorCode).toBeUndefined();
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]).toMatch(/^502 Bad Gateway 502 Bad Gateway nginx/);
    expect(error.errors[0]).not.toContain('<');
    expect(error.errors[0]?.length).toBeLessThanOrEqual(201);
  });

  it('has no details for an empty body', () => {
    // Act
    const error = createConnectError({ method: 'GET', path: '/requests', status: 503, bodyText: '' });

    // Assess
    expect(error.errors).toEqual([]);
    expect(error.message).toBe('Connect GET /requests failed with 503');
  });

  it('carries retryAfterMs on a rate-limit error', () => {
    // Act
    const error = createConnectError({
      method: 'GET',
      path: '/x',
      status: 429,
      bodyText: '',
      retryAfterMs: 2000,
    });

    // Assess
    expect(error).toBeInstanceOf(ConnectRateLimitError);
    expect(error instanceof ConnectRateLimitError && error.retryAfterMs).toBe(2000);
  });

  it('redacts given secrets from the errors', () => {
    // Act
    const error = createConnectError({
      method: 'GET',
      path: '/x',
      status: 401,
      bodyText: JSON.stringify({ error_code: 'AUTH_001', errors: [`Key ${API_KEY} is unauthorized.`] }),
      secrets: [API_KEY],
    });

    // Assess
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).toContain('[REDACTED]');
  });
});

describe('the API key never leaks', () => {
  it('not from an error body that echoes it, nor from the serialised error', async () => {
    // Prepare
    const { client } = setup([
      json({ error_code: 'AUTH_001', errors: [`API request is unauthorized: ApiKey ${API_KEY}`] }, 401),
    ]);

    // Act
    const error = await client.requests.get('PR-1').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConnectAuthError);
    const everything = JSON.stringify(error) + String(error) + (error instanceof Error ? error.stack : '');
    expect(everything).not.toContain(SECRET_PART);
    expect(everything).toContain('AUTH_001');
  });

  it('not from a network error message', async () => {
    // Prepare
    const { client } = setup(
      [
        () => {
          throw new TypeError(`request to host failed, header Authorization: ApiKey ${API_KEY}`);
        },
      ],
      { retry: { maxAttempts: 1 } },
    );

    // Act
    const error = await client.requests.get('PR-1').catch((caught: unknown) => caught);

    // Assess
    expect(String(error)).toMatch(/network error/);
    expect(String(error)).not.toContain(SECRET_PART);
  });
});
