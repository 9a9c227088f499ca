/**
 * Bad input at the webhook edge, over real HTTP against serverless-offline: every named case answers the
 * right 4xx (or 202 "ignored"), and nothing refused reaches Connect or a type function. The stack runs with
 * two webhook secrets (a rotation in progress) and one handled product. A payload's `api_url` points at a
 * decoy server that must receive nothing: the API key only goes to the configured Connect URL.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allLogLines,
  bootStack,
  deliverWebhook,
  envelope,
  leakingLines,
  type StackRun,
  secretsOf,
  seedMixed,
  signToken,
} from './support';

const NEW_SECRET = 'rotated-new-webhook-secret';
const OLD_SECRET = 'rotated-old-webhook-secret';
const PRODUCT = 'PRD-276-377-545';
const OTHER_PRODUCT = 'PRD-999-999-999';

type Answer = { status: number; json: Record<string, unknown> };

describe('the webhook edge over HTTP', () => {
  let run: StackRun;
  let decoy: Server;
  let decoyUrl: string;
  const decoyHits: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    decoy = createServer((request, response) => {
      decoyHits.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/public/v1`;
    run = await bootStack({
      CONNECT_WEBHOOK_SECRETS: `${NEW_SECRET},${OLD_SECRET}`,
      CONNECT_PRODUCTS: PRODUCT,
    });
    // Something pending for the handled product, so that an accepted webhook really lists and dispatches.
    await seedMixed(run.stack, 1, ['purchase-approved-template']);
    // Whatever the seeding set off (a webhook's dispatch) is over before the refusals are counted: 2 s with no
    // listing, on a machine of any speed.
    let seen = -1;
    for (let waited = 0; waited < 30_000 && seen !== listings().length; waited += 2_000) {
      seen = listings().length;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await new Promise((resolve) => decoy?.close(resolve));
  });

  const body = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ ...envelope(PRODUCT, 'fulfillment_request', run.stack.apiUrl), ...overrides });

  /** Posts, and checks whether Connect was called (a listing) while answering. */
  const listings = () =>
    run.stack.emulator.calls().filter((call) => call.method === 'GET' && call.path.endsWith('/requests'));

  /** Whether Connect gets listed within `ms` of now (the dispatch runs after the router has answered). */
  async function listedWithin(since: number, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (listings().length > since) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return listings().length > since;
  }

  async function post(
    payload: string,
    headers: Record<string, string>,
  ): Promise<Answer & { listed: boolean }> {
    const before = listings().length;
    const answer = await deliverWebhook(run.stack, payload, headers);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      json = { raw: answer.text.slice(0, 200) };
    }
    // An accepted call is listed soon after; a refused one must not be (checked again after its block).
    const listed =
      json.status === 'accepted' ? await listedWithin(before, 10_000) : listings().length > before;
    return { status: answer.status, json, listed };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('refused before anything is listed or invoked', () => {
    let before = 0;
    beforeAll(() => {
      before = listings().length;
    });
    afterAll(async () => {
      // The dispatch is asynchronous: nothing refused may have asked for one, even a moment later.
      expect(await listedWithin(before, 1_500)).toBe(false);
    });

    it.each([
      ['no token', async () => ({})],
      ['a malformed token', async () => bearer('not.a-jwt')],
      ['a token without the Bearer scheme', async () => ({ authorization: await signToken(NEW_SECRET) })],
      [
        'alg none',
        async () => {
          const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
          const now = Math.floor(Date.now() / 1000);
          return bearer(`${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iat: now, exp: now + 600 })}.`);
        },
      ],
      ['HS512 with the right secret', async () => bearer(await signToken(NEW_SECRET, {}, { alg: 'HS512' }))],
      [
        'RS256',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          const token = await new SignJWT({})
            .setProtectedHeader({ alg: 'RS256' })
            .setIssuedAt()
            .setExpirationTime('10m')
            .sign(privateKey);
          return bearer(token);
        },
      ],
      ['a wrong secret', async () => bearer(await signToken('not-the-secret'))],
      [
        'an expired token',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return bearer(await signToken(NEW_SECRET, {}, { iat: now - 7_200, exp: now - 3_600 }));
        },
      ],
      [
        'a token not yet valid',
        async () => bearer(await signToken(NEW_SECRET, {}, { nbf: Math.floor(Date.now() / 1000) + 3_600 })),
      ],
    ])('%s → 401', async (_name, headers) => {
      // Act
      const answer = await post(body(), await headers());

      // Assess: a generic 401, nothing listed.
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: 'unauthorized', message: 'A valid Bearer token is required' });
      expect(answer.listed).toBe(false);
    });

    it.each([
      ['an empty body', () => '', 400, 'invalid_json'],
      ['a body that is not JSON', () => 'webhook=yes&product=PRD-276-377-545', 400, 'invalid_json'],
      ['a JSON array', () => JSON.stringify([{ product_id: PRODUCT }]), 400, 'invalid_envelope'],
      [
        'an envelope missing fields',
        () => JSON.stringify({ webhook_name: 'x', api_url: 'http://127.0.0.1:9' }),
        400,
        'invalid_envelope',
      ],
    ])('%s → %i', async (_name, payload, status, error) => {
      const answer = await post(payload(), bearer(await signToken(NEW_SECRET)));

      expect(answer.status).toBe(status);
      expect(answer.json.error).toBe(error);
      expect(answer.listed).toBe(false);
    });

    it('names the missing envelope fields', async () => {
      const answer = await post(JSON.stringify({ data: {} }), bearer(await signToken(NEW_SECRET)));

      expect(answer.status).toBe(400);
      expect(answer.json.issues).toEqual(
        expect.arrayContaining([
          expect.stringContaining('webhook_id'),
          expect.stringContaining('object_class'),
          expect.stringContaining('product_id'),
        ]),
      );
    });

    it('a 10 MB body → 413', async () => {
      const huge = body({ data: { padding: 'x'.repeat(10 * 1024 * 1024) } });

      const answer = await post(huge, bearer(await signToken(NEW_SECRET)));

      expect(answer.status).toBe(413);
      expect(answer.listed).toBe(false);
    });

    it.each([
      [
        'an unknown object_class',
        () => body({ object_class: 'tier_account_update_request' }),
        'object_class',
      ],
      ['a product not handled here', () => body({ product_id: OTHER_PRODUCT }), 'product'],
    ])('%s → 202 ignored', async (_name, payload, reason) => {
      const answer = await post(payload(), bearer(await signToken(NEW_SECRET)));

      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ status: 'ignored', reason: expect.stringContaining(reason) });
      expect(answer.listed).toBe(false);
    });
  });

  describe('accepted', () => {
    it('a token in Authentication (as Connect sends it) → 202 accepted, then listed', async () => {
      const answer = await post(body(), { authentication: `Bearer ${await signToken(NEW_SECRET)}` });

      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ status: 'accepted', productId: PRODUCT });
      expect(answer.listed).toBe(true);
    });

    it('a token signed with the previous secret during a rotation → 202 accepted, then listed', async () => {
      const answer = await post(body(), bearer(await signToken(OLD_SECRET)));

      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ status: 'accepted', productId: PRODUCT });
      expect(answer.listed).toBe(true);
    });

    it('an api_url pointing at a decoy: Connect is listed at the configured URL, the decoy gets nothing', async () => {
      const answer = await post(body({ api_url: decoyUrl }), bearer(await signToken(NEW_SECRET)));

      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ status: 'accepted', productId: PRODUCT });
      expect(answer.listed).toBe(true);
      // Let any dispatched type function run its Connect calls too.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(decoyHits).toEqual([]);
    });
  });

  it('logs no API key, webhook secret or bearer token', () => {
    expect(leakingLines(allLogLines(run), secretsOf(run.stack, [NEW_SECRET, OLD_SECRET]))).toEqual([]);
    expect(run.functionLogs.some(({ line }) => line.includes('Webhook refused'))).toBe(true);
  });
});
