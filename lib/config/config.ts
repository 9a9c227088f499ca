/**
 * The function set's configuration: the one place that reads the environment (serverless.yml sets it), once per
 * cold start, into typed sections. Every default is written here and only here. Errors name the variable and
 * what is wrong with it, never its value: several variables are secrets.
 */
import stack from '../../config/stack.json';
import * as z from '../zod';

/** The local Connect emulator, used when running under serverless-offline without an explicit URL. */
export const OFFLINE_CONNECT_API_URL = stack.local.connectApiUrl;
/** serverless-offline's Lambda Invoke API port (`custom.serverless-offline.lambdaPort`). */
export const DEFAULT_OFFLINE_LAMBDA_PORT = stack.local.ports.lambda;
export const DEFAULT_DISPATCH_CONCURRENCY = 8;
export const MAX_DISPATCH_CONCURRENCY = 100;
/** Per-attempt timeout of a Connect call. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_REGION = 'us-east-1';
/**
 * Time budget of each Connect call (its retries included) for the router and the sweep: the router runs behind
 * API Gateway (30 s, Lambda timeout 29 s), so that a Connect outage ends in the router's own 503 and log line.
 */
export const DEFAULT_LISTING_BUDGET_MS = 20_000;
export const DEFAULT_DISPATCHER_FUNCTION = 'dispatch';
/** The validator's deadline: a person is waiting, and API Gateway gives up at 30 s. */
export const DEFAULT_VALIDATION_DEADLINE_MS = 5_000;
export const MAX_VALIDATION_DEADLINE_MS = 25_000;

/** Every product: a stage must say so explicitly (`CONNECT_PRODUCTS=*`); an empty list is an error. */
export const ALL_PRODUCTS = '*';

/** The shortest `TASK_LEASE_SECONDS`: longer than a type function's timeout (120 s). */
export const MIN_TASK_LEASE_SECONDS = 180;

