/**
 * POST /connect/validate as deployed (the core, the edge's error mapping, the logger's context) with the real
 * HS256 verifier and the shipped automation table: the answers, both failure policies (an injected timer for
 * the deadline) and bad input.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { automation } from '../../functions/automation';
import { MISSING_EMAIL_ERROR } from '../../functions/automation/purchase';
import { MISSING_TIER_PARAM_ERROR } from '../../functions/automation/tier-config';
import { INVALID_EMAIL_ERROR } from '../../functions/automation/validate-purchase';
import { createValidateRoute, validatorsOf } from '../../functions/validate/handler';
import {
  VALIDATION_MAX_BODY_BYTES,
  VALIDATION_UNAVAILABLE_BODY,
  type ValidateCall,
  type ValidateDeps,
  type ValidatorLookup,
} from '../../functions/validate/validate';
import { loadConfig } from '../../lib/config';
import type { DeadlineTimer } from '../../lib/engine';
import { appendRequestContext, createLogger } from '../../lib/observability';
import { createWebhookVerifier, signWebhookToken, UNAVAILABLE_BODY } from '../../lib/webhook';
import { buildFulfillmentRequest, buildTierConfigRequest } from '../support/builders';
import { type CapturedOutput, captureOutput } from '../support/capture-output';
import { fakeLambdaContext } from '../support/lambda-context';
import { RecordingMetrics } from '../support/recording-metrics';

const SECRET = 'validate-test-secret';
const table = automation({ templates: { activation: () => undefined, tier: undefined } });

let output: CapturedOutput | undefined;
afterEach(() => output?.restore());

/** A timer that fires when told to, once the route has set it (after verifying the token). */
function manualTimer(): DeadlineTimer & { fire(): Promise<void> } {
  const callbacks = new Map<number, () => void>();
  let next = 0;
  let wasSet: () => void = () => undefined;
  const set = new Promise<void>((resolve) => {
    wasSet = resolve;
  });
  return {
    set(callback) {
      next += 1;
      callbacks.set(next, callback);
      wasSet();
      return next;
    },
    clear(handle) {
      callbacks.delete(handle as number);
    },
    async fire() {
      await set;
      for (const callback of callbacks.values()) callback();
      callbacks.clear();
    },
  };
}

function setup(overrides: Partial<ValidateDeps> = {}) {
  output = captureOutput();
  const capture = output;
  const logger = createLogger({ logLevel: 'DEBUG' });
  const timer = manualTimer();
  const metrics = new RecordingMetrics();
  const deps: ValidateDeps = {
    verifier: createWebhookVerifier({ secrets: [SECRET] }),
    validatorFor: validatorsOf(table),
    onError: 'open',
    deadlineMs: 5_000,
    logger,
    appendContext: (context) => appendRequestContext(context, logger),
    timer,
    metrics,
    ...overrides,
  };
  const route = createValidateRoute({
    deps: async () => deps,
    logger,
    metrics,
    newCorrelationId: () => 'corr-v',
  });
  const context = fakeLambdaContext({ functionName: 'connect-fulfillment-dev-validate' });
  return { deps, timer, metrics, output: capture, validate: (call: ValidateCall) => route(call, context) };
}

const auth = async (secret = SECRET) => ({
  authorization: `Bearer ${await signWebhookToken({ secret, claims: { webhook_id: 'WH-1' } })}`,
});

const draftPurchase = (email: string, status = 'draft') => {
  const payload = buildFulfillmentRequest({ status: status as 'draft' });
  return {
    ...payload,
    asset: {
      ...payload.asset,
      params: [
        { id: 'email', title: 'Email', value: email, value_error: '' },
        { id: 'ActivationKey', value: '', value_error: '' },
      ],
    },
  };
};

const tier2Draft = () => {
  const payload = buildTierConfigRequest({ status: 'draft' });
  const param = {
    id: 'TIER_PARTNER_ID',
    phase: 'ordering',
    value: '',
    value_error: '',
    constraints: { required: true },
  };
  return {
    ...payload,
    params: [param],
    configuration: { ...payload.configuration, tier_level: 2, params: [param] },
  };
};

const call = (body: string, headers: Record<string, string>, isBase64Encoded = false): ValidateCall => ({
  body,
  headers,
  isBase64Encoded,
});

