/** A tiny fetch helper for the emulator tests (plain fetch, JSON in and out). */
import { DEFAULT_API_KEY, type EmulatorHandle } from '../../emulator';

export type HttpResult = { status: number; body: unknown; headers: Headers };

export type Http = {
  call(
    method: string,
    path: string,
    body?: unknown,
    init?: { auth?: string | null; signal?: AbortSignal },
  ): Promise<HttpResult>;
  get(path: string): Promise<HttpResult>;
  post(path: string, body?: unknown): Promise<HttpResult>;
  put(path: string, body?: unknown): Promise<HttpResult>;
  admin(method: string, path: string, body?: unknown): Promise<HttpResult>;
};

async function send(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<HttpResult> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}

export function http(emulator: EmulatorHandle, apiKey = DEFAULT_API_KEY): Http {
  const call: Http['call'] = (method, path, body, init = {}) => {
    const auth = init.auth === undefined ? apiKey : init.auth;
    return send(
      `${emulator.url}${path}`,
      method,
      body,
      auth === null ? {} : { Authorization: auth },
      init.signal,
    );
  };
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body),
    admin: (method, path, body) => send(`${emulator.origin}${path}`, method, body, {}),
  };
}

/** Narrows an unknown JSON body to a record (fails the test loudly otherwise). */
export function record(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

export function array(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`expected a JSON array, got ${JSON.stringify(value)}`);
  return value.map(record);
}

export const PRODUCT = 'PRD-111-222-333';

export const purchaseBody = (overrides: Record<string, unknown> = {}) => ({
  type: 'purchase',
  asset: {
    product: { id: PRODUCT, name: 'Fallball' },
    items: [{ id: 'SEATS', quantity: 5 }],
    params: [
      { id: 'email', value: '' },
      { id: 'ActivationKey', value: '' },
    ],
    ...overrides,
  },
});
