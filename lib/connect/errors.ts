/**
 * Typed errors of the Connect client, one class per category, built by {@link createConnectError}.
 * Callers branch with `instanceof`. Messages carry method, path, status, `error_code` and `errors`;
 * never the API key or any header.
 */

export type ConnectErrorOptions = {
  method: string;
  path: string;
  status?: number;
  errorCode?: string;
  errors?: readonly string[];
  /** Overrides the message built from the other fields. */
  message?: string;
  cause?: unknown;
};

function buildMessage(options: ConnectErrorOptions): string {
  const status = options.status === undefined ? 'failed' : `failed with ${options.status}`;
  const code = options.errorCode ? ` ${options.errorCode}` : '';
  const details = options.errors && options.errors.length > 0 ? `: ${options.errors.join('; ')}` : '';
  return `Connect ${options.method} ${options.path} ${status}${code}${details}`;
}

export class ConnectError extends Error {
  override name = 'ConnectError';
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** Connect's `error_code`, e.g. `AUTH_001`, when the body had one. */
  readonly errorCode: string | undefined;
  /** Connect's `errors[]`, or a short snippet of a non-JSON body. */
  readonly errors: readonly string[];
  readonly method: string;
  /** The API path, without the query string. */
  readonly path: string;

  constructor(options: ConnectErrorOptions) {
    super(options.message ?? buildMessage(options), { cause: options.cause });
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.errors = options.errors ?? [];
    this.method = options.method;
    this.path = options.path;
  }
}

/** 400, 422 and any other 4xx without a class of its own. */
export class ConnectValidationError extends ConnectError {
  override name = 'ConnectValidationError';
}

/** 401 or 403: bad, missing or insufficient API key. */
export class ConnectAuthError extends ConnectError {
  override name = 'ConnectAuthError';
}

export class ConnectNotFoundError extends ConnectError {
  override name = 'ConnectNotFoundError';
}

export class ConnectRateLimitError extends ConnectError {
  override name = 'ConnectRateLimitError';
  /** Delay asked by `Retry-After`, in ms, when the header was present and valid. */
  readonly retryAfterMs: number | undefined;

  constructor(options: ConnectErrorOptions & { retryAfterMs?: number }) {
    super(options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Any 5xx. */
export class ConnectServerError extends ConnectError {
  override name = 'ConnectServerError';
}

/** The per-attempt timeout elapsed before the answer was read. */
export class ConnectTimeoutError extends ConnectError {
  override name = 'ConnectTimeoutError';
}

/** fetch itself failed (DNS, connection refused or reset, TLS…). */
export class ConnectNetworkError extends ConnectError {
  override name = 'ConnectNetworkError';
}

/** A 2xx answer that is not the JSON or the shape expected. */
export class ConnectResponseError extends ConnectError {
  override name = 'ConnectResponseError';
}

/** A failed call's category, as the metrics name it (`ConnectErrors`, dimension `category`). */
export type ConnectErrorCategory =
  | 'validation'
  | 'auth'
  | 'not_found'
  | 'rate_limit'
  | 'server'
  | 'timeout'
  | 'network'
  | 'response';

export function errorCategory(error: ConnectError): ConnectErrorCategory {
  if (error instanceof ConnectAuthError) return 'auth';
  if (error instanceof ConnectNotFoundError) return 'not_found';
  if (error instanceof ConnectRateLimitError) return 'rate_limit';
  if (error instanceof ConnectServerError) return 'server';
  if (error instanceof ConnectTimeoutError) return 'timeout';
  if (error instanceof ConnectNetworkError) return 'network';
  if (error instanceof ConnectResponseError) return 'response';
  return 'validation';
}

const SNIPPET_LENGTH = 200;

/** Replaces every occurrence of each secret by `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[REDACTED]');
  }
  return result;
}

function snippet(bodyText: string): string {
  const text = bodyText
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toErrorList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry)));
}

/** Reads `{error_code, errors}` from a body, or keeps a short text snippet of a non-JSON body. */
export function parseErrorBody(bodyText: string): { errorCode?: string; errors: string[] } {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isRecord(parsed) && ('error_code' in parsed || 'errors' in parsed)) {
      const code = parsed.error_code;
      return {
        ...(typeof code === 'string' && code !== '' ? { errorCode: code } : {}),
        errors: toErrorList(parsed.errors),
      };
    }
  } catch {
    // not JSON: fall through to the snippet
  }
  const text = snippet(bodyText);
  return { errors: text === '' ? [] : [text] };
}

export type ErrorResponse = {
  method: string;
  path: string;
  status: number;
  bodyText: string;
  retryAfterMs?: number;
  /** Strings that must never appear in the error (the API key and its parts). */
  secrets?: readonly string[];
};

/** The one factory: the right {@link ConnectError} subclass for an HTTP status and body. */
export function createConnectError(response: ErrorResponse): ConnectError {
  const secrets = response.secrets ?? [];
  const body = parseErrorBody(response.bodyText);
  const options: ConnectErrorOptions = {
    method: response.method,
    path: response.path,
    status: response.status,
    errors: body.errors.map((entry) => redact(entry, secrets)),
    ...(body.errorCode === undefined ? {} : { errorCode: redact(body.errorCode, secrets) }),
  };
  const { status } = response;
  if (status === 401 || status === 403) return new ConnectAuthError(options);
  if (status === 404) return new ConnectNotFoundError(options);
  if (status === 429) {
    return new ConnectRateLimitError({
      ...options,
      ...(response.retryAfterMs === undefined ? {} : { retryAfterMs: response.retryAfterMs }),
    });
  }
  if (status >= 500) return new ConnectServerError(options);
  return new ConnectValidationError(options);
}