describe('validateRequest: metrics', () => {
  it('counts each validation call and times the validator by request type, and counts a refusal by reason', async () => {
    const { validate, metrics } = setup();
    await validate(call(JSON.stringify(draftPurchase('')), await auth()));
    await validate(call(JSON.stringify(draftPurchase('')), await auth('wrong-secret')));

    expect(metrics.named('ValidationCalls').map((metric) => metric.dimensions)).toEqual([
      { requestType: 'purchase' },
    ]);
    expect(metrics.named('ValidationDuration')).toEqual([
      expect.objectContaining({ unit: 'Milliseconds', dimensions: { requestType: 'purchase' } }),
    ]);
    expect(metrics.named('WebhookRejected').map((metric) => metric.dimensions)).toEqual([
      { route: 'validate', reason: 'unauthorized' },
    ]);
    expect(metrics.flushes).toHaveLength(2);
  });
});

describe('validateRequest: the shipped validators', () => {
  it('answers a draft purchase without an email with the error, every other byte as received', async () => {
    const { validate } = setup();
    const text = JSON.stringify(draftPurchase(''), null, 2);

    const result = await validate(call(text, await auth()));

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toBe(text.replace('"value_error": ""', `"value_error": "${MISSING_EMAIL_ERROR}"`));
  });

  it.each([
    ['nobody', INVALID_EMAIL_ERROR],
    ['ops@example.com', ''],
  ])('answers the email %j with value_error %j', async (email, error) => {
    const { validate } = setup();
    const body = draftPurchase(email);
    body.asset.params[0] = { ...body.asset.params[0], value_error: 'stale' } as (typeof body.asset.params)[0];

    const result = await validate(call(JSON.stringify(body), await auth()));

    expect(JSON.parse(result.body).asset.params[0].value_error).toBe(error);
  });

  it('reads a base64 body (API Gateway) and answers plain JSON', async () => {
    const { validate } = setup();
    const text = JSON.stringify(draftPurchase(''));

    const result = await validate(call(Buffer.from(text).toString('base64'), await auth(), true));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).asset.params[0].value_error).toBe(MISSING_EMAIL_ERROR);
  });

  it('validates an inquiring request with the inquiring validator', async () => {
    const phases: string[] = [];
    const lookup: ValidatorLookup = (objectClass, type, phase) => {
      phases.push(`${objectClass.name} ${type} ${phase}`);
      return validatorsOf(table)(objectClass, type, phase);
    };
    const { validate } = setup({ validatorFor: lookup });

    const result = await validate(call(JSON.stringify(draftPurchase('', 'inquiring')), await auth()));

    expect(phases).toEqual(['fulfillment_request purchase inquiring']);
    expect(JSON.parse(result.body).asset.params[0].value_error).toBe(MISSING_EMAIL_ERROR);
  });

  it('writes a tier-2 draft TCR missing a required parameter in both copies, tier_level as received', async () => {
    const { validate } = setup();
    const text = JSON.stringify({
      ...tier2Draft(),
      configuration: { ...tier2Draft().configuration, tier_level: '2' },
    });

    const result = await validate(call(text, await auth()));

    const answer = JSON.parse(result.body);
    expect(answer.params[0].value_error).toBe(MISSING_TIER_PARAM_ERROR);
    expect(answer.configuration.params[0].value_error).toBe(MISSING_TIER_PARAM_ERROR);
    expect(answer.configuration.tier_level).toBe('2');
  });

  it('answers a type without a validator unchanged, with a log line', async () => {
    const { validate, output } = setup();
    const body = { ...draftPurchase(''), type: 'renew' };
    const text = JSON.stringify(body);

    const result = await validate(call(text, await auth()));

    expect(result).toMatchObject({ statusCode: 200, body: text });
    const line = output.lines().find((entry) => String(entry.message).startsWith('No draft validator'));
    expect(line).toMatchObject({ level: 'INFO', request_id: body.id, request_type: 'renew' });
  });

  it('carries the request context on its log lines', async () => {
    const { validate, output } = setup();
    const body = draftPurchase('');

    await validate(call(JSON.stringify(body), await auth()));

    expect(output.lines().find((entry) => entry.message === 'Validated')).toMatchObject({
      request_id: body.id,
      product_id: body.asset.product.id,
      correlation_id: 'corr-v',
      changed: ['email.value_error'],
    });
  });
});

