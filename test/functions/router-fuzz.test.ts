/**
 * Property-based fuzzing of the webhook edge: the real route (core, edge error mapping, logger context) with
 * the real HS256 verifier and a recording dispatcher. Over 10,000 generated requests (headers, bodies, base64 flag, tokens: random strings,
 * JWT-shaped junk, JWTs with random algorithms, claims and secrets) the router never answers 5xx, never
 * dispatches and never throws.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createWebhookRoute } from '../../functions/router/handler';
import type { RouterDeps, WebhookCall } from '../../functions/router/router';
import { createLogger } from '../../lib/observability';
import { createWebhookVerifier, type EdgeResult, signWebhookToken } from '../../lib/webhook';
import { fakeLambdaContext } from '../support/lambda-context';

const SECRETS = ['fuzz-current-secret', 'fuzz-previous-secret'];
const HANDLED_PRODUCT = 'PRD-000-000-001';
const CLIENT_ERRORS = [400, 401, 413, 415];

type Route = (call: WebhookCall) => Promise<EdgeResult>;

function setup(): { route: Route; dispatched: unknown[] } {
  const dispatched: unknown[] = [];
  const deps: RouterDeps = {
    verifier: createWebhookVerifier({ secrets: SECRETS }),
    products: [HANDLED_PRODUCT],
    maxBodyBytes: 4 * 1024,
    requester: {
      request: async (order) => {
        dispatched.push(order);
      },
    },
  };
  const handler = createWebhookRoute({
    deps: async () => deps,
    logger: createLogger({ logLevel: 'SILENT' }),
    newCorrelationId: () => 'fuzz-correlation',
  });
  const context = fakeLambdaContext({ functionName: 'connect-fulfillment-dev-router' });
  return { route: (call) => handler(call, context), dispatched };
}

const encoder = new TextEncoder();
const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** A token: random text, JWT-shaped junk, or a real JWT with a random algorithm / claims / secret. */
const secretArb = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(...SECRETS));
const claimsArb = fc.record(
  {
    iat: fc.integer({ min: -1e10, max: 1e10 }),
    exp: fc.oneof(fc.integer({ min: -1e10, max: 1e10 }), fc.string()),
    nbf: fc.oneof(fc.integer({ min: -1e10, max: 1e10 }), fc.constant(null)),
    webhook_id: fc.string(),
  },
  { requiredKeys: [] },
);
type TokenSpec =
  | { kind: 'text'; value: string }
  | { kind: 'junk'; header: string; payload: string; signature: string }
  | { kind: 'jwt'; alg: 'HS256' | 'HS384' | 'HS512'; secret: string; claims: Record<string, unknown> }
  | { kind: 'unsigned'; alg: string; claims: Record<string, unknown> };
const tokenArb: fc.Arbitrary<TokenSpec> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), value: fc.string({ maxLength: 200 }) }),
  fc.record({
    kind: fc.constant('junk' as const),
    header: fc.oneof(fc.json(), fc.string()),
    payload: fc.oneof(fc.json(), fc.string()),
    signature: fc.string(),
  }),
  fc.record({
    kind: fc.constant('jwt' as const),
    alg: fc.constantFrom('HS256' as const, 'HS384' as const, 'HS512' as const),
    secret: secretArb,
    claims: claimsArb,
  }),
  fc.record({
    kind: fc.constant('unsigned' as const),
    alg: fc.constantFrom('none', 'None', 'RS256', 'ES256', 'PS256', 'EdDSA', 'HS256', ''),
    claims: claimsArb,
  }),
);

async function renderToken(spec: TokenSpec): Promise<string> {
  switch (spec.kind) {
    case 'text':
      return spec.value;
    case 'junk':
      return `${base64url(spec.header)}.${base64url(spec.payload)}.${base64url(spec.signature)}`;
    case 'jwt': {
      // A token we could sign with a configured secret must not be valid too: expire it.
      const claims = SECRETS.includes(spec.secret)
        ? { ...spec.claims, exp: Math.floor(Date.now() / 1000) - 3_600 }
        : spec.claims;
      // Adversarial claims (any type, any value): signed as they are, not by the well-formed signer.
      return new SignJWT(claims).setProtectedHeader({ alg: spec.alg }).sign(encoder.encode(spec.secret));
    }
    case 'unsigned':
      return `${base64url(JSON.stringify({ alg: spec.alg, typ: 'JWT' }))}.${base64url(JSON.stringify(spec.claims))}.`;
  }
}

