/**
 * Crash: a purchase function dies after its PUT (the ActivationKey is written) and before its approve.
 *
 * What a crash is for Powertools idempotency: a thrown error deletes the in-progress record (the retry just
 * runs again); a dead process deletes nothing, so the records stay INPROGRESS until the Lambda context's
 * remaining time has passed. Modelled faithfully in process: the real purchase handler and Lambda wiring
 * (createFulfillmentFunction), the real idempotency store on a local DynamoDB (dynalite) and the real Connect
 * emulator; the first invocation's approve never answers and the invocation is abandoned, as a process killed
 * at its timeout would be. The next sweep (the real sweep + dispatcher) must complete the request, and the
 * vendor's provisioning must have run exactly once. The failure path of a failed asynchronous invocation
 * (2 Lambda retries, then the SQS dead-letter queue) is checked on the resolved serverless configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../../emulator';
import { createDemoProvisioner, type Provisioner } from '../../../functions/automation/provisioner';
import { ACTIVATION_KEY_PARAM, createPurchaseHandler } from '../../../functions/automation/purchase';
import { sweep } from '../../../functions/sweep/sweep';
import type { AutomationTable } from '../../../lib/automation';
import { createConnectClient, type FulfillmentRequest } from '../../../lib/connect';
import { createDispatcher, entryFor, typeFunctionNames } from '../../../lib/dispatch';
import { createPersistenceStore, createTypeFunction } from '../../../lib/lambda';
import { createLogger } from '../../../lib/observability';
import { loadSamples } from '../../../scripts/local-stack';
import { type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { connectHttp } from '../../../scripts/local-stack/samples';
import { fakeLambdaContext } from '../../support/lambda-context';

const API_KEY = 'ApiKey SU-000-000-000:crash-test-key';
const TABLE = 'crash-idempotency';
const TEMPLATE = 'TL-111-222-333';
/** What the first invocation had left when it died: its in-progress records expire after this. */
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

/** One execution environment of the purchase function: its own client, store and provisioner instance. */
function purchaseFunction(provisioned: string[], fetchImpl: typeof fetch, now: () => number = Date.now) {
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
      newPersistenceStore: () => createPersistenceStore({ table: TABLE, endpoint: dynamo.endpoint }),
    }),
    logger: createLogger({ logLevel: 'SILENT' }),
    now,
  });
}

/** The automation table of these tests: the shipped purchase logic with this environment's provisioner. */
function tableWith(purchase: ReturnType<typeof createPurchaseHandler>): AutomationTable {
  return { fulfillment_request: { purchase: { process: purchase } }, tier_config_request: {} };
}

/** The scheduled sweep with the real dispatcher; its invoker runs the purchase function and waits for it. */
async function runSweep(productId: string, handler: ReturnType<typeof purchaseFunction>) {
  const client = createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY });
  const results: unknown[] = [];
  const table = tableWith(
    createPurchaseHandler({ provisioner: createDemoProvisioner(), activationTemplates: () => TEMPLATE }),
  );
  const outcome = await sweep(`sweep-${crypto.randomUUID()}`, {
    products: [productId],
    logger: createLogger({ logLevel: 'SILENT' }),
    dispatcher: createDispatcher({
      client,
      automation: table,
      concurrency: 8,
      logger: createLogger({ logLevel: 'SILENT' }),
      invoker: {
        async invoke(functionName, payload) {
          expect(typeFunctionNames(table)).toContain(functionName);
          results.push(await handler(payload, lambdaContext(60_000)));
        },
      },
    }),
  });
  return { outcome, results };
}

/** A pending purchase, and a first invocation that dies at its approve (after its PUT). */
async function crashAfterPut() {
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
  const dying = purchaseFunction(provisioned, async (input, init) => {
    if (String(input).endsWith('/approve')) {
      approveReached();
      return new Promise<Response>(() => undefined);
    }
    return fetch(input, init);
  });
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
  return { created, listed, provisioned, timedOut, actionsOf, productId: created.asset.product.id };
}

describe('a purchase function that dies between its PUT and its approve', () => {
  it('leaves the request pending, and the next sweep completes it without provisioning twice', async () => {
    // Prepare + Act 1: the crash.
    const { created, provisioned, timedOut, actionsOf, productId } = await crashAfterPut();

    // Assess 1: the PUT landed, the approve did not, the request is still pending.
    const afterCrash = emulator.store.getRequest(created.id);
    expect(afterCrash.status).toBe('pending');
    expect(afterCrash.asset.params.find((param) => param.id === ACTIVATION_KEY_PARAM)?.value).toMatch(/^FB-/);
    expect(provisioned).toEqual([created.asset.id]);
    expect(actionsOf()).toEqual([`GET ${created.id} 200`, `PUT ${created.id} 200`]);

    // Act 2: a sweep while the dead invocation's lock is still "in progress" (its remaining time not over).
    const healthy = purchaseFunction(provisioned, fetch);
    const early = await runSweep(productId, healthy);

    // Assess 2: skipped, nothing sent, nothing provisioned.
    expect(early.results).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
    expect(emulator.store.getRequest(created.id).status).toBe('pending');
    expect(provisioned).toHaveLength(1);

    // Act 3: the next sweep, once the dead invocation's time is up.
    expect(await timedOut).toBe('TimeoutError');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const next = await runSweep(productId, healthy);

    // Assess 3: approved with the template, exactly one approve, the vendor provisioned once.
    expect(next.outcome.failures).toBe(0);
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
    const { created, listed, provisioned, timedOut, actionsOf } = await crashAfterPut();
    const keyAfterCrash = emulator.store
      .getRequest(created.id)
      .asset.params.find((param) => param.id === ACTIVATION_KEY_PARAM)?.value;
    expect(await timedOut).toBe('TimeoutError');
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Act 2: Lambda retries the event it was given (the request as listed before the PUT), a minute later.
    const aMinuteLater = () => Date.now() + 61_000;
    const retried = await purchaseFunction(
      provisioned,
      fetch,
      aMinuteLater,
    )(
      { objectClass: 'fulfillment_request', request: listed, correlationId: 'crash-1', listedAt },
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
