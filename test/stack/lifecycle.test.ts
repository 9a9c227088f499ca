/**
 * The request lifecycle on the real local stack, over real HTTP (docs/lifecycle.md): the inquiry round trip
 * through the webhook alone, whenever the customer answers; Reschedule's timing through the local
 * EventBridge Scheduler; parking (a product without the email parameter, a vendor system that always throws);
 * release through `npm run tasks`, after which the request runs exactly once; and the command's output.
 *
 * The windows are the stage settings a vendor would tune: SKIP_RETRY_SECONDS (the wait of a skipped request,
 * shortened here so that "after the window" comes in seconds) and FAILURE_RETRY_SECONDS (the first retry of a
 * handler error). No sweep runs unless a test asks for one: what is shown is the webhook's and the triggers'.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVISIONING_PARAM } from '../../functions/automation/provisioner';
import { MISSING_EMAIL_PARAM } from '../../functions/automation/purchase';
import type { TaskRecord } from '../../lib/tasks';
import { loadSamples, type Sample } from '../../scripts/local-stack';
import { bootStack, invokeSweep, type StackRun } from './reliability/support';

const PRODUCT = 'PRD-276-377-545';
const SKIP_RETRY_SECONDS = 8;
const root = path.resolve(import.meta.dirname, '..', '..');

type Created = { id: string; status: string };
let run: StackRun;
let samples: Sample[];

beforeAll(async () => {
  run = await bootStack({
    SKIP_RETRY_SECONDS: String(SKIP_RETRY_SECONDS),
    FAILURE_RETRY_SECONDS: '1',
    MAX_HANDLER_FAILURES: '3',
  });
  await run.stack.registerWebhook(PRODUCT, 'fulfillment_request');
  samples = await loadSamples();
}, 120_000);

afterAll(async () => {
  await run?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A new pending request from a sample's body, with extra parameters; its creation fires the webhook. */
async function create(name: string, extraParams: Array<{ id: string; value: string }> = []): Promise<string> {
  const sample = samples.find((candidate) => candidate.name === name);
  if (!sample) throw new Error(`no sample ${name}`);
  const body = structuredClone(sample.request) as unknown as {
    asset: { params?: unknown[]; external_id?: string };
  };
  body.asset.params = [...(body.asset.params ?? []), ...extraParams];
  body.asset.external_id = `lifecycle-${Math.random().toString(36).slice(2)}`;
  return (await run.stack.call<Created>('POST', '/requests', body)).id;
}

/** Polls the emulator's state (no Connect call) until the request has the status; ms it took, or throws. */
async function statusWithin(id: string, status: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (run.stack.emulator.store.getRequest(id).status === status) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(
    `${id} is ${run.stack.emulator.store.getRequest(id).status}, not ${status}, after ${timeoutMs} ms`,
  );
}

