/**
 * The other side of `verify-token.ts`: signs a webhook JWT the way Connect does (HS256 with the webhook's
 * `jwt_secret`, `iat` and `exp`). Used by the emulator when it delivers a webhook or calls a validator, and by
 * tests and benchmarks, so that no fixture ever stores a signature.
 */
import { SignJWT } from 'jose';

/** Connect's `processing_timeout` (API.md §11.3): the tokens it signs are valid this long. */
export const WEBHOOK_TOKEN_LIFETIME_S = 600;

export type SignWebhookTokenOptions = {
  /** The webhook's `jwt_secret`. */
  secret: string;
  /** Extra claims, e.g. `{ webhook_id: 'WH-…' }`. */
  claims?: Record<string, unknown>;
  /** `iat` in seconds since the epoch. Default now. */
  issuedAt?: number;
  /** `exp - iat` in seconds. Default {@link WEBHOOK_TOKEN_LIFETIME_S}. */
  lifetimeSeconds?: number;
  /** `nbf` in seconds since the epoch, when the token must not be valid before then. */
  notBefore?: number;
  /** The JWS algorithm. Default HS256 (the only one the verifier accepts; tests sign others to see them refused). */
  algorithm?: 'HS256' | 'HS384' | 'HS512';
};

export async function signWebhookToken(options: SignWebhookTokenOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const token = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.lifetimeSeconds ?? WEBHOOK_TOKEN_LIFETIME_S));
  if (options.notBefore !== undefined) token.setNotBefore(options.notBefore);
  return token.sign(new TextEncoder().encode(options.secret));
}
