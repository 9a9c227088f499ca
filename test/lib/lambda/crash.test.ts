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
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../../emulator';
import { createDemoProvisioner, type Provisioner } from '../../../functions/purchase/provisioner';
import { ACTIVATION_KEY_PARAM, createPurchaseHandler } from '../../../functions/purchase/purchase';
import { sweep } from '../../../functions/sweep/sweep';
import { createConnectClient, type FulfillmentRequest } from '../../../lib/connect';
import { dispatchPending, FUNCTION_NAMES } from '../../../lib/dispatch';
import { createFulfillmentFunction, createPersistenceStore } from '../../../lib/lambda';
import { createLogger } from '../../../lib/observability';
import { loadSamples } from '../../../scripts/local-stack';
import { type LocalDynamo, startLocalDynamo } from '../../../scripts/local-stack/dynamo';
import { connectHttp } from '../../../scripts/local-stack/samples';

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

function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'connect-fulfillment-dev-purchase',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:connect-fulfillment-dev-purchase',
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/connect-fulfillment-dev-purchase',
    logStreamName: 'crash',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One execution environment of the purchase function: its own client, store and provisioner instance. */
function purchaseFunction(provisioned: string[], fetchImpl: typeof fetch, now: () => number = Date.now) {
  const demo = createDemoProvisioner();
  const provisioner: Provisioner = {
    async provision(request) {
      provisioned.push(request.asset.id);
      return demo.provision(request);
    },
  };
  return createFulfillmentFunction(
    createPurchaseHandler({ provisioner, activationTemplates: () => TEMPLATE }),
    {
      deps: () => ({
        client: createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY, fetch: fetchImpl }),
        newPersistenceStore: () => createPersistenceStore(TABLE, { DYNAMODB_ENDPOINT: dynamo.endpoint }),
      }),
      logger: createLogger({ POWERTOOLS_LOG_LEVEL: 'SILENT' }),
      now,
    },
  );
}

/** The scheduled sweep with the real dispatcher; its invoker runs the purchase function and waits for it. */
async function runSweep(productId: string, handler: ReturnType<typeof purchaseFunction>) {
  const client = createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY });
  const results: unknown[] = [];
  const outcome = await sweep(`sweep-${crypto.randomUUID()}`, {
    products: [productId],
    logger: createLogger({ POWERTOOLS_LOG_LEVEL: 'SILENT' }),
    dispatch: (args) =>
      dispatchPending({
        ...args,
        client,
        logger: createLogger({ POWERTOOLS_LOG_LEVEL: 'SILENT' }),
        invoker: {
          async invoke(functionName, payload) {
            expect(FUNCTION_NAMES).toContain(functionName);
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
  const timedOut = dying({ request: listed, correlationId: 'crash-1' }, lambdaContext(REMAINING_MS)).then(
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
    )({ request: listed, correlationId: 'crash-1', listedAt }, lambdaContext(60_000));

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

describe('the failure path of an asynchronous type function invocation', () => {
  it('retries twice, then sends the event to the SQS dead-letter queue (resolved serverless.yml)', async () => {
    // Act: the configuration as the framework resolves it (YAML merge keys, params, variables).
    const root = path.resolve(import.meta.dirname, '..', '..', '..');
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'sls'),
      ['print', '--format', 'json'],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
    );
    const config = JSON.parse(stdout) as {
      functions: Record<string, Record<string, unknown>>;
      resources: { Resources: Record<string, { Type: string }> };
    };

    // Assess: every type function (not the router nor the sweep) has the failure path.
    const typeFunctions = FUNCTION_NAMES.map((name) => [name, config.functions[name]] as const);
    for (const [name, fn] of typeFunctions) {
      expect(fn, name).toMatchObject({
        maximumRetryAttempts: 2,
        destinations: {
          onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DispatchDeadLetterQueue', 'Arn'] } },
        },
      });
    }
    expect(config.resources.Resources.DispatchDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
  }, 60_000);
});
