/**
 * `npm run tasks`: the operator's command on real task records (dynalite), with the type function's run
 * passed in (the stack test runs it for real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledRun } from '../../lib/scheduler';
import { createTaskStore, type TaskStore } from '../../lib/tasks';
import { createTasksTable, type LocalDynamo, startLocalDynamo } from '../../scripts/local-stack/dynamo';
import { renderList, runCli, type TasksTarget } from '../../scripts/tasks/cli';

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamo(0, 'tasks-cli-unused');
});
afterAll(async () => {
  await dynamo.stop();
});

const NOW = Date.parse('2026-12-01T10:00:00Z');
const REFUSED = 'Connect refused the parameter update: Parameter email does not exist (VAL_001)';

/** A table with one parked, one rescheduled and one done request (as the functions write them). */
async function seeded(): Promise<TaskStore> {
  const table = `tasks-cli-${++tables}`;
  await createTasksTable(dynamo.endpoint, table);
  const store = createTaskStore({ table, endpoint: dynamo.endpoint });
  const claim = async (id: string, productId: string) => {
    const claimed = await store.claim({
      id,
      version: 'v1',
      listedAt: NOW - 10,
      now: NOW,
      token: `t-${id}`,
      objectClass: 'fulfillment_request',
      type: 'purchase',
      productId,
      fn: 'purchase',
      leaseSeconds: 900,
    });
    if (!claimed) throw new Error('not claimed');
    return claimed;
  };
  const attempt = (outcome: 'parked' | 'rescheduled' | 'approved') => ({
    n: 1,
    at: NOW + 5,
    outcome,
    durationMs: 42,
    lambdaRequestId: 'lambda-1',
  });
  await claim('PR-PARKED', 'PRD-1');
  await store.complete({
    id: 'PR-PARKED',
    token: 't-PR-PARKED',
    state: 'parked',
    outcome: 'parked',
    version: 'v1',
    attempt: attempt('parked'),
    now: NOW + 5,
    reason: REFUSED,
    error: { code: 'VAL_001', message: 'Parameter email does not exist' },
    expiresAt: undefined,
  });
  await claim('PR-LATER', 'PRD-2');
  await store.complete({
    id: 'PR-LATER',
    token: 't-PR-LATER',
    state: 'rescheduled',
    outcome: 'rescheduled',
    version: 'v1',
    attempt: attempt('rescheduled'),
    now: NOW + 6,
    dueAt: NOW + 60_000,
    reschedules: 1,
    expiresAt: undefined,
  });
  await claim('PR-DONE', 'PRD-1');
  await store.complete({
    id: 'PR-DONE',
    token: 't-PR-DONE',
    state: 'done',
    outcome: 'approved',
    version: 'v1',
    attempt: attempt('approved'),
    now: NOW + 7,
    expiresAt: undefined,
  });
  return store;
}

async function cli(argv: string[], store: TaskStore, run: TasksTarget['run'] = async () => undefined) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    {},
    { out: (line) => out.push(line), err: (line) => err.push(line) },
    { target: async () => ({ name: 'test', store, run }), now: () => NOW + 1_000 },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run tasks', () => {
  it('lists the requests that need attention, parked and rescheduled, never the decided ones', async () => {
    const store = await seeded();

    const { code, out } = await cli(['list'], store);

    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(
      /^REQUEST\s+STATE\s+TYPE\s+PRODUCT\s+ATTEMPTS\s+LAST OUTCOME\s+UPDATED\s+NEXT \/ REASON$/,
    );
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['PR-LATER', 'PR-PARKED']);
    expect(out).toContain(REFUSED);
    expect(out).toContain('due 2026-12-01T10:01:00Z');
    expect(out).not.toContain('PR-DONE');
  });

  it('filters by state and product, lists every record with --all, and prints JSON with --json', async () => {
    const store = await seeded();

    const parked = await cli(['list', '--state', 'parked'], store);
    const product = await cli(['list', '--product', 'PRD-2'], store);
    const all = await cli(['list', '--all', '--json'], store);

    expect(parked.out).toContain('PR-PARKED');
    expect(parked.out).not.toContain('PR-LATER');
    expect(product.out).toContain('PR-LATER');
    expect(product.out).not.toContain('PR-PARKED');
    const records = JSON.parse(all.out) as Array<{ id: string; state: string }>;
    expect(records.map((record) => [record.id, record.state]).sort()).toEqual([
      ['PR-DONE', 'done'],
      ['PR-LATER', 'rescheduled'],
      ['PR-PARKED', 'parked'],
    ]);
  });

  it('shows one record: its reason in plain words, its error and its attempts', async () => {
    const store = await seeded();

    const { code, out } = await cli(['show', 'PR-PARKED'], store);

    expect(code).toBe(0);
    expect(out).toMatch(/^request:\s+PR-PARKED$/m);
    expect(out).toMatch(new RegExp(`^reason:\\s+${REFUSED.replace(/[()]/g, '\\$&')}$`, 'm'));
    expect(out).toMatch(/^last error:\s+VAL_001: Parameter email does not exist$/m);
    expect(out).toMatch(/^1\s+2026-12-01T10:00:00Z\s+parked\s+42 ms\s+lambda-1$/m);
  });

  it('releases a parked request: due now, its type function run once with a trigger of its own', async () => {
    const store = await seeded();
    const runs: Array<{ fn: string; event: ScheduledRun }> = [];

    const { code, out } = await cli(['release', 'PR-PARKED'], store, async (fn, event) => {
      runs.push({ fn, event });
      return { outcome: 'approved' };
    });

    expect(code).toBe(0);
    expect(runs).toEqual([
      {
        fn: 'purchase',
        event: {
          trigger: 'schedule',
          objectClass: 'fulfillment_request',
          requestId: 'PR-PARKED',
          token: expect.any(String),
          dueAt: NOW + 1_000,
          correlationId: expect.stringMatching(/^release-/),
        },
      },
    ]);
    expect(out).toContain('Released PR-PARKED: purchase ran once: approved');
    // The trigger's claim is the run's: released, the record is due for that one run.
    expect(await store.get('PR-PARKED')).toMatchObject({ state: 'rescheduled', dueAt: NOW + 1_000 });
  });

  it('refuses to release a request that is neither parked nor rescheduled, and one it does not know', async () => {
    const store = await seeded();
    let ran = 0;
    const run = async () => {
      ran += 1;
    };

    const done = await cli(['release', 'PR-DONE'], store, run);
    const unknown = await cli(['show', 'PR-NOPE'], store, run);

    expect(done).toMatchObject({
      code: 1,
      err: 'PR-DONE is done, not parked or rescheduled: nothing to release.',
    });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No task record for PR-NOPE');
    expect(ran).toBe(0);
  });

  it.each([
    [[]],
    [['drop', 'PR-1']],
    [['show']],
    [['list', 'PR-1']],
    [['list', '--state', 'done']],
    [['list', '--frobnicate']],
  ])('answers usage (exit 2) to %j', async (argv) => {
    const store = await seeded();

    const { code, err } = await cli(argv, store);

    expect(code).toBe(2);
    expect(err).toContain('Usage:');
  });

  it('says so when nothing matches', () => {
    expect(renderList([])).toBe('No task records match.');
  });
});
