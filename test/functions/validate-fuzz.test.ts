/**
 * Property-based fuzzing of the validation route: the real route (core, edge error mapping, logger context)
 * with the real HS256 verifier, the shipped validators and validators that throw or hang, under both failure
 * policies. Over 10,000 generated calls (headers, tokens, bodies, base64 flag; request-shaped bodies of every
 * kind, type and status, formatted any way) the route never answers 5xx except the closed policy's own 502,
 * never throws, never puts a stack trace or a secret in a body, and a 200 is the object received with only
 * parameters' `value` / `value_error` changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { automation } from '../../functions/automation';
import { createValidateRoute, validatorsOf } from '../../functions/validate/handler';
import {
  VALIDATION_UNAVAILABLE_BODY,
  type ValidateCall,
  type ValidateDeps,
  type ValidatorLookup,
} from '../../functions/validate/validate';
import { FULFILLMENT_REQUEST_TYPES, TIER_CONFIG_REQUEST_TYPES } from '../../lib/connect';
import type { DeadlineTimer } from '../../lib/engine';
import { createLogger } from '../../lib/observability';
import { createWebhookVerifier, type EdgeResult, signWebhookToken } from '../../lib/webhook';
import { buildFulfillmentRequest, buildTierConfigRequest } from '../support/builders';
import { RawNumber, renderJson } from '../support/json-render';
import { fakeLambdaContext } from '../support/lambda-context';

const SECRETS = ['fuzz-validate-current-secret', 'fuzz-validate-previous-secret'];
/** What a broken validator's error says: it must never reach a body. */
const CANARY = 'canary-token-3f9a2c';
const table = automation({ templates: { activation: () => undefined, tier: undefined } });

type Behaviour = 'shipped' | 'throws' | 'hangs';
type Policy = 'open' | 'closed';
type Route = (call: ValidateCall) => Promise<EdgeResult>;

const neverFires: DeadlineTimer = { set: () => 0, clear: () => undefined };
/** The deadline passes at once (a hanging validator never wins the race against it). */
const firesAtOnce: DeadlineTimer = {
  set: (callback) => {
    queueMicrotask(callback);
    return 0;
  },
  clear: () => undefined,
};

const LOOKUPS: Record<Behaviour, ValidatorLookup> = {
  shipped: validatorsOf(table),
  throws: () => () => {
    throw new Error(`vendor system refused ${CANARY}`);
  },
  hangs: () => () => new Promise(() => undefined),
};

function routes(): Record<`${Behaviour}/${Policy}`, Route> {
  const logger = createLogger({ logLevel: 'SILENT' });
  const context = fakeLambdaContext({ functionName: 'connect-fulfillment-dev-validate' });
  const build = (behaviour: Behaviour, onError: Policy): Route => {
    const deps: ValidateDeps = {
      verifier: createWebhookVerifier({ secrets: SECRETS }),
      validatorFor: LOOKUPS[behaviour],
      onError,
      deadlineMs: 5_000,
      logger,
      timer: behaviour === 'hangs' ? firesAtOnce : neverFires,
      maxBodyBytes: 16 * 1024,
    };
    const handler = createValidateRoute({ deps: async () => deps, logger, newCorrelationId: () => 'fuzz' });
    return (call) => handler(call, context);
  };
  const all = {} as Record<`${Behaviour}/${Policy}`, Route>;
  for (const behaviour of ['shipped', 'throws', 'hangs'] as const) {
    for (const policy of ['open', 'closed'] as const)
      all[`${behaviour}/${policy}`] = build(behaviour, policy);
  }
  return all;
}

const ROUTES = routes();

/** The answer must be one of these; 502 only from the closed policy with a broken validator. */
function checkAnswer(result: EdgeResult, behaviour: Behaviour, policy: Policy): void {
  const allowed = [200, 400, 401, 413, ...(policy === 'closed' && behaviour !== 'shipped' ? [502] : [])];
  expect(allowed).toContain(result.statusCode);
  expect(() => JSON.parse(result.body)).not.toThrow();
  expect(result.body).not.toMatch(/\n\s+at |at .*\.ts:\d+/);
  for (const secret of [...SECRETS, CANARY]) expect(result.body).not.toContain(secret);
  if (result.statusCode === 502) expect(JSON.parse(result.body)).toEqual(VALIDATION_UNAVAILABLE_BODY);
}

