/**
 * The Lambda wiring of a type function: the request's lifecycle around the handler, against a real local
 * DynamoDB (dynalite) for the task records, a fake Connect and a fake scheduler (both passed in).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Fail,
  type FulfillmentHandler,
  type FulfillmentRequest,
  Park,
  Reschedule,
  Skip,
} from '../../../lib/automation';
import { TASK_DEFAULTS } from '../../../lib/config';
import {
  ConnectAuthError,
  ConnectResponseError,
  ConnectServerError,
  ConnectValidationError,
} from '../../../lib/connect';
import { createTypeFunction, type TypeFunctionDeps } from '../../../lib/lambda';
import { FULFILLMENT_REQUEST } from '../../../lib/object-classes';
import { createLogger } from '../../../lib/observability';
import type { Trigger } from '../../../lib/scheduler';
import { createTaskStore } from '../../../lib/tasks';
import { createTasksTable, type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { fakeLambdaContext } from '../../support/lambda-context';
import { RecordingMetrics } from '../../support/recording-metrics';

let dynamo: LocalDynamo;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo(0, 'unused-table');
});
afterAll(async () => {
  await dynamo.stop();
});

let output: CapturedOutput | undefined;
afterEach(() => output?.restore());

const VERSION = '2026-11-27T10:00:00+00:00';

async function setup(
  handler: FulfillmentHandler,
  request: FulfillmentRequest = fulfillmentRequest({ updated: VERSION }),
  options: {
    settings?: Partial<TypeFunctionDeps['settings']>;
    logger?: ReturnType<typeof createLogger>;
    metrics?: RecordingMetrics;
  } = {},
) {
  const table = `tasks-${++tableCount}`;
  await createTasksTable(dynamo.endpoint, table);
  const client = new FakeConnectClient({ requests: [request] });
  const tasks = createTaskStore({ table, endpoint: dynamo.endpoint });
  const triggers: Trigger[] = [];
  let clock = Date.now();
  const fn = createTypeFunction({
    deps: () => ({
      client,
      // The function's table: this handler for fulfillment requests only.
      handlerFor: (objectClass) => (objectClass === FULFILLMENT_REQUEST ? handler : undefined) as never,
      tasks,
      scheduler: { at: async (trigger) => void triggers.push(trigger) },
      settings: { ...TASK_DEFAULTS, table, ...options.settings },
      functionPrefix: 'connect-fulfillment-dev',
    }),
    logger: options.logger ?? createLogger({ logLevel: 'SILENT' }),
    metrics: options.metrics ?? new RecordingMetrics(),
    now: () => clock,
  });
  const invoke = (payloadRequest: FulfillmentRequest = request, listedAt?: number) =>
    fn(
      {
        objectClass: 'fulfillment_request',
        request: payloadRequest,
        correlationId: 'corr-1',
        ...(listedAt === undefined ? {} : { listedAt: new Date(listedAt).toISOString() }),
      },
      fakeLambdaContext(),
    );
  const fire = (trigger: Trigger) => fn(trigger.run, fakeLambdaContext());
  const advance = (ms: number) => {
    clock += ms;
    return clock;
  };
  return { client, tasks, triggers, invoke, fire, advance, now: () => clock, request, fn };
}

const ops = (client: FakeConnectClient) => client.calls.map((call) => call.op);

/** An error as the AWS SDK throws it: a name, `$fault` and `$metadata`. */
function awsError(name: string, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(`${name} from the vendor's own AWS call`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'server' ? 500 : 400 },
  });
}