const headerNameArb = fc.oneof(
  fc.constantFrom(
    'authorization',
    'Authorization',
    'AUTHENTICATION',
    'authentication',
    'content-type',
    'x-other',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const schemeArb = fc.constantFrom(
  'Bearer ',
  'bearer ',
  'Bearer  ',
  'Basic ',
  'ApiKey ',
  '',
  'Bearer\t',
  'Token ',
);

/** A body that the router must refuse or ignore: random text, random JSON, or an envelope for other products. */
const envelopeLikeArb = fc.record(
  {
    webhook_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    object_class: fc.oneof(
      fc.constantFrom('fulfillment_request', 'tier_config_request', 'tier_account_update_request', ''),
      fc.string(),
    ),
    product_id: fc.oneof(
      fc.string().filter((value) => value.trim() !== HANDLED_PRODUCT),
      fc.integer(),
    ),
    api_url: fc.oneof(fc.webUrl(), fc.string()),
    processing_timeout: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
    data: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const bodyTextArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  envelopeLikeArb.map((value) => JSON.stringify(value)),
  fc.string({ minLength: 4_000, maxLength: 6_000 }),
);

async function check(
  event: { body: string | undefined; isBase64Encoded: boolean; headers: Record<string, string> },
  route: Route,
  dispatched: unknown[],
  seen: Set<number>,
): Promise<void> {
  const before = dispatched.length;
  // An exception inside the route would be answered 503 and fail the property: the router answers every input.
  const result = await route(event);
  seen.add(result.statusCode);
  expect(result.statusCode).toBeLessThan(500);
  expect([...CLIENT_ERRORS, 202]).toContain(result.statusCode);
  expect(() => JSON.parse(result.body)).not.toThrow();
  expect(dispatched.length).toBe(before);
}

describe('routeWebhook under generated input', () => {
  it('never answers 5xx, never dispatches, never throws: arbitrary headers, bodies and tokens', async () => {
    const { route, dispatched } = setup();
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerNameArb, fc.string({ maxLength: 100 }), { maxKeys: 4 }),
        fc.option(fc.tuple(headerNameArb, schemeArb, tokenArb), { nil: undefined }),
        fc.option(bodyTextArb, { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        async (headers, auth, body, base64, encodeBody) => {
          const allHeaders: Record<string, string> = { ...headers };
          if (auth) allHeaders[auth[0]] = `${auth[1]}${await renderToken(auth[2])}`;
          const raw =
            body === undefined ? undefined : encodeBody ? Buffer.from(body).toString('base64') : body;
          await check({ body: raw, isBase64Encoded: base64, headers: allHeaders }, route, dispatched, seen);
        },
      ),
      { numRuns: 6_000 },
    );
    expect(dispatched).toEqual([]);
    // The generators reach every refusal: bad encoding or size, then authentication.
    expect([...seen].sort()).toEqual(expect.arrayContaining([400, 401, 413]));
  }, 120_000);

  it('never answers 5xx, never dispatches, never throws: a valid token over bodies that are not for us', async () => {
    const { route, dispatched } = setup();
    const seen = new Set<number>();
    const tokens = await Promise.all(
      SECRETS.map((secret) =>
        signWebhookToken({ secret, claims: { webhook_id: 'WH-1' }, lifetimeSeconds: 3_600 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...tokens),
        fc.constantFrom('authorization', 'Authorization', 'authentication', 'Authentication'),
        bodyTextArb,
        fc.boolean(),
        fc.constantFrom(true, false, undefined),
        async (token, headerName, body, encodeBody, flag) => {
          const isBase64Encoded = flag ?? encodeBody;
          const raw = encodeBody ? Buffer.from(body).toString('base64') : body;
          await check(
            { body: raw, isBase64Encoded, headers: { [headerName]: `Bearer ${token}` } },
            route,
            dispatched,
            seen,
          );
        },
      ),
      { numRuns: 5_000 },
    );
    expect(dispatched).toEqual([]);
    // Past authentication: invalid JSON or envelope (400), other products or object classes (202 ignored).
    expect([...seen].sort()).toEqual(expect.arrayContaining([400, 202]));
  }, 120_000);
});
