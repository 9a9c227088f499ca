/** The Lambda wiring of a type function, against a real local DynamoDB (dynalite) for idempotency. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Fail, type FulfillmentHandler, type FulfillmentRequest, Skip } from '../../../lib/automation';
import { InvalidPayloadError } from '../../../lib/engine';
import { createPersistenceStore, createTypeFunction, REQUEST_LOCK_SECONDS } from '../../../lib/lambda';
import { FULFILLMENT_REQUEST } from '../../../lib/object-classes';
import { createLogger } from '../../../lib/observability';
import {
  createIdempotencyTable,
  type LocalDynamo,
  startLocalDynamo,
} from '../../../scripts/local-stack/dynamo';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { fakeLambdaContext } from '../../support/lambda-context';

let dynamo: LocalDynamo;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo(0, 'unused-table');
});
afterAll(async () => {
  await dynamo.stop();
});

async function setup(
  handler: FulfillmentHandler,
  request: FulfillmentRequest,
  now: () => number = Date.now,
  logger = createLogger({ logLevel: 'SILENT' }),
) {
  const tableName = `idempotency-${++tableCount}`;
  await createIdempotencyTable(dynamo.endpoint, tableName);
  const client = new FakeConnectClient({ requests: [request] });
  const fn = createTypeFunction({
    deps: () => ({
      client,
      // The function's table: this handler for fulfillment requests only.
      handlerFor: (objectClass) => (objectClass === FULFILLMENT_REQUEST ? handler : undefined) as never,
      newPersistenceStore: () => createPersistenceStore({ table: tableName, endpoint: dynamo.endpoint }),
    }),
    logger,
    now,
  });
  const invoke = (payloadRequest: FulfillmentRequest = request, listedAt?: string) =>
    fn(
      {
        objectClass: 'fulfillment_request',
        request: payloadRequest,
        correlationId: 'corr-1',
        ...(listedAt ? { listedAt } : {}),
      },
      fakeLambdaContext(),
    );
  return { client, invoke, fn };
}

let output: CapturedOutput | undefined;
afterEach(() => output?.restore());

describe('a type function', () => {
  it('processes a pending request once; the same delivery again returns the stored result', async () => {
    let runs = 0;
    const { client, invoke } = await setup(
      () => {
        runs += 1;
      },
      fulfillmentRequest({ updated: '2026-11-27T10:00:00+00:00' }),
    );
    const first = await invoke();
    const second = await invoke();
    expect(first).toMatchObject({ outcome: 'approved' });
    expect(second).toEqual(first);
    expect(runs).toBe(1);
    expect(client.calls.map((call) => call.op)).toEqual(['requests.approve']);
  });

  it('skips a delivery of a newer version while another invocation works on the request', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const request = fulfillmentRequest({ updated: '2026-11-27T10:00:00+00:00' });
    const { client, invoke } = await setup(async () => {
      runs += 1;
      await gate;
    }, request);
    const first = invoke();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duplicate = await invoke({ ...request, updated: '2026-11-27T10:00:01+00:00' });
    release();
    expect(duplicate).toMatchObject({ outcome: 'skipped', detail: 'in progress elsewhere' });
    expect(await first).toMatchObject({ outcome: 'approved' });
    expect(runs).toBe(1);
    expect(client.calls.map((call) => call.op)).toEqual(['requests.approve']);
  });

  it('skips a newer version delivered just after the request was processed, without a Connect call', async () => {
    const request = fulfillmentRequest({ updated: '2026-11-27T10:00:00+00:00' });
    const { client, invoke } = await setup(() => undefined, request);
    await invoke();
    const late = await invoke({ ...request, updated: '2026-11-27T10:00:05+00:00' });
    expect(late).toMatchObject({ outcome: 'skipped', detail: 'processed recently' });
    expect(client.calls.map((call) => call.op)).toEqual(['requests.approve']);
  });

  it('does nothing for a request that is no longer pending', async () => {
    const { client, invoke } = await setup(() => undefined, fulfillmentRequest({ status: 'approved' }));
    expect(await invoke()).toMatchObject({ outcome: 'skipped', detail: 'not pending' });
    expect(client.calls).toEqual([]);
  });

  it('rethrows an unexpected error and lets the retry run again', async () => {
    let runs = 0;
    const { client, invoke } = await setup(() => {
      runs += 1;
      if (runs === 1) throw new Error('vendor system down');
      throw new Fail('still failing, on purpose');
    }, fulfillmentRequest());
    await expect(invoke()).rejects.toThrow('vendor system down');
    expect(await invoke()).toMatchObject({ outcome: 'failed' });
    expect(client.calls.map((call) => call.op)).toEqual(['requests.fail']);
  });

  it('refuses a payload that is not what the dispatcher sends', async () => {
    const { invoke } = await setup(() => undefined, fulfillmentRequest());
    const { id: _id, ...withoutId } = fulfillmentRequest();
    await expect(invoke(withoutId as FulfillmentRequest)).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  it('acts on a freshly listed request without reading it again', async () => {
    const { client, invoke } = await setup(() => undefined, fulfillmentRequest());
    await invoke(undefined, new Date().toISOString());
    expect(client.calls.map((call) => call.op)).toEqual(['requests.approve']);
  });

  it('reads an aged listing again and acts on what Connect has now', async () => {
    // Prepare: listed as pending two minutes ago; meanwhile someone else approved it.
    const listed = fulfillmentRequest();
    const { client, invoke } = await setup(() => undefined, listed);
    const stored = client.fulfillment.get(listed.id);
    if (stored) stored.status = 'approved';
    // Act
    const result = await invoke(listed, new Date(Date.now() - 2 * 60_000).toISOString());
    // Assess: one read, no action on the stale copy.
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'not pending' });
    expect(client.calls.map((call) => call.op)).toEqual(['requests.get']);
  });

  it('keeps no result for a skipped request: after the lock window the same version runs again', async () => {
    // Prepare: a handler that skips (e.g. waiting for the vendor's system).
    let runs = 0;
    let clock = Date.now();
    const request = fulfillmentRequest({ updated: '2026-11-27T10:00:00+00:00' });
    const { client, invoke } = await setup(
      () => {
        runs += 1;
        throw new Skip('waiting for the tenant to be created');
      },
      request,
      () => clock,
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(clock);
      // Act 1: skipped; a redelivery right after is not run again.
      expect(await invoke()).toMatchObject({ outcome: 'skipped' });
      expect(await invoke()).toMatchObject({ outcome: 'skipped', detail: 'processed recently' });
      // Act 2: past the lock window, the same version is tried again.
      clock += (REQUEST_LOCK_SECONDS + 1) * 1000;
      vi.setSystemTime(clock);
      expect(await invoke()).toMatchObject({
        outcome: 'skipped',
        detail: 'waiting for the tenant to be created',
      });
    } finally {
      vi.useRealTimers();
    }
    // Assess
    expect(runs).toBe(2);
    expect(client.calls.filter((call) => call.op.startsWith('requests.'))).toEqual([]);
  });
});

describe('a type function: the request context on every log line', () => {
  it('attaches the fulfillment request context once, to every line of the invocation', async () => {
    // Prepare
    output = captureOutput();
    const request = fulfillmentRequest();
    const { invoke } = await setup(
      (_request, ctx) => ctx.logger.info('from the handler'),
      request,
      Date.now,
      createLogger({ logLevel: 'INFO' }),
    );

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
    const tableName = `idempotency-${++tableCount}`;
    await createIdempotencyTable(dynamo.endpoint, tableName);
    const fn = createTypeFunction({
      deps: () => ({
        client: new FakeConnectClient({ tierConfigRequests: [tcr] }),
        handlerFor: () => undefined,
        newPersistenceStore: () => createPersistenceStore({ table: tableName, endpoint: dynamo.endpoint }),
      }),
      logger: createLogger({ logLevel: 'INFO' }),
    });

    // Act: no handler for the type, so the fallback fails it.
    const result = await fn(
      { objectClass: 'tier_config_request', request: tcr, correlationId: 'c-2' },
      fakeLambdaContext(),
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