describe('a type function', () => {
  it('counts its decision and times the handler, flushed under its short name when the invocation ends', async () => {
    vi.stubEnv('SERVICE', 'connect-fulfillment');
    vi.stubEnv('STAGE', 'dev');
    const metrics = new RecordingMetrics();
    const { invoke, advance, now } = await setup(
      async () => {
        advance(40);
      },
      undefined,
      { metrics },
    );
    const listedAt = now() - 250;
    await invoke(undefined, listedAt);
    await invoke(undefined, listedAt);

    // The duplicate delivery decides nothing: one decision, one duration.
    expect(metrics.named('RequestDecided')).toEqual([
      {
        name: 'RequestDecided',
        unit: 'Count',
        dimensions: { requestType: 'purchase', outcome: 'approved' },
        value: 1,
      },
    ]);
    expect(metrics.named('HandlerDuration')).toEqual([
      { name: 'HandlerDuration', unit: 'Milliseconds', dimensions: { requestType: 'purchase' }, value: 40 },
    ]);
    // Only the run that took the request measures how long it waited since the listing.
    expect(metrics.named('DispatchLag').map((metric) => metric.value)).toEqual([250]);
    expect(metrics.flushes).toEqual(['purchase', 'purchase']);
    vi.unstubAllEnvs();
  });

  it('counts a parked request as parked, and a handler failure as rescheduled', async () => {
    const metrics = new RecordingMetrics();
    const { invoke, triggers, fire } = await setup(
      async () => {
        throw new Error('provisioning system refused');
      },
      undefined,
      { metrics, settings: { maxFailures: 2, failureRetrySeconds: 0 } },
    );
    await invoke();
    await fire(triggers[0] as Trigger);
    expect(metrics.named('RequestDecided').map((metric) => metric.dimensions.outcome)).toEqual([
      'rescheduled',
      'parked',
    ]);
  });

  it('processes a pending request once: the same delivery again runs nothing', async () => {
    let runs = 0;
    const { client, invoke, tasks, request } = await setup(() => {
      runs += 1;
    });
    const first = await invoke();
    const second = await invoke();
    expect(first).toMatchObject({ outcome: 'approved', state: 'done' });
    expect(second).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(runs).toBe(1);
    expect(ops(client)).toEqual(['requests.approve']);
    expect(await tasks.get(request.id)).toMatchObject({
      state: 'done',
      outcome: 'approved',
      attempts: 1,
      version: VERSION,
    });
  });

  it('skips a delivery of a newer version while another invocation works on the request', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const { client, invoke, request } = await setup(async () => {
      runs += 1;
      await gate;
    });
    const first = invoke();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duplicate = await invoke({ ...request, updated: '2026-11-27T10:00:01+00:00' });
    release();
    expect(duplicate).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(await first).toMatchObject({ outcome: 'approved' });
    expect(runs).toBe(1);
    expect(ops(client)).toEqual(['requests.approve']);
  });

  it('skips a newer version listed before the decision (our own PUT), without a Connect call', async () => {
    const { client, invoke, request, now, advance } = await setup(() => undefined);
    const listedBefore = now();
    advance(10);
    await invoke();
    advance(10);
    const late = await invoke({ ...request, updated: '2026-11-27T10:00:05+00:00' }, listedBefore);
    expect(late).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(ops(client)).toEqual(['requests.approve']);
  });

  it('processes a newer version listed after the decision at once (the customer answered the inquiry)', async () => {
    let runs = 0;
    const { client, invoke, request, advance } = await setup(() => {
      runs += 1;
      if (runs === 1) throw new Fail('first time');
    });
    await invoke();
    // Connect re-pended it (the fake keeps it failed: put it back to pending with a new version).
    client.fulfillment.set(request.id, {
      ...request,
      status: 'pending',
      updated: '2026-11-27T10:05:00+00:00',
    });
    advance(5_000);
    const answered = await invoke({ ...request, updated: '2026-11-27T10:05:00+00:00' });
    expect(answered).toMatchObject({ outcome: 'approved' });
    expect(runs).toBe(2);
  });

  it('does nothing for a request that is no longer pending', async () => {
    const { client, invoke } = await setup(() => undefined, fulfillmentRequest({ status: 'approved' }));
    expect(await invoke()).toMatchObject({ outcome: 'skipped', detail: 'not pending' });
    expect(client.calls).toEqual([]);
  });

  it('acts on a freshly listed request without reading it again', async () => {
    const { client, invoke, now } = await setup(() => undefined);
    await invoke(undefined, now());
    expect(ops(client)).toEqual(['requests.approve']);
  });

  it('reads an aged listing again and acts on what Connect has now', async () => {
    // Prepare: listed as pending two minutes ago; meanwhile someone else approved it.
    const { client, invoke, request, now } = await setup(() => undefined);
    const stored = client.fulfillment.get(request.id);
    if (stored) stored.status = 'approved';
    // Act
    const result = await invoke(request, now() - 2 * 60_000);
    // Assess: one read, no action on the stale copy.
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'not pending' });
    expect(ops(client)).toEqual(['requests.get']);
  });

  it('offers a skipped request again only after its retry time, then runs the same version again', async () => {
    let runs = 0;
    const { client, invoke, advance } = await setup(
      () => {
        runs += 1;
        throw new Skip('waiting for the tenant to be created');
      },
      undefined,
      { settings: { skipRetrySeconds: 120 } },
    );
    expect(await invoke()).toMatchObject({ outcome: 'skipped' });
    advance(1_000);
    expect(await invoke()).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    advance(120_000);
    expect(await invoke()).toMatchObject({
      outcome: 'skipped',
      detail: 'waiting for the tenant to be created',
    });
    expect(runs).toBe(2);
    expect(client.calls.filter((call) => call.op.startsWith('requests.'))).toEqual([]);
  });

  it('takes the version its own PUT left for its own: a skip after a PUT waits for its retry time', async () => {
    // Prepare: Connect answers a PUT with the request's new `updated`, as the real API does.
    const { client, invoke, tasks, request, now, advance } = await setup(
      async (_current, ctx) => {
        await ctx.updateParameters([{ id: 'email', value: 'x@example.com' }]);
        throw new Skip();
      },
      undefined,
      { settings: { skipRetrySeconds: 120 } },
    );
    const afterPut = '2026-11-27T10:00:09+00:00';
    const put = client.requests.updateParams;
    client.requests.updateParams = async (...args) => ({ ...(await put(...args)), updated: afterPut });

    // Act: the run, then a listing taken after it that shows our PUT's version.
    await invoke();
    advance(1_000);
    const again = await invoke({ ...request, updated: afterPut }, now());

    // Assess
    expect(again).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(await tasks.get(request.id)).toMatchObject({
      state: 'done',
      outcome: 'skipped',
      version: afterPut,
    });
  });

  it('skips an event whose claim would expire before the run could end (it waited too long in the queue)', async () => {
    let runs = 0;
    const { fn, request, now } = await setup(() => {
      runs += 1;
    });
    const result = await fn(
      {
        objectClass: 'fulfillment_request',
        request,
        correlationId: 'late',
        listedAt: new Date(now()).toISOString(),
        claim: { token: 't', leaseUntil: now() + 10_000, attempt: 1, failures: 0, reschedules: 0 },
      },
      fakeLambdaContext({ remainingMs: 60_000 }),
    );
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'claim expired' });
    expect(runs).toBe(0);
  });
});