// ------------------------------------------------------------------------------- arbitrary calls

const base64url = (value: string) => Buffer.from(value).toString('base64url');
const tokenArb = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc
    .tuple(fc.oneof(fc.json(), fc.string()), fc.oneof(fc.json(), fc.string()), fc.string())
    .map(
      ([header, payload, signature]) => `${base64url(header)}.${base64url(payload)}.${base64url(signature)}`,
    ),
  fc
    .constantFrom('none', 'RS256', 'HS512', '')
    .map((alg) => `${base64url(JSON.stringify({ alg }))}.${base64url(JSON.stringify({ exp: 4e9 }))}.`),
);
const headerNameArb = fc.oneof(
  fc.constantFrom('authorization', 'Authorization', 'authentication', 'content-type'),
  fc.string({ minLength: 1, maxLength: 16 }),
);
const schemeArb = fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer\t');

describe('the validation route under generated calls', () => {
  it('refuses arbitrary headers, tokens and bodies with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerNameArb, fc.string({ maxLength: 80 }), { maxKeys: 3 }),
        fc.option(fc.tuple(headerNameArb, schemeArb, tokenArb), { nil: undefined }),
        fc.option(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            fc.json({ maxDepth: 3 }),
            fc.string({ minLength: 16_000, maxLength: 20_000 }),
          ),
          {
            nil: undefined,
          },
        ),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(...(Object.keys(ROUTES) as Array<keyof typeof ROUTES>)),
        async (headers, auth, body, flag, encode, name) => {
          const all: Record<string, string> = { ...headers };
          if (auth) all[auth[0]] = `${auth[1]}${auth[2]}`;
          const raw = body === undefined ? undefined : encode ? Buffer.from(body).toString('base64') : body;
          const result = await ROUTES[name]({ body: raw, isBase64Encoded: flag, headers: all });
          const [behaviour, policy] = name.split('/') as [Behaviour, Policy];
          checkAnswer(result, behaviour, policy);
          // Without a valid token nothing is validated.
          expect(result.statusCode).not.toBe(200);
        },
      ),
      { numRuns: 5_000 },
    );
  }, 120_000);

  it('answers request-shaped bodies: the object back with only value / value_error changed, or a 4xx', async () => {
    const tokens = await Promise.all(
      SECRETS.map((secret) =>
        signWebhookToken({ secret, claims: { webhook_id: 'WH-1' }, lifetimeSeconds: 3_600 }),
      ),
    );
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        requestArb,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...tokens),
        fc.boolean(),
        fc.constantFrom(...(Object.keys(ROUTES) as Array<keyof typeof ROUTES>)),
        async (request, seed, token, encode, name) => {
          const text = renderJson(request, seed);
          const [behaviour, policy] = name.split('/') as [Behaviour, Policy];
          const result = await ROUTES[name]({
            body: encode ? Buffer.from(text).toString('base64') : text,
            isBase64Encoded: encode,
            headers: { authorization: `Bearer ${token}` },
          });
          seen.add(result.statusCode);
          checkAnswer(result, behaviour, policy);
          if (result.statusCode === 200) {
            const sent = JSON.parse(text) as Record<string, unknown>;
            const answered = JSON.parse(result.body) as Record<string, unknown>;
            expect(withoutWritable(answered)).toEqual(withoutWritable(sent));
            if (behaviour !== 'shipped') expect(result.body).toBe(text);
          }
        },
      ),
      { numRuns: 5_000 },
    );
    // The generators reach the answers that matter: validated, refused as not a request / wrong status.
    expect([...seen]).toEqual(expect.arrayContaining([200, 400, 502]));
  }, 120_000);
});

// ------------------------------------------------------------------------------- request-shaped bodies

