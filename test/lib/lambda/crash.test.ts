/**
 * Crash: a purchase function dies after its PUT (the ActivationKey is written) and before its approve.
 *
 * What a crash is for the task record: a dead process writes nothing, so its claim stays `processing` until
 * its lease runs out; until then no dispatch lets the request through. Modelled faithfully in process: the
 * real purchase handler and Lambda wiring (createTypeFunction), the real task store on a local DynamoDB
 * (dynalite), the real dispatcher and the real Connect emulator; the first invocation's approve never answers
 * and the invocation is abandoned, as a process killed at its timeout would be. The dispatch after the lease
 * must complete the request, and the vendor's provisioning must have run exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../../emulator';
import { createDemoProvisioner, type Provisioner } from '../../../functions/automation/provisioner';
import { ACTIVATION_KEY_PARAM, createPurchaseHandler } from '../../../functions/automation/purchase';
import type { AutomationTable } from '../../../lib/automation';
import { TASK_DEFAULTS } from '../../../lib/config';
import { createConnectClient, type FulfillmentRequest } from '../../../lib/connect';
import { createDispatcher, entryFor, typeFunctionNames } from '../../../lib/dispatch';
import { createTypeFunction } from '../../../lib/lambda';
import { createLogger } from '../../../lib/observability';
import { createTaskStore } from '../../../lib/tasks';
import { loadSamples } from '../../../scripts/local-stack';
import { type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { connectHttp } from '../../../scripts/local-stack/samples';
import { fakeLambdaContext } from '../../support/lambda-context';

const API_KEY = 'ApiKey SU-000-000-000:crash-test-key';
const TABLE = 'crash-tasks';
/** The claim's lease in the first test: short, so that the dead run's claim runs out quickly. */
const SHORT_LEASE_SECONDS = 3;
const TEMPLATE = 'TL-111-222-333';
/** What the first invocation had left when it died (middy answers the timeout then). */
const REMAINING_MS = 1_500;

let emulator: EmulatorHandle;
let dynamo: LocalDynamo;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, apiKey: API_KEY });
  dynamo = await startLocalDynamo(0, TABLE);
});
afterAll(async () => {
  await emulator?.stop();
  await dynamo?.stop();
});

const lambdaContext = (remainingMs: number) => fakeLambdaContext({ remainingMs });

const tasks = () => createTaskStore({ table: TABLE, endpoint: dynamo.endpoint });

/** One execution environment of the purchase function: its own client, store and provisioner instance. */
function purchaseFunction(
  provisioned: string[],
  fetchImpl: typeof fetch,
  { now = Date.now, leaseSeconds = SHORT_LEASE_SECONDS }: { now?: () => number; leaseSeconds?: number } = {},
) {
  const demo = createDemoProvisioner();
  const provisioner: Provisioner = {
    async provision(request) {
      provisioned.push(request.asset.id);
      return demo.provision(request);
    },
  };
  const table = tableWith(createPurchaseHandler({ provisioner, activationTemplates: () => TEMPLATE }));
  return createTypeFunction({
    deps: () => ({
      client: createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY, fetch: fetchImpl }),
      handlerFor: (objectClass, type) => entryFor(table, objectClass, type)?.process,
      tasks: tasks(),
      scheduler: { at: async () => undefined },
      settings: { ...TASK_DEFAULTS, table: TABLE, leaseSeconds },
      functionPrefix: 'connect-fulfillment-dev',
    }),
    logger: createLogger({ logLevel: 'SILENT' }),
    now,
  });
}

/** The automation table of these tests: the shipped purchase logic with this environment's provisioner. */
function tableWith(purchase: ReturnType<typeof createPurchaseHandler>): AutomationTable {
  return { fulfillment_request: { purchase: { process: purchase } }, tier_config_request: {} };
}

/** A dispatch of the product (as the sweep asks for), the real dispatcher; its invoker runs the function. */
async function runDispatch(productId: string, handler: ReturnType<typeof purchaseFunction>) {
  const client = createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY });
  const results: unknown[] = [];
  const table = tableWith(
    createPurchaseHandler({ provisioner: createDemoProvisioner(), activationTemplates: () => TEMPLATE }),
  );
  const summary = await createDispatcher({
    client,
    automation: table,
    tasks: tasks(),
    concurrency: 8,
    leaseSeconds: SHORT_LEASE_SECONDS,
    logger: createLogger({ logLevel: 'SILENT' }),
    invoker: {
      async invoke(functionName, payload) {
        expect(typeFunctionNames(table)).toContain(functionName);
        results.push(await handler(payload, lambdaContext(1_000)));
      },
    },
  }).dispatch({
    productId,
    objectClass: 'fulfillment_request',
    correlationId: `sweep-${crypto.randomUUID()}`,
  });
  return { summary, results };
}