describe('a type function: Reschedule', () => {
  it('leaves a trigger at the due time, and runs again only then', async () => {
    let runs = 0;
    const { client, invoke, fire, triggers, tasks, request, advance, now } = await setup(() => {
      runs += 1;
      if (runs <= 2) throw new Reschedule(5);
    });

    // Act 1: rescheduled.
    const first = await invoke();
    const record = await tasks.get(request.id);
    expect(first).toMatchObject({ outcome: 'rescheduled', state: 'rescheduled' });
    expect(record).toMatchObject({ state: 'rescheduled', reschedules: 1, dueAt: now() + 5_000 });
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatchObject({
      dueAt: now() + 5_000,
      run: { trigger: 'schedule', requestId: request.id },
    });
    // A webhook or the trigger before the due time: nothing.
    advance(4_000);
    expect(await invoke(undefined, now())).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(await fire(triggers[0] as Trigger)).toMatchObject({ outcome: 'skipped', detail: 'not due' });

    // Act 2: due: the trigger reads the request and runs it; rescheduled again, then approved.
    advance(1_000);
    expect(await fire(triggers[0] as Trigger)).toMatchObject({ outcome: 'rescheduled' });
    advance(5_000);
    expect(await fire(triggers[1] as Trigger)).toMatchObject({ outcome: 'approved' });

    // Assess
    expect(runs).toBe(3);
    expect(ops(client)).toEqual(['requests.get', 'requests.get', 'requests.approve']);
    expect(await tasks.get(request.id)).toMatchObject({
      state: 'done',
      outcome: 'approved',
      reschedules: 2,
      attempts: 3,
    });
  });

  it('backs off when the trigger cannot read the request (Connect down), instead of holding the claim', async () => {
    let runs = 0;
    const { client, invoke, fire, triggers, tasks, request, advance, now } = await setup(() => {
      runs += 1;
      if (runs === 1) throw new Reschedule(5);
    });
    await invoke();
    advance(5_000);
    client.failNext('requests.get', new ConnectServerError({ method: 'GET', path: '/x', status: 503 }));

    // Act: the due trigger's read fails, then its backoff's trigger reads and runs.
    const failed = await fire(triggers[0] as Trigger);
    const record = await tasks.get(request.id);
    advance((triggers[1] as Trigger).dueAt - now());
    const last = await fire(triggers[1] as Trigger);

    // Assess
    expect(failed).toMatchObject({ outcome: 'rescheduled', detail: 'outage (1)' });
    expect(record).toMatchObject({ state: 'rescheduled', outages: 1, failures: 0, reschedules: 1 });
    expect(last).toMatchObject({ outcome: 'approved', state: 'done' });
    expect(runs).toBe(2);
  });

  it('parks a request rescheduled past the cap', async () => {
    const { invoke, fire, triggers, tasks, request, advance } = await setup(
      () => {
        throw new Reschedule(1);
      },
      undefined,
      { settings: { maxReschedules: 2 } },
    );
    await invoke();
    for (let n = 0; n < 2; n += 1) {
      advance(1_000);
      await fire(triggers.at(-1) as Trigger);
    }
    const record = await tasks.get(request.id);
    expect(record).toMatchObject({ state: 'parked', reschedules: 2 });
    expect(record?.reason).toMatch(
      /^Rescheduled 2 times over 0 days: past the limit \(2 times or 30 days\)$/,
    );
    expect(triggers).toHaveLength(2);
  });
});

