/**
 * The HTTP layer (node:http): the Connect API under `/public/v1` (recorded, fault-injected, ApiKey
 * authenticated, RQL lists with `Content-Range`) and the emulator's own `/__emulator/*` endpoints.
 * One log line per call: method, path, status, ms.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseBody } from './bodies';
import { EmulatorHttpError, notFoundError, unauthorizedError, validationError } from './errors';
import { FaultConfigSchema, type FaultInjector } from './faults';
import { contentRange, type FieldAliases, parseQuery, RqlError, runQuery } from './rql';
import type { CallRecord, EmulatorStore } from './store';
import type { ValidatorCaller } from './validation';
import type { WebhookDispatcher } from './webhooks';

export const API_PREFIX = '/public/v1';
export const CONNECT_VERSION = '37.0';

export type ServerDeps = {
  store: EmulatorStore;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  validators: ValidatorCaller;
  apiKey: string;
  log: (line: string) => void;
};

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type ApiCall = { method: string; parts: string[]; rawQuery: string; body: unknown };

const REQUEST_ALIASES: FieldAliases = { product_id: 'asset.product.id', 'product.id': 'asset.product.id' };
const TCR_ALIASES: FieldAliases = { product_id: 'configuration.product.id' };
const WEBHOOK_ALIASES: FieldAliases = { product_id: 'product.id' };

/** Compares API keys with or without the `ApiKey ` prefix, in constant time. */
export function apiKeyMatches(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const strip = (key: string) => key.trim().replace(/^ApiKey\s+/i, '');
  const digest = (key: string) => createHash('sha256').update(strip(key)).digest();
  return timingSafeEqual(digest(header), digest(expected));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function list<T>(items: readonly T[], rawQuery: string, aliases: FieldAliases = {}): Answer {
  let page: ReturnType<typeof runQuery<T>>;
  try {
    page = runQuery(items, parseQuery(rawQuery), aliases);
  } catch (error) {
    if (error instanceof RqlError) throw validationError(error.message);
    throw error;
  }
  return { status: 200, body: page.items, headers: { 'Content-Range': contentRange(page) } };
}

const methodNotAllowed = (method: string) =>
  new EmulatorHttpError(405, 'EMU_METHOD', [`Method ${method} is not allowed on this path.`]);

/** Routes one authenticated Connect API call to the store (validator calls are awaited). */
async function routeApi(deps: ServerDeps, call: ApiCall): Promise<Answer> {
  const { store, webhooks, validators } = deps;
  const { method, parts, rawQuery, body } = call;
  const [collection, a, b, c] = parts;
  const ok = (value: unknown, status = 200): Answer => ({ status, body: value });
  const noContent = (action: () => void): Answer => {
    action();
    return { status: 204 };
  };

  if (collection === 'requests') {
    if (a === undefined) {
      if (method === 'GET') return list(store.listRequests(), rawQuery, REQUEST_ALIASES);
      if (method === 'POST') return ok(store.createRequest(body), 201);
      throw methodNotAllowed(method);
    }
    if (b === undefined && parts.length === 2) {
      if (method === 'GET') return ok(store.getRequest(a));
      if (method === 'PUT') return ok(store.updateRequest(a, body));
      throw methodNotAllowed(method);
    }
    if (parts.length === 3 && method === 'POST') {
      if (b === 'approve') return ok(store.approveRequest(a, body));
      if (b === 'inquire') return ok(store.inquireRequest(a, body));
      if (b === 'fail') return ok(store.failRequest(a, body));
      if (b === 'pend') return ok(await validators.pendRequest(a));
      if (b === 'validate') return ok(await validators.validateRequest(a));
      if (b === 'purchase') return ok(await validators.purchaseRequest(a));
    }
  }

  if (collection === 'assets' && method === 'GET') {
    if (a === undefined) return list(store.listAssets(), rawQuery);
    if (parts.length === 2) return ok(store.getAsset(a));
  }

  if (collection === 'tier' && a === 'config-requests') {
    if (b === undefined) {
      if (method === 'GET') return list(store.listTierConfigRequests(), rawQuery, TCR_ALIASES);
      if (method === 'POST') return ok(store.createTierConfigRequest(body), 201);
      throw methodNotAllowed(method);
    }
    if (parts.length === 3) {
      if (method === 'GET') return ok(store.getTierConfigRequest(b));
      if (method === 'PUT') return ok(store.updateTierConfigRequest(b, body));
      throw methodNotAllowed(method);
    }
    if (parts.length === 4 && method === 'POST') {
      if (c === 'approve') return ok(store.approveTierConfigRequest(b, body));
      if (c === 'inquire') return noContent(() => store.inquireTierConfigRequest(b));
      if (c === 'fail') return noContent(() => store.failTierConfigRequest(b, body));
      if (c === 'pend') {
        await validators.pendTierConfigRequest(b);
        return { status: 204 };
      }
      if (c === 'validate') return ok(await validators.validateTierConfigRequest(b));
      if (c === 'submit') return ok(await validators.submitTierConfigRequest(b));
    }
  }

  if (collection === 'conversations') {
    if (a === undefined && method === 'GET') return list(store.listConversations(), rawQuery);
    if (a !== undefined && parts.length === 2 && method === 'GET') return ok(store.getConversation(a));
    if (a !== undefined && b === 'messages' && parts.length === 3) {
      if (method === 'GET') return list(store.listMessages(a), rawQuery);
      if (method === 'POST') return ok(store.postMessage(a, body), 201);
      throw methodNotAllowed(method);
    }
  }

  if (collection === 'notifications' && a === 'webhooks') {
    if (b === undefined) {
      if (method === 'GET') return list(store.listWebhooks(), rawQuery, WEBHOOK_ALIASES);
      if (method === 'POST') return ok(store.createWebhook(body), 201);
      throw methodNotAllowed(method);
    }
    if (parts.length === 3) {
      if (method === 'GET') return ok(store.getWebhook(b));
      if (method === 'PUT') return ok(store.updateWebhook(b, body));
      if (method === 'DELETE') return noContent(() => store.deleteWebhook(b));
      throw methodNotAllowed(method);
    }
    if (parts.length === 4 && c === 'trigger' && method === 'POST') {
      const webhook = store.getWebhook(b);
      if (webhook.type !== 'event') {
        throw validationError(
          `Webhook ${b} is a ${webhook.type} webhook: only event webhooks can be triggered.`,
        );
      }
      webhooks.schedule(b);
      return ok(webhook);
    }
  }

  throw notFoundError(`No route for ${method} ${API_PREFIX}/${parts.join('/')}.`);
}

/** The `/__emulator/*` endpoints (never faulted, never recorded, not authenticated). */
function routeAdmin(deps: ServerDeps, method: string, path: string, body: unknown): Answer {
  const { store, faults, webhooks, validators } = deps;
  if (path === '/__emulator/reset' && method === 'POST') {
    store.reset();
    faults.reset();
    webhooks.reset();
    validators.reset();
    return { status: 204 };
  }
  if (path === '/__emulator/calls' && method === 'GET') return { status: 200, body: store.calls };
  if (path === '/__emulator/validations' && method === 'GET') return { status: 200, body: store.validations };
  if (path === '/__emulator/products' && method === 'GET') return { status: 200, body: store.listProducts() };
  const product = /^\/__emulator\/products\/([^/]+)$/.exec(path);
  if (product?.[1]) {
    const id = decodeLeniently(product[1]);
    if (method === 'PUT') return { status: 200, body: store.setProduct(id, body) };
    if (method === 'GET') return { status: 200, body: store.getProduct(id) };
    throw methodNotAllowed(method);
  }
  if (path === '/__emulator/faults') {
    if (method === 'PUT') faults.configure(parseBody(FaultConfigSchema, body));
    else if (method !== 'GET') throw methodNotAllowed(method);
    return { status: 200, body: { config: faults.config, injected: faults.injected } };
  }
  throw notFoundError(`No emulator endpoint ${method} ${path}.`);
}

export type EmulatorServer = {
  server: Server;
  /** Answers held open by injected timeouts; destroyed on stop. */
  held: Set<ServerResponse>;
};

export function createEmulatorServer(deps: ServerDeps): EmulatorServer {
  const held = new Set<ServerResponse>();

  const send = (res: ServerResponse, answer: Answer): void => {
    const headers: Record<string, string> = { 'Connect-Version': CONNECT_VERSION, ...answer.headers };
    if (answer.status === 204 || answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const text = JSON.stringify(answer.body);
    res
      .writeHead(answer.status, {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(text)),
      })
      .end(text);
  };

  const answerError = (error: unknown): Answer => {
    if (error instanceof EmulatorHttpError) return { status: error.status, body: error.toBody() };
    deps.log(`internal error: ${error instanceof Error ? error.name : 'unknown'}`);
    return { status: 500, body: { error_code: 'EMU_INTERNAL', errors: ['Internal emulator error.'] } };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const logLine = (status: number | string) =>
      deps.log(`${method} ${path} ${status} ${Math.round(performance.now() - started)}ms`);
    const text = await readBody(req);
    const parsed = parseJson(text);

    if (path.startsWith('/__emulator/')) {
      let answer: Answer;
      try {
        if (!parsed.ok) throw validationError('Body is not valid JSON.');
        answer = routeAdmin(deps, method, path, parsed.value);
      } catch (error) {
        answer = answerError(error);
      }
      send(res, answer);
      logLine(answer.status);
      return;
    }

    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) {
      send(res, answerError(notFoundError(`Nothing at ${path}; the Connect API is under ${API_PREFIX}.`)));
      logLine(404);
      return;
    }

    const call: CallRecord = deps.store.recordCall({
      method,
      path,
      query: decodeLeniently(rawQuery),
      body: parsed.ok ? (parsed.value ?? null) : text,
      status: 0,
    });
    const { latencyMs } = deps.faults.config;
    if (latencyMs > 0) await sleep(latencyMs);
    const fault = deps.faults.decide();
    if (fault.kind === 'timeout') {
      held.add(res);
      res.on('close', () => held.delete(res));
      logLine('timeout');
      return;
    }
    let answer: Answer;
    if (fault.kind === 'error') {
      answer = {
        status: fault.status,
        body: { error_code: 'EMU_FAULT', errors: [`Injected fault: HTTP ${fault.status}.`] },
      };
    } else if (fault.kind === 'rateLimit') {
      answer = {
        status: 429,
        body: { error_code: 'EMU_RATE_LIMIT', errors: ['Injected fault: too many requests.'] },
        headers: { 'Retry-After': '1' },
      };
    } else {
      try {
        if (!apiKeyMatches(req.headers.authorization, deps.apiKey)) throw unauthorizedError();
        if (!parsed.ok) throw validationError('Body is not valid JSON.');
        const parts = path.slice(API_PREFIX.length).split('/').filter(Boolean).map(decodeLeniently);
        answer = await routeApi(deps, { method, parts, rawQuery, body: parsed.value });
      } catch (error) {
        answer = answerError(error);
      }
    }
    call.status = answer.status;
    send(res, answer);
    logLine(answer.status);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, answerError(error));
    });
  });
  return { server, held };
}
