import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createWebhookVerifier, WebhookAuthError, type WebhookAuthFailureReason } from '../../../lib/webhook';

const SECRET = 'test-webhook-secret';
const OLD_SECRET = 'previous-webhook-secret';
const NOW = new Date('2024-06-01T12:00:00Z');
const nowSec = Math.floor(NOW.getTime() / 1000);
const now = () => NOW;

async function sign(
  secret = SECRET,
  claims: Record<string, unknown> = { webhook_id: 'WH-000-000-000' },
  alg = 'HS256',
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

async function expectReason(promise: Promise<unknown>, reason: WebhookAuthFailureReason): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WebhookAuthError);
  expect((error as WebhookAuthError).reason).toBe(reason);
}

describe('createWebhookVerifier', () => {
  const verifier = createWebhookVerifier({ secrets: [SECRET], now });

  it('accepts an HS256 token in the Authorization header and returns its claims', async () => {
    // Prepare
    const token = await sign();

    // Act
    const result = await verifier.verify({ authorization: `Bearer ${token}` });

    // Assess
    expect(result).toEqual({ ok: true, claims: { webhook_id: 'WH-000-000-000' } });
  });

  it('accepts the token in the Authentication header (Connect Mulesoft style)', async () => {
    const token = await sign();

    const result = await verifier.verify({ authentication: `Bearer ${token}` });

    expect(result.ok).toBe(true);
  });

  it.each([
    ['Authorization', 'Bearer'],
    ['AUTHORIZATION', 'BEARER'],
    ['Authentication', 'bearer'],
  ])('matches header %s and scheme %s case-insensitively', async (header, scheme) => {
    const token = await sign();

    const result = await verifier.verify({ [header]: `${scheme} ${token}` });

    expect(result.ok).toBe(true);
  });

  it('rejects a request without a token', async () => {
    await expectReason(verifier.verify({ 'content-type': 'application/json' }), 'missing_token');
  });

  it('rejects an empty Authorization header as missing', async () => {
    await expectReason(verifier.verify({ authorization: '  ' }), 'missing_token');
  });

  it('rejects a token without the Bearer scheme', async () => {
    const token = await sign();

    await expectReason(verifier.verify({ authorization: token }), 'invalid_scheme');
    await expectReason(verifier.verify({ authorization: `Basic ${token}` }), 'invalid_scheme');
  });

  it('rejects a malformed token', async () => {
    await expectReason(verifier.verify({ authorization: 'Bearer not-a-jwt' }), 'malformed_token');
    await expectReason(verifier.verify({ authorization: 'Bearer a.b.c' }), 'malformed_token');
  });

  it('rejects alg none', async () => {
    await expectReason(
      verifier.verify({ authorization: `Bearer ${unsignedToken({ webhook_id: 'WH-1' })}` }),
      'algorithm_not_allowed',
    );
  });

  it('rejects HS512 even when signed with the right secret', async () => {
    const token = await sign(SECRET, {}, 'HS512');

    await expectReason(verifier.verify({ authorization: `Bearer ${token}` }), 'algorithm_not_allowed');
  });

  it('rejects RS256', async () => {
    // Prepare
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);

    // Act / Assess
    await expectReason(verifier.verify({ authorization: `Bearer ${token}` }), 'algorithm_not_allowed');
  });

  it('rejects a token signed with another secret', async () => {
    const token = await sign('some-other-secret');

    await expectReason(verifier.verify({ authorization: `Bearer ${token}` }), 'invalid_signature');
  });

  it('accepts a token signed with the second (rotated) secret', async () => {
    const rotating = createWebhookVerifier({ secrets: [SECRET, OLD_SECRET], now });
    const token = await sign(OLD_SECRET);

    const result = await rotating.verify({ authorization: `Bearer ${token}` });

    expect(result.ok).toBe(true);
  });

  it('rejects a token expired beyond the 60 s tolerance', async () => {
    const token = await sign(SECRET, { exp: nowSec - 61 });

    await expectReason(verifier.verify({ authorization: `Bearer ${token}` }), 'token_expired');
  });

  it('accepts a token expired within the tolerance', async () => {
    const token = await sign(SECRET, { exp: nowSec - 30 });

    const result = await verifier.verify({ authorization: `Bearer ${token}` });

    expect(result.claims.exp).toBe(nowSec - 30);
  });

  it('rejects a token whose nbf is beyond the tolerance in the future', async () => {
    const token = await sign(SECRET, { nbf: nowSec + 120 });

    await expectReason(verifier.verify({ authorization: `Bearer ${token}` }), 'token_not_yet_valid');
  });

  it('accepts a token without exp', async () => {
    const token = await sign(SECRET, {});

    const result = await verifier.verify({ Authorization: `Bearer ${token}` });

    expect(result).toEqual({ ok: true, claims: {} });
  });

  it('never puts the token or the secret in the error message', async () => {
    const token = await sign('wrong-secret');

    const error = await verifier
      .verify({ authorization: `Bearer ${token}` })
      .catch((caught: unknown) => caught);

    expect(String((error as Error).message)).not.toContain(token);
    expect(String((error as Error).message)).not.toContain(SECRET);
    expect((error as Error).name).toBe('WebhookAuthError');
  });

  it('refuses to be built without a secret', () => {
    expect(() => createWebhookVerifier({ secrets: ['', ''] })).toThrow(/at least one/);
  });
});