describe('a type function: parking', () => {
  it('parks when the handler says so: logged once at ERROR, nothing sent, not dispatched again', async () => {
    output = captureOutput();
    let runs = 0;
    const { client, invoke, tasks, request, advance } = await setup(
      () => {
        runs += 1;
        throw new Park('the product has no parameter `email`');
      },
      undefined,
      { logger: createLogger({ logLevel: 'INFO' }) },
    );
    await invoke();
    advance(60_000);
    expect(await invoke()).toMatchObject({ outcome: 'skipped', detail: 'taken' });
    expect(runs).toBe(1);
    expect(client.calls).toEqual([]);
    expect(await tasks.get(request.id)).toMatchObject({
      state: 'parked',
      reason: 'the product has no parameter `email`',
    });
    const parkedLines = output
      .lines()
      .filter((line) => line.level === 'ERROR' && String(line.message).startsWith('Parked'));
    expect(parkedLines).toHaveLength(1);
  });

  it("parks on Connect's permanent refusal, with its code and message", async () => {
    const { client, invoke, tasks, request } = await setup(async (_request, ctx) => {
      await ctx.updateParameters([{ id: 'customer_email', value_error: 'Please provide it' }]);
    });
    client.failNext(
      'requests.updateParams',
      new ConnectValidationError({
        method: 'PUT',
        path: `/requests/${request.id}`,
        status: 400,
        errorCode: 'VAL_001',
        errors: ['Parameter customer_email does not exist'],
      }),
    );
    expect(await invoke()).toMatchObject({ outcome: 'parked' });
    expect(await tasks.get(request.id)).toMatchObject({
      state: 'parked',
      reason: 'Connect refused the parameter update: Parameter customer_email does not exist (VAL_001)',
      error: { code: 'VAL_001', message: 'Parameter customer_email does not exist' },
    });
  });

  it('retries a handler error after a backoff, and parks it the fifth time for one version', async () => {
    let runs = 0;
    const { client, invoke, fire, triggers, tasks, request, advance } = await setup(() => {
      runs += 1;
      throw new TypeError(`bug number ${runs}`);
    });
    expect(await invoke()).toMatchObject({ outcome: 'rescheduled', detail: 'handler failed (1)' });
    expect(triggers[0]?.dueAt).toBeGreaterThan(Date.now());
    for (let n = 2; n <= 5; n += 1) {
      advance(3_600_000);
      await fire(triggers.at(-1) as Trigger);
    }
    const record = await tasks.get(request.id);
    expect(runs).toBe(5);
    expect(record).toMatchObject({ state: 'parked', failures: 5 });
    expect(record?.reason).toBe('The handler failed 5 times on this version: TypeError: bug number 5');
    expect(client.calls.filter((call) => !call.op.endsWith('.get'))).toEqual([]);
  });

  it('does not count an outage against the request: a bad API key runs again after a growing backoff', async () => {
    // Prepare: the key is refused three times, then Connect takes it again.
    const { client, invoke, fire, triggers, tasks, request, now, advance } = await setup(() => undefined);
    const unauthorized = () =>
      new ConnectAuthError({ method: 'POST', path: '/x', status: 401, errorCode: 'AUTH_001' });
    for (let i = 0; i < 3; i += 1) client.failNext('requests.approve', unauthorized());

    // Act
    const first = await invoke();
    const waits: number[] = [];
    waits.push(((triggers.at(-1) as Trigger).dueAt - now()) / 1000);
    for (let i = 0; i < 2; i += 1) {
      advance((triggers.at(-1) as Trigger).dueAt - now());
      await fire(triggers.at(-1) as Trigger);
      waits.push(((triggers.at(-1) as Trigger).dueAt - now()) / 1000);
      expect(await tasks.get(request.id)).toMatchObject({
        state: 'rescheduled',
        outcome: 'error',
        failures: 0,
        reschedules: 0,
        outages: i + 2,
        error: { code: 'AUTH_001' },
      });
    }
    advance((triggers.at(-1) as Trigger).dueAt - now());
    const last = await fire(triggers.at(-1) as Trigger);

    // Assess
    expect(first).toMatchObject({ outcome: 'rescheduled', detail: 'outage (1)' });
    expect(waits).toEqual([60, 120, 240]);
    expect(last).toMatchObject({ outcome: 'approved', state: 'done' });
    expect(await tasks.get(request.id)).toMatchObject({ state: 'done', outages: 0, failures: 0 });
  });

  it.each([
    [
      'a Connect 401 (the key refused)',
      () => new ConnectAuthError({ method: 'POST', path: '/x', status: 401 }),
      'outage',
    ],
    ['a Connect 503', () => new ConnectServerError({ method: 'POST', path: '/x', status: 503 }), 'outage'],
    ['an AWS throttle', () => awsError('ThrottlingException', 'client'), 'outage'],
    ['an AWS service fault', () => awsError('InternalServerError', 'server'), 'outage'],
    [
      'a Connect 403 (not allowed, every time)',
      () => new ConnectAuthError({ method: 'POST', path: '/x', status: 403 }),
      'failure',
    ],
    [
      'an answer that fails its schema',
      () => new ConnectResponseError({ method: 'GET', path: '/x' }),
      'failure',
    ],
    ['an AWS client error (access denied)', () => awsError('AccessDeniedException', 'client'), 'failure'],
  ])('takes %s for %s', async (_what, error, expected) => {
    const { invoke, tasks, request } = await setup(() => {
      throw error();
    });
    const result = await invoke();
    const record = await tasks.get(request.id);
    expect(result).toMatchObject({ outcome: 'rescheduled' });
    expect(expected === 'outage' ? record?.outages : record?.failures).toBe(1);
    expect(expected === 'outage' ? record?.failures : (record?.outages ?? 0)).toBe(0);
  });

  it('starts the outage backoff at OUTAGE_RETRY_SECONDS', async () => {
    const { client, invoke, fire, triggers, now, advance } = await setup(() => undefined, undefined, {
      settings: { outageRetrySeconds: 5 },
    });
    const down = () => new ConnectServerError({ method: 'POST', path: '/x', status: 503 });
    client.failNext('requests.approve', down());
    client.failNext('requests.approve', down());

    await invoke();
    const waits = [((triggers.at(-1) as Trigger).dueAt - now()) / 1000];
    advance((triggers.at(-1) as Trigger).dueAt - now());
    await fire(triggers.at(-1) as Trigger);
    waits.push(((triggers.at(-1) as Trigger).dueAt - now()) / 1000);

    expect(waits).toEqual([5, 10]);
  });

  it('rethrows an outage for Lambda to retry only when the record cannot be written either', async () => {
    const { client, fn, tasks, request, now } = await setup(() => undefined);
    const claim = await tasks.claim({
      id: request.id,
      version: VERSION,
      listedAt: now(),
      now: now(),
      token: 'dispatch-1',
      objectClass: 'fulfillment_request',
      type: 'purchase',
      productId: 'PRD-276-104-559',
      fn: 'purchase',
      leaseSeconds: 900,
    });
    const event = {
      objectClass: 'fulfillment_request',
      request,
      correlationId: 'c',
      listedAt: new Date(now()).toISOString(),
      claim,
    };
    const down = new ConnectServerError({ method: 'POST', path: '/x', status: 503 });
    client.failNext('requests.approve', down);
    const complete = tasks.complete;
    tasks.complete = async () => {
      throw Object.assign(new Error('DynamoDB unavailable'), { $metadata: {} });
    };
    await expect(fn(event, fakeLambdaContext())).rejects.toBe(down);
    tasks.complete = complete;
    // Lambda's retry of the same event: its claim still holds, and it finishes the run.
    expect(await fn(event, fakeLambdaContext())).toMatchObject({ outcome: 'approved' });
    expect(await tasks.get(request.id)).toMatchObject({ state: 'done', outcome: 'approved' });
  });

  it('parks a payload that names a request but fails its schema, and drops one that names none', async () => {
    const { fn, tasks, client } = await setup(() => undefined);
    const broken = await fn(
      {
        objectClass: 'fulfillment_request',
        request: { id: 'PR-BROKEN', type: 'purchase', status: 'pending' },
        correlationId: 'c',
      },
      fakeLambdaContext(),
    );
    const anonymous = await fn(
      { objectClass: 'fulfillment_request', request: {}, correlationId: 'c' },
      fakeLambdaContext(),
    );
    expect(broken).toMatchObject({ outcome: 'parked' });
    expect((await tasks.get('PR-BROKEN'))?.reason).toMatch(/^The request does not match its schema: /);
    expect(anonymous).toMatchObject({ outcome: 'skipped', detail: 'unreadable payload' });
    expect(client.calls).toEqual([]);
  });
});

