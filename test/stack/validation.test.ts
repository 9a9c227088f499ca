/**
 * Dynamic validation on the real local stack: the Connect emulator calls the function set's validator webhooks
 * (`POST /connect/validate` on serverless-offline) the way Connect does, and places the orders it validated.
 * A draft purchase without an email gets our error, the fix clears it, the purchase places the order and our
 * purchase function approves it; an inquiring purchase is validated when the customer answers (pend); a tier-2
 * draft TCR misses its required parameter; and the webhook route's bad input, repeated on the validation route,
 * is refused the same way, with no Connect call.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_EMAIL_ERROR } from '../../functions/automation/purchase';
import { MISSING_TIER_PARAM_ERROR } from '../../functions/automation/tier-config';
import { INVALID_EMAIL_ERROR } from '../../functions/automation/validate-purchase';
import { VALIDATION_MAX_BODY_BYTES } from '../../functions/validate/validate';
import { LOCAL_DEFAULTS } from '../../scripts/local-stack';
import { registerValidators, validateUrl } from '../../scripts/local-stack/validation';
import {
  allLogLines,
  bootStack,
  envelope,
  invokeSweep,
  leakingLines,
  type StackRun,
  secretsOf,
  signToken,
} from './reliability/support';

// The emulator signs with the local stack's secret, the current one; the previous one is still accepted.
const NEW_SECRET = LOCAL_DEFAULTS.webhookSecret;
const OLD_SECRET = 'validation-old-webhook-secret';
const PRODUCT = 'PRD-276-377-545';

type Param = { id: string; value?: string | null; value_error?: string | null };
type Fr = { id: string; status: string; asset: { params: Param[] } };
type Tcr = { id: string; status: string; params: Param[]; configuration: { params?: Param[] } };

const param = (request: { asset: { params: Param[] } } | { params: Param[] }, id: string) =>
  ('asset' in request ? request.asset.params : request.params).find((entry) => entry.id === id);

let run: StackRun;

beforeAll(async () => {
  run = await bootStack({ CONNECT_WEBHOOK_SECRETS: `${NEW_SECRET},${OLD_SECRET}` });
  await run.stack.registerWebhook(PRODUCT, 'tier_config_request');
  await run.stack.registerWebhook(PRODUCT, 'fulfillment_request');
  await registerValidators(run.stack, [PRODUCT]);
});

afterAll(async () => {
  await run?.stop();
});

/**
 * Polls the emulator's state (no Connect call) until the request has the status, or the deadline, running the
 * sweep every 15 s as its schedule would: whether the webhook's dispatch or a later sweep takes the request is
 * the function set's business, not this test's (a request back from an inquiry may wait for the sweep).
 */
async function statusReached(id: string, status: string, timeoutMs = 240_000): Promise<string> {
  const read = () =>
    id.startsWith('TCR-')
      ? run.stack.emulator.store.getTierConfigRequest(id).status
      : run.stack.emulator.store.getRequest(id).status;
  const deadline = Date.now() + timeoutMs;
  let nextSweep = Date.now() + 15_000;
  while (read() !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (Date.now() >= nextSweep) {
      nextSweep = Date.now() + 15_000;
      await invokeSweep(run.stack).catch(() => undefined);
    }
  }
  return read();
}

