/** A scripted fake `fetch`: answers calls in order and records what was sent. */

export type RecordedCall = {
  method: string;
  url: URL;
  /** Path and query after the base URL, e.g. `/requests/PR-1?limit=100`. */
  target: string;
  headers: Headers;
  /** Parsed JSON body, or undefined when none was sent. */
  body: unknown;
  rawBody: string | undefined;
};

export type ScriptedReply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | ((call: RecordedCall, signal: AbortSignal | undefined) => Promise<Response> | Response);

export const BASE_URL = 'https://api.connect.example/public/v1';

/** Convenience: a JSON answer. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): ScriptedReply {
  return { status, json: value, headers };
}

/** A failure of fetch itself, as undici reports it. */
export function networkFailure(): ScriptedReply {
  return () => {
    throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:443') });
  };
}

/** Never answers; rejects with the signal's reason when the per-attempt timeout fires. */
export function hang(): ScriptedReply {
  return (_call, signal) =>
    new Promise<Response>((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
}

export function fakeFetch(replies: readonly ScriptedReply[]) {
  const calls: RecordedCall[] = [];
  const queue = [...replies];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const rawBody = typeof init?.body === 'string' ? init.body : undefined;
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      url,
      target: `${url.pathname.replace('/public/v1', '')}${url.search}`,
      headers: new Headers(init?.headers),
      body: rawBody === undefined ? undefined : JSON.parse(rawBody),
      rawBody,
    };
    calls.push(call);
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`fakeFetch: unexpected call ${call.method} ${call.target}`);
    if (typeof reply === 'function') return reply(call, init?.signal ?? undefined);
    const status = reply.status ?? 200;
    const body =
      status === 204 ? null : reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    return new Response(body, { status, headers: reply.headers ?? {} });
  };
  return { fetch, calls, remaining: () => queue.length };
}