describe('a type function: the request context on every log line', () => {
  it('attaches the fulfillment request context once, to every line of the invocation', async () => {
    // Prepare
    output = captureOutput();
    const request = fulfillmentRequest();
    const { invoke } = await setup((_request, ctx) => ctx.logger.info('from the handler'), request, {
      logger: createLogger({ logLevel: 'INFO' }),
    });

    // Act
    await invoke();

    // Assess
    const lines = output.lines();
    expect(lines.map((line) => line.message)).toContain('from the handler');
    expect(lines.at(-1)).toMatchObject({ message: 'Request processed', outcome: 'approved' });
    for (const line of lines) {
      expect(line).toMatchObject({
        request_id: request.id,
        request_type: 'purchase',
        asset_id: 'AS-4412-0097-3381',
        product_id: 'PRD-276-104-559',
        correlation_id: 'corr-1',
      });
    }
  });

  it("attaches the tier context to a tier config request's lines", async () => {
    // Prepare
    output = captureOutput();
    const tcr = tierConfigRequest({ tierLevel: 2 });
    const table = `tasks-${++tableCount}`;
    await createTasksTable(dynamo.endpoint, table);
    const fn = createTypeFunction({
      deps: () => ({
        client: new FakeConnectClient({ tierConfigRequests: [tcr] }),
        handlerFor: () => undefined,
        tasks: createTaskStore({ table, endpoint: dynamo.endpoint }),
        scheduler: { at: async () => undefined },
        settings: { ...TASK_DEFAULTS, table },
        functionPrefix: 'connect-fulfillment-dev',
      }),
      logger: createLogger({ logLevel: 'INFO' }),
      // The EMF lines go to the same standard output; this test reads the log lines only.
      metrics: new RecordingMetrics(),
    });

    // Act: no handler for the type, so the fallback fails it.
    const result = await fn(
      { objectClass: 'tier_config_request', request: tcr, correlationId: 'c-2' },
      fakeLambdaContext({ functionName: 'connect-fulfillment-dev-tier-config' }),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', detail: 'Operation not supported: setup' });
    const lines = output.lines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        request_id: tcr.id,
        request_type: 'setup',
        product_id: 'PRD-276-104-559',
        tier_level: 2,
        correlation_id: 'c-2',
      });
    }
  });
});
