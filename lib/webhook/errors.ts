/**
 * Errors of the HTTP edge (the webhook and validation routes), as middy intends them: each carries the HTTP
 * `statusCode`, a stable `code` for the body and logs, and `expose` (only a client error's message is shown to
 * the caller). `logged` holds what the log line may say beyond the message (never a token or a value).
 */
export class EdgeError extends Error {
  override name = 'EdgeError';
  readonly statusCode: number;
  readonly code: string;
  readonly expose: boolean;
  /** Shown to the caller with the message (e.g. the envelope's issues). */
  readonly details: Readonly<Record<string, unknown>>;
  /** For the log line only (e.g. the authentication failure's reason). */
  readonly logged: Readonly<Record<string, unknown>>;
  /**
   * A server error's own fixed body (e.g. the validation route's closed policy), answered with its status
   * instead of the edge's 503; never the message. Ignored on a client error.
   */
  readonly fixedBody: Readonly<Record<string, unknown>> | undefined;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: {
      details?: Record<string, unknown>;
      logged?: Record<string, unknown>;
      fixedBody?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.expose = statusCode < 500;
    this.details = options.details ?? {};
    this.logged = options.logged ?? {};
    this.fixedBody = this.expose ? undefined : options.fixedBody;
  }
}

/** 400: what the caller sent cannot be what it claims to be. */
export const badRequest = (code: string, message: string, details?: Record<string, unknown>): EdgeError =>
  new EdgeError(400, code, message, details === undefined ? {} : { details });