describe('validateRequest when the validator breaks', () => {
  const throwing: ValidatorLookup = () => () => {
    throw new Error('vendor API down: token=sekret-123');
  };
  const hanging: ValidatorLookup = () => () => new Promise(() => undefined);

  it('open: a throw answers 200 with the object unchanged, logged at ERROR with the request id', async () => {
    const { validate, output } = setup({ validatorFor: throwing });
    const text = JSON.stringify(draftPurchase(''));

    const result = await validate(call(text, await auth()));

    expect(result).toMatchObject({ statusCode: 200, body: text });
    const errors = output.lines().filter((entry) => entry.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ request_id: draftPurchase('').id, reason: 'threw', policy: 'open' });
    expect(JSON.stringify(errors[0])).not.toMatch(/\n\s+at /);
  });

  it('open: a missed deadline answers 200 unchanged (the injected timer fires: no waiting)', async () => {
    const { validate, timer, output } = setup({ validatorFor: hanging });
    const text = JSON.stringify(draftPurchase(''));

    const pending = validate(call(text, await auth()));
    await timer.fire();
    const result = await pending;

    expect(result).toMatchObject({ statusCode: 200, body: text });
    expect(output.lines().find((entry) => entry.level === 'ERROR')).toMatchObject({ reason: 'deadline' });
  });

  it.each([
    ['throws', throwing],
    ['misses its deadline', hanging],
  ])(
    'closed: a validator that %s answers the fixed 502, logged at ERROR with the request id',
    async (_name, lookup) => {
      const { validate, timer, output } = setup({ validatorFor: lookup, onError: 'closed' });
      const pending = validate(call(JSON.stringify(draftPurchase('')), await auth()));
      await new Promise((resolve) => setImmediate(resolve));
      timer.fire();
      const result = await pending;

      expect(result.statusCode).toBe(502);
      expect(JSON.parse(result.body)).toEqual(VALIDATION_UNAVAILABLE_BODY);
      const errors = output.lines().filter((entry) => entry.level === 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ request_id: draftPurchase('').id, policy: 'closed' });
      expect(result.body).not.toContain('sekret');
    },
  );

  it('answers the fixed 503 when its configuration cannot be built', async () => {
    output = captureOutput();
    const logger = createLogger({ logLevel: 'SILENT' });
    const route = createValidateRoute({
      deps: async () => {
        throw new Error('CONNECT_WEBHOOK_SECRETS: needs at least one secret');
      },
      logger,
    });
    const result = await route(call('{}', {}), fakeLambdaContext());
    expect(result).toMatchObject({ statusCode: 503, body: JSON.stringify(UNAVAILABLE_BODY) });
  });
});

