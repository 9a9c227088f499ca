/**
 * The function set's configuration, read once per cold start from the environment (serverless.yml sets it).
 * Errors name the variable and what is wrong with it, never its value: several variables are secrets.
 */
import * as z from 'zod';

/** The local Connect emulator, used when running under serverless-offline without an explicit URL. */
export const OFFLINE_CONNECT_API_URL = 'http://127.0.0.1:4010/public/v1';
/** Same default as lib/dispatch (kept local: config does not depend on dispatch). */
const DEFAULT_DISPATCH_CONCURRENCY = 8;
export const MAX_DISPATCH_CONCURRENCY = 100;
/** Per-attempt timeout of a Connect call (the client's own default). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly string[];

  // No `cause`: the zod error would be the only candidate and it describes the same issues.
  constructor(issues: readonly string[]) {
    super(`Invalid configuration: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

export type Config = {
  /** Connect API base URL including `/public/v1`, without a trailing slash. */
  connectApiUrl: string;
  /** `ApiKey SU-…:…` (the client adds the scheme when missing). */
  connectApiKey: string;
  /** Webhook JWT secrets, current first; more than one while rotating. Empty when not required. */
  webhookSecrets: string[];
  /** Products this deployment processes; empty means all. */
  products: string[];
  activationTemplateId: string | undefined;
  tierTemplateId: string | undefined;
  idempotencyTable: string | undefined;
  dispatchConcurrency: number;
  /** Per-attempt timeout of each Connect call, in ms (`CONNECT_TIMEOUT_MS`, default 15000). */
  connectTimeoutMs: number;
};

export type LoadConfigOptions = {
  /** The router verifies JWTs: it needs at least one secret. Default false. */
  requireWebhookSecrets?: boolean;
  /** The type functions lock requests in DynamoDB: they need the table name. Default false. */
  requireIdempotencyTable?: boolean;
};

const commaList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

const optionalText = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http to this machine only (the local emulator): the API key never travels in clear. */
function connectUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return url.protocol === 'http:'
    ? 'must use https (plain http only to localhost)'
    : 'must be an http(s) URL';
}

const concurrencySchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_DISPATCH_CONCURRENCY, { error: `must be at most ${MAX_DISPATCH_CONCURRENCY}` });

const timeoutSchema = z.coerce
  .number({ error: 'must be a whole number of milliseconds' })
  .int({ error: 'must be a whole number of milliseconds' })
  .min(1, { error: 'must be at least 1' });

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const issues: string[] = [];

  const rawUrl = optionalText(env.CONNECT_API_URL) ?? (env.IS_OFFLINE ? OFFLINE_CONNECT_API_URL : undefined);
  let connectApiUrl = '';
  if (rawUrl === undefined) issues.push('CONNECT_API_URL: is required');
  else {
    const problem = connectUrlProblem(rawUrl);
    if (problem) issues.push(`CONNECT_API_URL: ${problem}`);
    else connectApiUrl = rawUrl.replace(/\/+$/, '');
  }

  const connectApiKey = optionalText(env.CONNECT_API_KEY);
  if (connectApiKey === undefined) issues.push('CONNECT_API_KEY: is required');

  const webhookSecrets = commaList(env.CONNECT_WEBHOOK_SECRETS);
  if (options.requireWebhookSecrets && webhookSecrets.length === 0) {
    issues.push('CONNECT_WEBHOOK_SECRETS: needs at least one secret');
  }

  const idempotencyTable = optionalText(env.IDEMPOTENCY_TABLE);
  if (options.requireIdempotencyTable && idempotencyTable === undefined) {
    issues.push('IDEMPOTENCY_TABLE: is required');
  }

  let dispatchConcurrency = DEFAULT_DISPATCH_CONCURRENCY;
  const rawConcurrency = optionalText(env.DISPATCH_CONCURRENCY);
  if (rawConcurrency !== undefined) {
    const parsed = concurrencySchema.safeParse(rawConcurrency);
    if (parsed.success) dispatchConcurrency = parsed.data;
    else issues.push(`DISPATCH_CONCURRENCY: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }

  let connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  const rawTimeout = optionalText(env.CONNECT_TIMEOUT_MS);
  if (rawTimeout !== undefined) {
    const parsed = timeoutSchema.safeParse(rawTimeout);
    if (parsed.success) connectTimeoutMs = parsed.data;
    else issues.push(`CONNECT_TIMEOUT_MS: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    connectApiUrl,
    connectApiKey: connectApiKey ?? '',
    webhookSecrets,
    products: commaList(env.CONNECT_PRODUCTS),
    activationTemplateId: optionalText(env.CONNECT_ACTIVATION_TEMPLATE_ID),
    tierTemplateId: optionalText(env.CONNECT_TIER_TEMPLATE_ID),
    idempotencyTable,
    dispatchConcurrency,
    connectTimeoutMs,
  };
}

/** True when this deployment processes the product (an empty product list means all). */
export function acceptsProduct(config: { readonly products: readonly string[] }, productId: string): boolean {
  return config.products.length === 0 || config.products.includes(productId);
}