const ALL_STATUSES = ['draft', 'inquiring', 'pending', 'approved', 'failed', 'tiers_setup', 'scheduled', 'x'];
/** Mostly `likely`, sometimes `other`: most generated requests are valid, so that most are validated. */
const mostly = <T, U>(likely: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 9, arbitrary: likely }, { weight: 1, arbitrary: other });
const statusArb = mostly(fc.constantFrom('draft', 'inquiring'), fc.constantFrom(...ALL_STATUSES));
const paramArb = fc.record(
  {
    id: fc.oneof(
      fc.constantFrom('email', 'ActivationKey', 'TIER_PARTNER_ID', 'seats'),
      fc.string({ maxLength: 6 }),
    ),
    value: fc.oneof(
      fc.constantFrom('', 'ops@example.com', 'nobody', ' '),
      fc.string({ maxLength: 8 }),
      fc.constant(null),
    ),
    value_error: fc.oneof(fc.constant(''), fc.string({ maxLength: 8 }), fc.constant(null)),
    phase: fc.constantFrom('ordering', 'fulfillment'),
    constraints: fc.oneof(fc.record({ required: fc.boolean() }), fc.constant(null)),
    junk: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['id'] },
);
const paramsArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(paramArb, { maxLength: 4 }) },
  fc.jsonValue({ maxDepth: 1 }),
);
const extraArb = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

const fulfillmentArb = fc
  .record({
    type: mostly(fc.constantFrom(...FULFILLMENT_REQUEST_TYPES), fc.string({ maxLength: 5 })),
    status: statusArb,
    params: paramsArb,
    extra: extraArb,
    drop: mostly(fc.constant('none'), fc.constantFrom('id', 'asset.id', 'asset.product')),
  })
  .map(({ type, status, params, extra, drop }) => {
    const payload = buildFulfillmentRequest() as Record<string, unknown> & { asset: Record<string, unknown> };
    const body: Record<string, unknown> = {
      ...extra,
      ...payload,
      type,
      status,
      asset: { ...payload.asset, params },
    };
    if (drop === 'id') delete body.id;
    if (drop === 'asset.id') delete (body.asset as Record<string, unknown>).id;
    if (drop === 'asset.product') delete (body.asset as Record<string, unknown>).product;
    return body;
  });

const tierConfigArb = fc
  .record({
    type: mostly(fc.constantFrom(...TIER_CONFIG_REQUEST_TYPES), fc.string({ maxLength: 5 })),
    status: statusArb,
    level: mostly(fc.constantFrom(1, 2, '1', '2'), fc.constantFrom(3, 0, 'x')),
    params: paramsArb,
    configurationParams: fc.option(paramsArb, { nil: undefined }),
    extra: extraArb,
  })
  .map(({ type, status, level, params, configurationParams, extra }) => {
    const payload = buildTierConfigRequest() as Record<string, unknown> & {
      configuration: Record<string, unknown>;
    };
    const configuration = { ...payload.configuration, tier_level: level, params: configurationParams };
    return { ...extra, ...payload, type, status, params, configuration };
  });

/** A request carrying a field nested 10 to 5,000 deep (JSON.parse takes it; recursive code would not). */
const deepArb = fc
  .tuple(fc.oneof(fulfillmentArb, tierConfigArb), fc.integer({ min: 10, max: 5_000 }))
  .map(([body, depth]) => ({
    ...(body as Record<string, unknown>),
    // Rendered as is: the test's own renderer (and JSON.stringify) would recurse.
    nested: new RawNumber(`${'['.repeat(depth)}${']'.repeat(depth)}`),
  }));

/** Mostly requests of either kind, sometimes any JSON, sometimes nested very deep. */
const requestArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fulfillmentArb },
  { weight: 8, arbitrary: tierConfigArb },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepArb },
);

const WRITABLE_PATHS = [['asset', 'params'], ['params'], ['configuration', 'params']] as const;

/** The object without the fields a validator may write: each param list entry's value and value_error. */
function withoutWritable(body: Record<string, unknown>): unknown {
  const copy = structuredClone(body);
  for (const path of WRITABLE_PATHS) {
    let list: unknown = copy;
    for (const key of path)
      list = list && typeof list === 'object' ? (list as Record<string, unknown>)[key] : undefined;
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!entry || typeof entry !== 'object') continue;
      const { value, value_error } = entry as Record<string, unknown>;
      for (const field of [value, value_error]) {
        expect(field === undefined || field === null || typeof field === 'string').toBe(true);
      }
      delete (entry as Record<string, unknown>).value;
      delete (entry as Record<string, unknown>).value_error;
    }
  }
  return copy;
}