/** The emulator's answer to a Connect call, without throwing on a 4xx. */
async function connect(method: string, path: string, body?: unknown) {
  const response = await fetch(`${run.stack.apiUrl}${path}`, {
    method,
    headers: { authorization: run.stack.apiKey, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

const purchaseBody = (status: 'draft' | 'pending', email: string) => ({
  type: 'purchase',
  ...(status === 'draft' ? { status } : {}),
  asset: {
    product: { id: PRODUCT },
    external_id: `validation-${Math.random().toString(36).slice(2)}`,
    items: [{ id: 'FALLBALL_USERS', quantity: '3' }],
    params: [
      { id: 'email', phase: 'ordering', value: email, value_error: '' },
      { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: '' },
    ],
  },
});

// First, while nothing else runs: a Connect call during an answer would be the route's own.
describe('the validation route over HTTP: the webhook route’s bad input', () => {
  type Answer = { status: number; json: Record<string, unknown>; calledConnect: boolean };

  const draftText = () =>
    JSON.stringify({
      id: 'PR-9000-0000-0000-001',
      type: 'purchase',
      status: 'draft',
      asset: { id: 'AS-9000-0000-0000', product: { id: PRODUCT }, params: [{ id: 'email', value: '' }] },
    });

  /** Posts to /connect/validate and checks whether the function set called Connect while answering. */
  async function post(body: string, headers: Record<string, string>): Promise<Answer> {
    const before = run.stack.emulator.calls().length;
    const response = await fetch(validateUrl(run.stack), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text.slice(0, 200) };
    }
    return { status: response.status, json, calledConnect: run.stack.emulator.calls().length > before };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

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
    const answer = await post(draftText(), await headers());

    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: 'unauthorized', message: 'A valid Bearer token is required' });
    expect(answer.calledConnect).toBe(false);
  });

  it.each([
    ['an empty body', () => '', 'invalid_json'],
    ['a body that is not JSON', () => 'webhook=yes&product=PRD-276-377-545', 'invalid_json'],
    ['a JSON array', () => JSON.stringify([{ product_id: PRODUCT }]), 'invalid_request'],
    [
      'a webhook envelope (not a request)',
      () => JSON.stringify(envelope(PRODUCT, 'fulfillment_request', 'x')),
      'invalid_request',
    ],
    ['a pending request', () => draftText().replace('"draft"', '"pending"'), 'status_not_validated'],
    [
      'a request nested 10,000 deep',
      () => draftText().replace('"status"', `"deep":${'['.repeat(10_000)}${']'.repeat(10_000)},"status"`),
      'invalid_request',
    ],
  ])('%s → 400 %s', async (_name, payload, error) => {
    const answer = await post(payload(), bearer(await signToken(NEW_SECRET)));

    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe(error);
    expect(answer.calledConnect).toBe(false);
  });

  it('names the missing fields of a request', async () => {
    const answer = await post(
      JSON.stringify({ type: 'purchase', status: 'draft', asset: { product: {} } }),
      bearer(await signToken(NEW_SECRET)),
    );

    expect(answer.status).toBe(400);
    expect(answer.json.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: /),
        expect.stringMatching(/^asset\.id: /),
        expect.stringMatching(/^asset\.product\.id: /),
      ]),
    );
  });

  it.each([
    ['just over the cap', VALIDATION_MAX_BODY_BYTES + 1],
    ['10 MB', 10 * 1024 * 1024],
  ])('a body %s → 413', async (_name, bytes) => {
    const answer = await post('x'.repeat(bytes), bearer(await signToken(NEW_SECRET)));

    expect(answer.status).toBe(413);
    expect(answer.calledConnect).toBe(false);
  });

  it('accepts a token in Authentication, and one signed with the previous secret, answering the object', async () => {
    for (const headers of [
      { authentication: `Bearer ${await signToken(NEW_SECRET)}` },
      bearer(await signToken(OLD_SECRET)),
    ]) {
      const answer = await post(draftText(), headers);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: 'PR-9000-0000-0000-001' });
      expect(JSON.stringify(answer.json)).toContain(MISSING_EMAIL_ERROR);
      // Stateless: answering made no Connect call.
      expect(answer.calledConnect).toBe(false);
    }
  });
});

describe('a draft purchase, validated through the emulator', () => {
  it('gets our error without an email, is fixed, is placed, and our purchase function approves it', async () => {
    const draft = await run.stack.call<Fr>('POST', '/requests', purchaseBody('draft', ''));
    expect(draft.status).toBe('draft');

    // The customer's portal asks Connect to validate the draft: Connect calls our validator.
    const validated = await run.stack.call<Fr>('POST', `/requests/${draft.id}/validate`);
    expect(param(validated, 'email')?.value_error).toBe(MISSING_EMAIL_ERROR);
    const refused = await connect('POST', `/requests/${draft.id}/purchase`);
    expect(refused.status).toBe(400);

    await run.stack.call('PUT', `/requests/${draft.id}`, {
      asset: { params: [{ id: 'email', value: 'nobody' }] },
    });
    const invalid = await run.stack.call<Fr>('POST', `/requests/${draft.id}/validate`);
    expect(param(invalid, 'email')?.value_error).toBe(INVALID_EMAIL_ERROR);

    await run.stack.call('PUT', `/requests/${draft.id}`, {
      asset: { params: [{ id: 'email', value: 'ops@example.com' }] },
    });
    const fixed = await run.stack.call<Fr>('POST', `/requests/${draft.id}/validate`);
    expect(param(fixed, 'email')?.value_error).toBe('');

    // Placing the order validates once more, then moves it to pending: the function set takes it from there.
    const placed = await run.stack.call<Fr>('POST', `/requests/${draft.id}/purchase`);
    expect(placed.status).toBe('pending');
    expect(await statusReached(draft.id, 'approved')).toBe('approved');

    const validations = run.stack.emulator.validations().filter((entry) => entry.request_id === draft.id);
    expect(validations.map((entry) => [entry.type, entry.status_code])).toEqual([
      ['validator', 200],
      ['validator', 200],
      ['validator', 200],
      ['validator', 200],
      ['validator', 200],
    ]);
  });
});