async function recordWithin(id: string, check: (record: TaskRecord) => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const record = await run.stack.tasks.get(id);
    if (record && check(record)) return record;
    if (Date.now() > until) throw new Error(`${id}: record ${JSON.stringify(record)} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The operator's command, as a user runs it against this stack (its ports). */
async function tasksCommand(...args: string[]) {
  const port = (url: string) => new URL(url).port;
  const result = await promisify(execFile)(
    path.join(root, 'node_modules', '.bin', 'tsx'),
    [path.join(root, 'scripts', 'tasks.ts'), ...args],
    {
      cwd: root,
      env: {
        ...process.env,
        DYNAMODB_PORT: port(run.stack.dynamoEndpoint),
        LAMBDA_INVOKE_PORT: port(run.stack.lambdaEndpoint),
      },
    },
  );
  return result.stdout;
}

/** Calls to a request's own paths (PUT, actions, GETs by id), from the emulator's log. */
const callsOf = (id: string) =>
  run.stack.emulator
    .calls()
    .filter((call) => call.path.includes(`/requests/${id}`))
    .map((call) => `${call.method} ${call.path.replace(`/public/v1/requests/${id}`, '') || '/'}`);

describe('the inquiry round trip', () => {
  it.each([
    ['at once', 0],
    ['5 s later', 5_000],
    ['after the skip window', (SKIP_RETRY_SECONDS + 2) * 1000],
  ])(
    'processes a request the customer answers %s, through its webhook, within 10 s',
    async (_when, delayMs) => {
      // Prepare: a purchase without an email goes to inquiring.
      const id = await create('purchase-inquire-missing-email');
      await statusWithin(id, 'inquiring', 20_000);
      await sleep(delayMs);

      // Act: the customer fills in the email, and Connect puts the request back to pending (its webhook fires).
      await run.stack.call('PUT', `/requests/${id}`, {
        asset: { params: [{ id: 'email', value: 'customer@example.com' }] },
      });
      await run.stack.call('POST', `/requests/${id}/pend`, {});
      const took = await statusWithin(id, 'approved', 10_000);

      // Assess
      expect(took).toBeLessThan(10_000);
      // The record is written right after the approve that Connect has already shown.
      await expect
        .poll(() => run.stack.tasks.get(id), { timeout: 5_000 })
        .toMatchObject({ state: 'done', outcome: 'approved', attempts: 2 });
    },
  );
});

describe('Reschedule', () => {
  it('runs a request again no earlier than its due time and within 5 s after it, each time', async () => {
    // The demo provisioner answers "in progress, ask again in 2 s" twice for this purchase.
    const id = await create('purchase-approved-template', [{ id: DEMO_PROVISIONING_PARAM, value: 'slow' }]);
    await statusWithin(id, 'approved', 30_000);
    // The record is written right after the approve that Connect has already shown.
    await expect
      .poll(() => run.stack.tasks.get(id), { timeout: 5_000 })
      .toMatchObject({ state: 'done', outcome: 'approved', reschedules: 2 });

    const record = (await run.stack.tasks.get(id)) as TaskRecord;
    // Both reschedules left a trigger; its name carries the exact due time (the trigger fires at it, rounded
    // up to the second). A webhook's dispatch may take a due request in that second, before its trigger:
    // that run is on time too, and the trigger then finds the request taken.
    const mine = (schedule: { name: string }) => schedule.name.startsWith(`${id}-`);
    const triggers = [...run.stack.scheduler.fired(), ...run.stack.scheduler.pending()]
      .filter(mine)
      .map((schedule) => ({ ...schedule, exactDueAt: Number(schedule.name.slice(id.length + 1)) }))
      .sort((a, b) => a.exactDueAt - b.exactDueAt);
    expect(triggers).toHaveLength(2);
    // Both fire, at their time, whoever ran the request first.
    await expect.poll(() => run.stack.scheduler.fired().filter(mine).length, { timeout: 5_000 }).toBe(2);
    for (const schedule of run.stack.scheduler.fired().filter(mine)) {
      expect(schedule.firedAt).toBeGreaterThanOrEqual(schedule.dueAt);
    }
    // Attempt n+1 starts at the n-th due time: never before it, at most 5 s after it.
    const starts = record.history.map((attempt) => attempt.at - attempt.durationMs);
    expect(starts).toHaveLength(3);
    for (const [index, trigger] of triggers.entries()) {
      expect(trigger.dueAt).toBeGreaterThanOrEqual(trigger.exactDueAt);
      const lateness = (starts[index + 1] as number) - trigger.exactDueAt;
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThanOrEqual(5_000);
      expect(trigger.exactDueAt - (record.history[index]?.at as number)).toBeGreaterThanOrEqual(1_900);
    }
  });
});

describe('parking, the tasks command and release', () => {
  let noEmail: string;
  let broken: string;

  beforeAll(async () => {
    noEmail = await create('purchase-parked-no-email-param');
    broken = await create('purchase-approved-template', [{ id: DEMO_PROVISIONING_PARAM, value: 'broken' }]);
    await recordWithin(noEmail, (record) => record.state === 'parked', 20_000);
    // Retried after 1 s and 2 s, parked at the third failure (MAX_HANDLER_FAILURES=3).
    await recordWithin(broken, (record) => record.state === 'parked', 30_000);
  }, 60_000);

  it('parks a purchase whose product has no email parameter: nothing written to Connect', async () => {
    const record = await run.stack.tasks.get(noEmail);
    expect(record).toMatchObject({ state: 'parked', attempts: 1, reason: MISSING_EMAIL_PARAM });
    expect(callsOf(noEmail)).toEqual([]);
    expect(run.stack.emulator.store.getRequest(noEmail).status).toBe('pending');
  });

  it('parks a request whose handler always throws, after its retries, logged once at ERROR', async () => {
    const record = (await run.stack.tasks.get(broken)) as TaskRecord;
    expect(record).toMatchObject({ state: 'parked', attempts: 3, failures: 3 });
    expect(record.reason).toBe(
      'The handler failed 3 times on this version: Error: The demo vendor system is broken for this subscription',
    );
    expect(record.history.map((attempt) => attempt.outcome)).toEqual(['error', 'error', 'parked']);
    const parkedLines = run.functionLogs.filter(
      ({ line }) => line.includes('"level":"ERROR"') && line.includes('Parked') && line.includes(broken),
    );
    expect(parkedLines).toHaveLength(1);
  });

  it('dispatches a parked request no more: a sweep and a webhook later, it has not run again', async () => {
    await invokeSweep(run.stack);
    await create('purchase-approved-template');
    await sleep(3_000);
    expect((await run.stack.tasks.get(noEmail))?.attempts).toBe(1);
    expect((await run.stack.tasks.get(broken))?.attempts).toBe(3);
  });

  it('lists the parked requests with their reasons, and shows one, as tables and as JSON', async () => {
    const list = await tasksCommand('list', '--state', 'parked');
    const json = JSON.parse(await tasksCommand('list', '--state', 'parked', '--json')) as TaskRecord[];
    const show = await tasksCommand('show', noEmail);

    expect(list.split('\n')[0]).toMatch(/^REQUEST\s+STATE\s+TYPE\s+PRODUCT/);
    expect(list).toContain(`${noEmail}  parked`);
    expect(list).toContain(MISSING_EMAIL_PARAM);
    expect(json.map((record) => record.id)).toEqual(expect.arrayContaining([noEmail, broken]));
    expect(show).toMatch(new RegExp(`^reason:\\s+${MISSING_EMAIL_PARAM.replace(/[`()]/g, '.')}$`, 'm'));
  });

  it('releases a parked request: it runs exactly once, even with a sweep racing the release', async () => {
    // Prepare: the product still has no email parameter, so the one run parks it again, with the same reason.
    const before = (await run.stack.tasks.get(noEmail))?.attempts as number;

    // Act
    const [released] = await Promise.all([tasksCommand('release', noEmail), invokeSweep(run.stack)]);
    await recordWithin(noEmail, (record) => record.state === 'parked' && record.attempts > before, 15_000);
    await invokeSweep(run.stack);
    await sleep(2_000);

    // Assess
    expect(released).toContain(`Released ${noEmail}`);
    expect(await run.stack.tasks.get(noEmail)).toMatchObject({
      state: 'parked',
      attempts: before + 1,
      reason: MISSING_EMAIL_PARAM,
    });
    // Writes nothing. Run by the release, it read the request (a trigger carries no copy); by the sweep, not.
    expect(callsOf(noEmail).filter((call) => call !== 'GET /')).toEqual([]);
    expect(callsOf(noEmail).length).toBeLessThanOrEqual(1);
  });
});
