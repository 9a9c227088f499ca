/**
 * Verification of the JWT that Connect sends with every webhook call (API.md §11.5).
 *
 * - The token comes from `Authorization` or `Authentication` (Connect's own Mulesoft connector reads the
 *   latter); header names are matched case-insensitively because API Gateway lower-cases them.
 * - `Bearer` scheme required (case-insensitive).
 * - HS256 only: `none`, other HMAC sizes and asymmetric algorithms are refused before any key is tried.
 * - Each configured secret is tried in order, so a secret can be rotated without downtime.
 * - No claim is required (Connect documents none); `exp` and `nbf` are honoured with a clock tolerance.
 *
 * Failures throw a `WebhookAuthError` whose `reason` is a fixed code, safe to log: never the token or a secret.
 */
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import { EdgeError } from './errors';

export type WebhookAuthFailureReason =
  | 'missing_token'
  | 'invalid_scheme'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'invalid_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_claims';

/** 401 with a generic message: the reason is for the log only (it would help a prober). */
export class WebhookAuthError extends EdgeError {
  override readonly name = 'WebhookAuthError';
  readonly reason: WebhookAuthFailureReason;

  constructor(reason: WebhookAuthFailureReason, options?: { cause?: unknown }) {
    super(401, 'unauthorized', 'A valid Bearer token is required', {
      logged: { reason },
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.reason = reason;
  }
}

export type WebhookVerifierOptions = {
  /** Shared JWT secrets (the webhook's `jwt_secret`), tried in order. At least one. */
  secrets: readonly string[];
  /** Accepted clock skew for `exp` / `nbf`, in seconds. Default 60. */
  clockToleranceSec?: number;
  /** Injectable clock for tests. */
  now?: () => Date;
};

export type VerifiedWebhook = { ok: true; claims: JWTPayload };

export type WebhookVerifier = {
  verify(headers: Readonly<Record<string, string | undefined>>): Promise<VerifiedWebhook>;
};

const TOKEN_HEADERS = ['authorization', 'authentication'] as const;
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;
const ALGORITHM = 'HS256';

function findAuthHeader(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const byLowerName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value.trim() !== '') byLowerName.set(name.toLowerCase(), value);
  }
  for (const name of TOKEN_HEADERS) {
    const value = byLowerName.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function claimFailureReason(error: unknown): WebhookAuthFailureReason | undefined {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf' ? 'token_not_yet_valid' : 'invalid_claims';
  }
  if (error instanceof errors.JWTInvalid) return 'invalid_claims';
  return undefined;
}

export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  const secrets = options.secrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0) {
    throw new TypeError('createWebhookVerifier: at least one non-empty secret is required');
  }
  const clockTolerance = options.clockToleranceSec ?? 60;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('createWebhookVerifier: clockToleranceSec must be a non-negative number');
  }
  const encoder = new TextEncoder();
  const keys = secrets.map((secret) => encoder.encode(secret));
  const now = options.now;

  return {
    async verify(headers) {
      const header = findAuthHeader(headers);
      if (header === undefined) throw new WebhookAuthError('missing_token');
      const match = BEARER.exec(header.trim());
      const token = match?.[1];
      if (token === undefined) throw new WebhookAuthError('invalid_scheme');

      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch (error) {
        throw new WebhookAuthError('malformed_token', { cause: error });
      }
      if (alg !== ALGORITHM) throw new WebhookAuthError('algorithm_not_allowed');

      let lastError: unknown;
      for (const key of keys) {
        try {
          const { payload } = await jwtVerify(token, key, {
            algorithms: [ALGORITHM],
            clockTolerance,
            ...(now ? { currentDate: now() } : {}),
          });
          return { ok: true, claims: payload };
        } catch (error) {
          // The signature is checked before the claims: a claim failure means this secret matched.
          const claimReason = claimFailureReason(error);
          if (claimReason !== undefined) throw new WebhookAuthError(claimReason, { cause: error });
          if (error instanceof errors.JWSSignatureVerificationFailed) {
            lastError = error;
            continue;
          }
          if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
            throw new WebhookAuthError('algorithm_not_allowed', { cause: error });
          }
          throw new WebhookAuthError('malformed_token', { cause: error });
        }
      }
      throw new WebhookAuthError('invalid_signature', { cause: lastError });
    },
  };
}