describe('an inquiring purchase, validated when the customer answers', () => {
  it('is refused while the email is missing, then pended, and approved', async () => {
    const created = await run.stack.call<Fr>('POST', '/requests', purchaseBody('pending', ''));
    // Our purchase function inquires for the email (the webhook route's path).
    expect(await statusReached(created.id, 'inquiring')).toBe('inquiring');

    // The customer answers without the email: the inquiring validator keeps the error, the pend is refused.
    const stillMissing = await connect('POST', `/requests/${created.id}/pend`);
    expect(stillMissing.status).toBe(400);
    expect(JSON.stringify(stillMissing.json)).toContain(MISSING_EMAIL_ERROR);

    await run.stack.call('PUT', `/requests/${created.id}`, {
      asset: { params: [{ id: 'email', value: 'buyer@example.com' }] },
    });
    const pended = await connect('POST', `/requests/${created.id}/pend`);
    expect(pended.status).toBe(200);
    expect(param(run.stack.emulator.store.getRequest(created.id), 'email')?.value_error).toBe('');
    expect(await statusReached(created.id, 'approved')).toBe('approved');

    const validations = run.stack.emulator.validations().filter((entry) => entry.request_id === created.id);
    expect(validations.map((entry) => [entry.type, entry.status_code])).toEqual([
      ['inquiring_validator', 200],
      ['inquiring_validator', 200],
    ]);
  }, 420_000);
});

describe('a tier-2 draft TCR with a required parameter missing', () => {
  const requiredParam = (value: string) => ({
    id: 'TIER_PARTNER_ID',
    title: 'Partner number',
    type: 'text',
    scope: 'tier2',
    phase: 'ordering',
    value,
    value_error: '',
    constraints: { required: true },
  });

  it('gets the tier-config error in both copies, then is fixed, submitted and approved', async () => {
    const draft = await run.stack.call<Tcr>('POST', '/tier/config-requests', {
      type: 'setup',
      status: 'draft',
      configuration: {
        product: { id: PRODUCT },
        tier_level: 2,
        account: { id: 'TA-0-9100-0001-0002', name: 'Validated tier 2', external_id: 'val-t2' },
        params: [requiredParam('')],
      },
      params: [requiredParam('')],
    });

    // Our answer itself, as Connect reads it: both copies of the parameter carry the error.
    const token = await signToken(NEW_SECRET);
    const current = await run.stack.call<Tcr>('GET', `/tier/config-requests/${draft.id}`);
    const direct = await fetch(validateUrl(run.stack), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(current),
    });
    const answer = (await direct.json()) as Tcr;
    expect(param(answer, 'TIER_PARTNER_ID')?.value_error).toBe(MISSING_TIER_PARAM_ERROR);
    expect(answer.configuration.params?.[0]?.value_error).toBe(MISSING_TIER_PARAM_ERROR);

    const validated = await run.stack.call<Tcr>('POST', `/tier/config-requests/${draft.id}/validate`);
    expect(param(validated, 'TIER_PARTNER_ID')?.value_error).toBe(MISSING_TIER_PARAM_ERROR);
    expect((await connect('POST', `/tier/config-requests/${draft.id}/submit`)).status).toBe(400);

    await run.stack.call('PUT', `/tier/config-requests/${draft.id}`, {
      params: [{ id: 'TIER_PARTNER_ID', value: 'PN-91002' }],
    });
    const submitted = await run.stack.call<Tcr>('POST', `/tier/config-requests/${draft.id}/submit`);
    expect(submitted.status).toBe('pending');
    expect(param(submitted, 'TIER_PARTNER_ID')?.value_error).toBe('');
    expect(await statusReached(draft.id, 'approved')).toBe('approved');
    expect(
      run.stack.emulator
        .validations()
        .filter((entry) => entry.request_id === draft.id)
        .map((entry) => entry.type),
    ).toEqual(['draft_tcr_t2_val', 'draft_tcr_t2_val', 'draft_tcr_t2_val']);
  });
});

describe('the whole run', () => {
  it('logs no API key, webhook secret or bearer token', () => {
    expect(leakingLines(allLogLines(run), secretsOf(run.stack, [NEW_SECRET, OLD_SECRET]))).toEqual([]);
    expect(run.functionLogs.some(({ line }) => line.includes('Validation refused'))).toBe(true);
  });
});