describe('validateRequest on bad input', () => {
  it('answers 401 with the generic body for no token or a wrong secret, before reading the body', async () => {
    const { validate } = setup();
    for (const headers of [{}, await auth('not-the-secret')]) {
      const result = await validate(call('not json', headers));
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body)).toEqual({
        error: 'unauthorized',
        message: 'A valid Bearer token is required',
      });
    }
  });

  it(`answers 413 over ${VALIDATION_MAX_BODY_BYTES} bytes (plain or base64), before verifying`, async () => {
    const { validate } = setup();
    const big = 'x'.repeat(VALIDATION_MAX_BODY_BYTES + 1);
    expect((await validate(call(big, {}))).statusCode).toBe(413);
    expect((await validate(call(Buffer.from(big).toString('base64'), {}, true))).statusCode).toBe(413);
    const fits = JSON.stringify({
      ...draftPurchase(''),
      padding: 'x'.repeat(VALIDATION_MAX_BODY_BYTES - 5_000),
    });
    expect((await validate(call(fits, await auth()))).statusCode).toBe(200);
  });

  it.each([
    ['not JSON', '{"id":', 'invalid_json', 'not valid JSON'],
    ['a JSON array', '[]', 'invalid_request', 'JSON object'],
    ['a string', '"PR-1"', 'invalid_request', 'JSON object'],
    ['neither kind', '{"id":"PR-1","status":"draft"}', 'invalid_request', 'asset'],
    [
      'an envelope',
      '{"webhook_id":"WH-1","object_class":"fulfillment_request"}',
      'invalid_request',
      'configuration',
    ],
  ])('answers 400 for %s', async (_name, body, error, says) => {
    const { validate } = setup();
    const result = await validate(call(body, await auth()));
    expect(result.statusCode).toBe(400);
    const answer = JSON.parse(result.body);
    expect(answer.error).toBe(error);
    expect(JSON.stringify(answer)).toContain(says);
  });

  it('answers 400 naming the fields a request is missing, never their values', async () => {
    const { validate } = setup();
    const { id: _id, ...noId } = draftPurchase('');
    const body = { ...noId, type: 'secret-type-value', asset: { ...noId.asset, product: {} } };

    const result = await validate(call(JSON.stringify(body), await auth()));

    expect(result.statusCode).toBe(400);
    const answer = JSON.parse(result.body) as { issues: string[]; message: string };
    expect(answer.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: /),
        expect.stringMatching(/^type: /),
        expect.stringMatching(/^asset\.product\.id: /),
      ]),
    );
    expect(result.body).not.toContain('secret-type-value');
  });

  it('lists at most 20 issues', async () => {
    const { validate } = setup();
    const body = draftPurchase('');
    const params = Array.from({ length: 500 }, () => ({ value: 1 }));

    const result = await validate(
      call(JSON.stringify({ ...body, asset: { ...body.asset, params } }), await auth()),
    );

    const answer = JSON.parse(result.body) as { issues: string[] };
    expect(answer.issues).toHaveLength(21);
    expect(answer.issues.at(-1)).toMatch(/more$/);
  });

  it.each(['pending', 'approved', 'failed', 'tiers_setup'])(
    'answers 400 naming the status %s',
    async (status) => {
      const { validate } = setup();
      const result = await validate(call(JSON.stringify(draftPurchase('', status)), await auth()));
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body)).toMatchObject({ error: 'status_not_validated', status });
      expect(JSON.parse(result.body).message).toContain(status);
    },
  );

  it('answers 400 for a TCR in a status that is not validated', async () => {
    const { validate } = setup();
    const result = await validate(call(JSON.stringify({ ...tier2Draft(), status: 'pending' }), await auth()));
    expect(JSON.parse(result.body)).toMatchObject({ error: 'status_not_validated', status: 'pending' });
  });

  it('answers 400 for a body nested deeper than 64 levels (JSON.parse takes any depth, a deep copy does not)', async () => {
    const { validate } = setup();
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const text = JSON.stringify({ ...draftPurchase(''), x: 0 }).replace('"x":0', `"x":${deep}`);

    const result = await validate(call(text, await auth()));

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_request' });
    expect(JSON.parse(result.body).message).toContain('64');
  });

  it('answers 400 for a body flagged base64 that is not', async () => {
    const { validate } = setup();
    const result = await validate(call('{not base64}', await auth(), true));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('invalid_body');
  });
});

describe('the deployed handler', () => {
  it('reads its configuration without the API key: the route makes no Connect call', async () => {
    vi.stubEnv('CONNECT_API_URL', 'https://api.connect.example/public/v1');
    vi.stubEnv('CONNECT_API_KEY', '');
    vi.stubEnv('CONNECT_API_KEY_PARAMETER', '');
    vi.stubEnv('CONNECT_WEBHOOK_SECRETS', SECRET);
    output = captureOutput();
    try {
      const { handler } = await import('../../functions/validate/handler');
      const result = await handler(
        call(JSON.stringify(draftPurchase('')), await auth()),
        fakeLambdaContext(),
      );
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body).asset.params[0].value_error).toBe(MISSING_EMAIL_ERROR);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('needs a webhook secret, and the API key only when asked to (the default)', () => {
    expect(() =>
      loadConfig(
        { CONNECT_API_URL: 'https://x.example/public/v1' },
        { requireWebhookSecrets: true, requireApiKey: false },
      ),
    ).toThrow('CONNECT_WEBHOOK_SECRETS');
    expect(() => loadConfig({ CONNECT_API_URL: 'https://x.example/public/v1' })).toThrow('CONNECT_API_KEY');
  });
});