/** The task record's defaults (lib/tasks), each overridable by its variable. */
export const TASK_DEFAULTS = {
  /**
   * `TASK_LEASE_SECONDS`: how long a dispatched request is not dispatched again (a normal run takes seconds;
   * Lambda's own retries of a crashed run come within about 9 minutes); after it, a dead run is dispatched again.
   */
  leaseSeconds: 900,
  /** `SKIP_RETRY_SECONDS`: a skipped request is dispatched again no earlier than this. */
  skipRetrySeconds: 120,
  /** `MAX_HANDLER_FAILURES`: a handler error repeated this many times for one version parks the request. */
  maxFailures: 5,
  /** `FAILURE_RETRY_SECONDS`: the first retry of a handler error; each next one waits twice as long. */
  failureRetrySeconds: 30,
  /**
   * `OUTAGE_RETRY_SECONDS`: the first retry after Connect or AWS failed (past the client's own retries); each
   * next one waits twice as long, up to 15 minutes. Never counted against the request.
   */
  outageRetrySeconds: 60,
  /** `MAX_RESCHEDULES` and `MAX_RESCHEDULE_DAYS`: past either, a rescheduled request is parked. */
  maxReschedules: 1_000,
  maxRescheduleDays: 30,
  /** `TASK_RETENTION_DAYS`: a decided record is kept this long (DynamoDB TTL); a parked one until released. */
  retentionDays: 30,
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly string[];

  // No `cause`: the zod error would be the only candidate and it describes the same issues.
  constructor(issues: readonly string[]) {
    super(`Invalid configuration: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/**
 * `CONNECT_ACTIVATION_TEMPLATE_ID`: one template for every product (`TL-…`), or one per product
 * (`PRD-…:TL-…,PRD-…:TL-…`, with an optional `*:TL-…` for the others). Unset or empty: no template, the
 * purchase approves with the welcome tile.
 */
export type ActivationTemplates = (productId: string) => string | undefined;

export type Config = {
  connect: {
    /** Connect API base URL including `/public/v1`, without a trailing slash. */
    apiUrl: string;
    /** `ApiKey SU-…:…` (the client adds the scheme when missing). */
    apiKey: string;
    /** Per-attempt timeout of each Connect call, in ms (`CONNECT_TIMEOUT_MS`). */
    timeoutMs: number;
  };
  /** Webhook JWT secrets, current first; more than one while rotating. Empty when not required. */
  webhookSecrets: string[];
  /** Products this deployment processes (`CONNECT_PRODUCTS`); `['*']` means every product. */
  products: string[];
  /** The templates the shipped business logic approves with. */
  templates: { activation: ActivationTemplates; tier: string | undefined };
  dispatch: {
    /** Invocations in flight at once (`DISPATCH_CONCURRENCY`). */
    concurrency: number;
    /** `<service>-<stage>`: deployed Lambda names are `<prefix>-<function>`. */
    functionPrefix: string | undefined;
    /** Budget of each listing call, retries included. */
    listingBudgetMs: number;
    /** `DISPATCH_FUNCTION`: the short name of the Lambda that lists and dispatches a product's queue. */
    dispatcherFunction: string;
  };
  /** The task record (lib/tasks): `TASKS_TABLE`, and how long leases, retries and reschedules go on. */
  tasks: {
    table: string | undefined;
    leaseSeconds: number;
    skipRetrySeconds: number;
    maxFailures: number;
    failureRetrySeconds: number;
    outageRetrySeconds: number;
    maxReschedules: number;
    maxRescheduleDays: number;
    retentionDays: number;
  };
  /** Where a rescheduled request's trigger is created (EventBridge Scheduler; a local adapter offline). */
  scheduler: {
    /** `SCHEDULE_GROUP`: the stage's schedule group. */
    group: string | undefined;
    /** `SCHEDULER_ROLE_ARN`: the role EventBridge Scheduler invokes the type functions with. */
    roleArn: string | undefined;
    /** `SCHEDULER_DLQ_ARN`: where a trigger that could not be delivered goes. */
    deadLetterArn: string | undefined;
    /** `SCHEDULER_ENDPOINT`: the local stack's adapter. */
    endpoint: string | undefined;
  };
  validation: {
    /**
     * What the validation route answers when a validator throws or misses its deadline
     * (`VALIDATION_ON_ERROR`): `open` (default), the object unchanged, so the order can go on and the
     * fulfillment-time logic still decides; `closed`, a fixed error.
     */
    onError: 'open' | 'closed';
    /** `VALIDATION_DEADLINE_MS`. */
    deadlineMs: number;
  };
  aws: {
    region: string;
    /** Under serverless-offline: the local Lambda Invoke API. */
    lambdaEndpoint: string | undefined;
    /** A local DynamoDB (dynalite) for the local stack. */
    dynamoEndpoint: string | undefined;
  };
};

export type LoadConfigOptions = {
  /** The router verifies JWTs: it needs at least one secret. Default false. */
  requireWebhookSecrets?: boolean;
  /** The validation route makes no Connect call: it runs without the API key (false). Default true. */
  requireApiKey?: boolean;
  /** The type functions, the dispatcher and the sweep keep task records: they need the table. Default false. */
  requireTasksTable?: boolean;
  /** The router, the dispatcher and the sweep act per product: they need the product list. Default false. */
  requireProducts?: boolean;
  /** The router and the sweep invoke the type functions by name: they need `SERVICE` and `STAGE`. Default false. */
  requireFunctionPrefix?: boolean;
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

const wholeNumber = (min: number, max: number, unit = '') =>
  z.coerce
    .number({ error: `must be a whole number${unit}` })
    .check(
      z.int({ error: `must be a whole number${unit}` }),
      z.gte(min, { error: `must be at least ${min}` }),
      z.lte(max, { error: `must be at most ${max}` }),
    );

/** Parses the activation templates; `undefined` (and an issue) when a value is not a template id. */
export function parseActivationTemplates(value: string | undefined): ActivationTemplates {
  const byProduct = new Map<string, string>();
  for (const entry of commaList(value)) {
    const separator = entry.lastIndexOf(':');
    const [product, template] =
      separator < 0 ? ['*', entry] : [entry.slice(0, separator).trim(), entry.slice(separator + 1).trim()];
    if (!/^TL-[\w-]+$/.test(template)) {
      throw new ConfigError([
        `CONNECT_ACTIVATION_TEMPLATE_ID: "${entry}" is not a template id (TL-…) or PRD-…:TL-…`,
      ]);
    }
    byProduct.set(product, template);
  }
  return (productId) => byProduct.get(productId) ?? byProduct.get('*');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const issues: string[] = [];
  const offline = Boolean(env.IS_OFFLINE);

  const rawUrl = optionalText(env.CONNECT_API_URL) ?? (offline ? OFFLINE_CONNECT_API_URL : undefined);
  let apiUrl = '';
  if (rawUrl === undefined) issues.push('CONNECT_API_URL: is required');
  else {
    const problem = connectUrlProblem(rawUrl);
    if (problem) issues.push(`CONNECT_API_URL: ${problem}`);
    else apiUrl = rawUrl.replace(/\/+$/, '');
  }

  const apiKey = optionalText(env.CONNECT_API_KEY);
  if (apiKey === undefined && options.requireApiKey !== false) issues.push('CONNECT_API_KEY: is required');

  const webhookSecrets = commaList(env.CONNECT_WEBHOOK_SECRETS);
  if (options.requireWebhookSecrets && webhookSecrets.length === 0) {
    issues.push('CONNECT_WEBHOOK_SECRETS: needs at least one secret');
  }

  const table = optionalText(env.TASKS_TABLE);
  if (options.requireTasksTable && table === undefined) issues.push('TASKS_TABLE: is required');

  const products = commaList(env.CONNECT_PRODUCTS);
  if (options.requireProducts && products.length === 0) {
    // Fail closed: a missing or empty list must never mean "every product of the vendor account".
    issues.push('CONNECT_PRODUCTS: names no product; list the products (comma list), or * for every product');
  }

  const functionPrefix = functionPrefixOf(env);
  if (options.requireFunctionPrefix && functionPrefix === undefined) {
    issues.push('SERVICE and STAGE: are required to name the Lambda functions');
  }

  const number = (name: string, schema: z.ZodMiniType<number>, fallback: number): number => {
    const raw = optionalText(env[name]);
    if (raw === undefined) return fallback;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    issues.push(`${name}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    return fallback;
  };
  const concurrency = number(
    'DISPATCH_CONCURRENCY',
    wholeNumber(1, MAX_DISPATCH_CONCURRENCY),
    DEFAULT_DISPATCH_CONCURRENCY,
  );
  const timeoutMs = number(
    'CONNECT_TIMEOUT_MS',
    wholeNumber(1, Number.MAX_SAFE_INTEGER, ' of milliseconds'),
    DEFAULT_CONNECT_TIMEOUT_MS,
  );
  const lambdaPort = number('LAMBDA_INVOKE_PORT', wholeNumber(1, 65_535), DEFAULT_OFFLINE_LAMBDA_PORT);
  const deadlineMs = number(
    'VALIDATION_DEADLINE_MS',
    wholeNumber(1, MAX_VALIDATION_DEADLINE_MS, ' of milliseconds'),
    DEFAULT_VALIDATION_DEADLINE_MS,
  );
  const positive = (name: string, fallback: number, max = 1_000_000_000, min = 1) =>
    number(name, wholeNumber(min, max), fallback);
  const tasks = {
    table,
    // A claim must outlast a run: the type functions time out at 120 s, and a run that cannot end within its
    // claim is not started.
    leaseSeconds: positive('TASK_LEASE_SECONDS', TASK_DEFAULTS.leaseSeconds, 86_400, MIN_TASK_LEASE_SECONDS),
    skipRetrySeconds: positive('SKIP_RETRY_SECONDS', TASK_DEFAULTS.skipRetrySeconds, 86_400),
    maxFailures: positive('MAX_HANDLER_FAILURES', TASK_DEFAULTS.maxFailures, 1_000),
    failureRetrySeconds: positive('FAILURE_RETRY_SECONDS', TASK_DEFAULTS.failureRetrySeconds, 3_600),
    outageRetrySeconds: positive('OUTAGE_RETRY_SECONDS', TASK_DEFAULTS.outageRetrySeconds, 900),
    maxReschedules: positive('MAX_RESCHEDULES', TASK_DEFAULTS.maxReschedules),
    maxRescheduleDays: positive('MAX_RESCHEDULE_DAYS', TASK_DEFAULTS.maxRescheduleDays, 365),
    retentionDays: positive('TASK_RETENTION_DAYS', TASK_DEFAULTS.retentionDays, 3_650),
  };
  const rawOnError = optionalText(env.VALIDATION_ON_ERROR)?.toLowerCase() ?? 'open';
  if (rawOnError !== 'open' && rawOnError !== 'closed')
    issues.push('VALIDATION_ON_ERROR: must be open or closed');
  const onError = rawOnError === 'closed' ? 'closed' : 'open';

  let activation: ActivationTemplates = () => undefined;
  try {
    activation = parseActivationTemplates(env.CONNECT_ACTIVATION_TEMPLATE_ID);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    connect: { apiUrl, apiKey: apiKey ?? '', timeoutMs },
    webhookSecrets,
    products,
    templates: { activation, tier: optionalText(env.CONNECT_TIER_TEMPLATE_ID) },
    dispatch: {
      concurrency,
      functionPrefix,
      listingBudgetMs: DEFAULT_LISTING_BUDGET_MS,
      dispatcherFunction: optionalText(env.DISPATCH_FUNCTION) ?? DEFAULT_DISPATCHER_FUNCTION,
    },
    tasks,
    scheduler: {
      group: optionalText(env.SCHEDULE_GROUP),
      roleArn: optionalText(env.SCHEDULER_ROLE_ARN),
      deadLetterArn: optionalText(env.SCHEDULER_DLQ_ARN),
      endpoint: optionalText(env.SCHEDULER_ENDPOINT),
    },
    validation: { onError, deadlineMs },
    aws: {
      region: optionalText(env.AWS_REGION) ?? DEFAULT_REGION,
      lambdaEndpoint: offline ? `http://127.0.0.1:${lambdaPort}` : undefined,
      dynamoEndpoint: optionalText(env.DYNAMODB_ENDPOINT),
    },
  };
}

/** True when this deployment processes the product (`*` in the list: every product). */
export function acceptsProduct(config: { readonly products: readonly string[] }, productId: string): boolean {
  return config.products.includes(ALL_PRODUCTS) || config.products.includes(productId);
}

/**
 * The metrics' settings (read at import time by lib/observability): `POWERTOOLS_METRICS_DISABLED` (`true`
 * or `1`), Powertools' own switch, turns the EMF lines off (benchmarks, a stage that wants no metrics).
 */
export function metricsConfig(env: NodeJS.ProcessEnv = process.env): { disabled: boolean } {
  return { disabled: /^(true|1)$/i.test(env.POWERTOOLS_METRICS_DISABLED?.trim() ?? '') };
}

/** `<SERVICE>-<STAGE>`, what serverless.yml puts before every function's name; `undefined` without both. */
export function functionPrefixOf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const service = optionalText(env.SERVICE);
  const stage = optionalText(env.STAGE);
  return service && stage ? `${service}-${stage}` : undefined;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_SERVICE_NAME = stack.service;

export type LoggingConfig = { logLevel: LogLevel | undefined; serviceName: string };

/** The logger's settings (read at import time by lib/observability). An unknown level is ignored: INFO. */
export function loggingConfig(env: NodeJS.ProcessEnv = process.env): LoggingConfig {
  const upper = env.POWERTOOLS_LOG_LEVEL?.trim().toUpperCase();
  return {
    logLevel: LOG_LEVELS.find((level) => level === upper),
    serviceName: optionalText(env.POWERTOOLS_SERVICE_NAME) ?? DEFAULT_SERVICE_NAME,
  };
}