/** A pending purchase, and a first invocation that dies at its approve (after its PUT). */
async function crashAfterPut(leaseSeconds = SHORT_LEASE_SECONDS) {
  const sample = (await loadSamples()).find((candidate) => candidate.name === 'purchase-approved-template');
  if (!sample) throw new Error('sample purchase-approved-template missing');
  const call = connectHttp(emulator.url, API_KEY);
  const created = await call<FulfillmentRequest>('POST', '/requests', sample.request);
  const listed = await call<FulfillmentRequest>('GET', `/requests/${created.id}`);
  const provisioned: string[] = [];
  let approveReached: () => void = () => undefined;
  const diedAtApprove = new Promise<void>((resolve) => {
    approveReached = resolve;
  });
  // The first environment's approve never answers: the process is gone from here on.
  const dying = purchaseFunction(
    provisioned,
    async (input, init) => {
      if (String(input).endsWith('/approve')) {
        approveReached();
        return new Promise<Response>(() => undefined);
      }
      return fetch(input, init);
    },
    { leaseSeconds },
  );
  const claimedAt = Date.now();
  // The invocation runs until it dies at its approve; its time then runs out (middy answers the timeout, as
  // Lambda would before killing the environment) while the approve is still outstanding. Never awaited here.
  const timedOut = dying(
    { objectClass: 'fulfillment_request', request: listed, correlationId: 'crash-1' },
    lambdaContext(REMAINING_MS),
  ).then(
    () => 'returned',
    (error: unknown) => (error instanceof Error ? error.name : 'thrown'),
  );
  await diedAtApprove;
  const actionsOf = () =>
    emulator
      .calls()
      .filter((record) => record.path.includes(created.id))
      .map((record) => `${record.method} ${record.path.split('/').at(-1)} ${record.status}`);
  return {
    created,
    listed,
    provisioned,
    timedOut,
    actionsOf,
    claimedAt,
    productId: created.asset.product.id,
  };
}

describe('a purchase function that dies between its PUT and its approve', () => {
  it('leaves the request pending, and the next sweep completes it without provisioning twice', async () => {
    // Prepare + Act 1: the crash.
    const { created, provisioned, timedOut, actionsOf, productId, claimedAt } = await crashAfterPut();

    // Assess 1: the PUT landed, the approve did not, the request is still pending.
    const afterCrash = emulator.store.getRequest(created.id);
    expect(afterCrash.status).toBe('pending');
    expect(afterCrash.asset.params.find((param) => param.id === ACTIVATION_KEY_PARAM)?.value).toMatch(/^FB-/);
    expect(provisioned).toEqual([created.asset.id]);
    expect(actionsOf()).toEqual([`GET ${created.id} 200`, `PUT ${created.id} 200`]);

    // Act 2: a dispatch while the dead invocation's claim is still held (its lease not over).
    const healthy = purchaseFunction(provisioned, fetch);
    const early = await runDispatch(productId, healthy);

    // Assess 2: skipped at the dispatcher: no invocation, nothing sent, nothing provisioned.
    expect(early.summary).toMatchObject({ listed: 1, skipped: 1, dispatched: {} });
    expect(early.results).toEqual([]);
    expect(emulator.store.getRequest(created.id).status).toBe('pending');
    expect(provisioned).toHaveLength(1);

    // Act 3: the next dispatch, once the dead invocation's claim has run out.
    expect(await timedOut).toBe('TimeoutError');
    await new Promise((resolve) =>
      setTimeout(resolve, claimedAt + SHORT_LEASE_SECONDS * 1000 + 200 - Date.now()),
    );
    const next = await runDispatch(productId, healthy);

    // Assess 3: approved with the template, exactly one approve, the vendor provisioned once.
    expect(next.summary).toMatchObject({ listed: 1, dispatched: { purchase: 1 }, failed: 0 });
    expect(next.results).toEqual([expect.objectContaining({ outcome: 'approved' })]);
    const final = emulator.store.getRequest(created.id);
    expect(final.status).toBe('approved');
    expect(provisioned).toEqual([created.asset.id]);
    expect(actionsOf().filter((action) => action.startsWith('POST approve'))).toEqual(['POST approve 200']);
    expect(actionsOf().filter((action) => action.startsWith('PUT'))).toHaveLength(1);
  });

  it("Lambda's retry of the original event re-reads the request: one approve, provisioned once", async () => {
    // Prepare + Act 1: the crash, then the invocation's time runs out.
    const listedAt = new Date().toISOString();
    const { created, listed, provisioned, timedOut, actionsOf } = await crashAfterPut(
      TASK_DEFAULTS.leaseSeconds,
    );
    const keyAfterCrash = emulator.store
      .getRequest(created.id)
      .asset.params.find((param) => param.id === ACTIVATION_KEY_PARAM)?.value;
    expect(await timedOut).toBe('TimeoutError');
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Act 2: Lambda retries the event it was given (the request as listed before the PUT), a minute later.
    // It carries the claim the dying run took (the same event): read it from the task record.
    const record = await tasks().get(created.id);
    const claim = {
      token: record?.token ?? '',
      leaseUntil: record?.leaseUntil ?? 0,
      attempt: 1,
      failures: 0,
      reschedules: 0,
    };
    const aMinuteLater = () => Date.now() + 61_000;
    const retried = await purchaseFunction(provisioned, fetch, {
      now: aMinuteLater,
      leaseSeconds: TASK_DEFAULTS.leaseSeconds,
    })(
      { objectClass: 'fulfillment_request', request: listed, correlationId: 'crash-1', listedAt, claim },
      lambdaContext(60_000),
    );

    // Assess: the aged event was re-read, so the ActivationKey written before the crash was seen: approved
    // once, the same key, and the vendor's provisioning ran once in all.
    expect(retried).toMatchObject({ outcome: 'approved' });
    const final = emulator.store.getRequest(created.id);
    expect(final.status).toBe('approved');
    expect(final.asset.params.find((param) => param.id === ACTIVATION_KEY_PARAM)?.value).toBe(keyAfterCrash);
    expect(provisioned).toEqual([created.asset.id]);
    expect(actionsOf().filter((action) => action.startsWith('POST approve'))).toEqual(['POST approve 200']);
  });
});
