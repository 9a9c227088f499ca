/**
 * `npm run tasks -- list|show|release`: the operator's view of the task records (docs/lifecycle.md), against
 * the local stack (`npm start`) by default or a deployed stage (`--stage`). Exit codes: 0 done, 1 failed
 * (nothing found, nothing to release, the run failed), 2 usage.
 */
import { randomUUID } from 'node:crypto';
import { isObjectClassName } from '../../lib/object-classes';
import type { ScheduledRun } from '../../lib/scheduler';
import type { Attempt, TaskRecord, TaskStore } from '../../lib/tasks';
import { type CliIo, parseCommandLine } from '../cli';
import { formatTable } from '../format-table';

export const USAGE = `Usage:
  npm run tasks -- list [--state parked|rescheduled] [--all] [--product PRD-…] [--json]
  npm run tasks -- show <request id> [--json]
  npm run tasks -- release <request id> [--json]

  list      the requests that need attention (parked, rescheduled), newest first; --all: every record
  show      one request's record: its state, why it is parked, its last attempts
  release   makes a parked or rescheduled request due now and runs its type function once

  --stage <name>   a deployed stage (AWS credentials; the table from the stack's TasksTableName output).
                   Without it: the local stack of npm start.
  --region <name>  the stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then us-east-1)
  --json           JSON instead of tables
`;

/** Where the records are, and how a type function of that stack is run. */
export type TasksTarget = {
  /** `local` or the stage's name, for the messages. */
  name: string;
  store: TaskStore;
  /** Runs a type function (its short name) with a trigger's event and returns what it answered. */
  run(fn: string, event: ScheduledRun): Promise<unknown>;
};

export type CliDeps = {
  target: (options: { stage: string | undefined; region: string }) => Promise<TasksTarget>;
  now?: () => number;
};

const STATES = ['parked', 'rescheduled'] as const;

const ARGS = {
  allowPositionals: true,
  options: {
    state: { type: 'string' },
    all: { type: 'boolean', default: false },
    product: { type: 'string' },
    stage: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
} as const;

const iso = (ms: number | undefined) =>
  ms === undefined ? '' : `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** What a record says next: why it is parked, when it is due, or when a skipped one may go again. */
function nextOf(record: TaskRecord): string {
  if (record.state === 'parked') return record.reason ?? '';
  if (record.state === 'rescheduled') return `due ${iso(record.dueAt)}`;
  if (record.state === 'processing') return `claimed until ${iso(record.leaseUntil)}`;
  return record.retryAt === undefined ? '' : `may go again ${iso(record.retryAt)}`;
}

export function renderList(records: readonly TaskRecord[]): string {
  if (records.length === 0) return 'No task records match.';
  return formatTable(
    ['REQUEST', 'STATE', 'TYPE', 'PRODUCT', 'ATTEMPTS', 'LAST OUTCOME', 'UPDATED', 'NEXT / REASON'],
    records.map((record) => [
      record.id,
      record.state,
      record.type,
      record.productId,
      String(record.attempts),
      record.outcome ?? '',
      iso(record.updatedAt),
      nextOf(record),
    ]),
  );
}

export function renderRecord(record: TaskRecord): string {
  const fields: Array<[string, string | number | undefined]> = [
    ['request', record.id],
    ['kind', `${record.objectClass} ${record.type}`],
    ['product', record.productId],
    ['function', record.fn],
    ['state', record.state],
    ['reason', record.state === 'parked' ? record.reason : undefined],
    ['due', record.state === 'rescheduled' ? iso(record.dueAt) : undefined],
    ['version', record.version],
    ['attempts', record.attempts],
    ['last outcome', record.outcome],
    [
      'last error',
      record.error ? `${record.error.code ?? ''}: ${record.error.message}`.replace(/^: /, '') : undefined,
    ],
    ['handler failures', record.failures || undefined],
    ['reschedules', record.reschedules || undefined],
    ['outages in a row', record.outages || undefined],
    ['decided', iso(record.decidedAt) || undefined],
    ['updated', iso(record.updatedAt)],
  ];
  const shown = fields.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([name]) => name.length));
  const lines = shown.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value}`);
  const history = record.history.map((attempt: Attempt) => [
    String(attempt.n),
    iso(attempt.at),
    attempt.outcome,
    `${attempt.durationMs} ms`,
    attempt.lambdaRequestId ?? '',
  ]);
  if (history.length > 0) {
    lines.push('', formatTable(['#', 'AT', 'OUTCOME', 'DURATION', 'LAMBDA REQUEST'], history));
  }
  return lines.join('\n');
}

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  deps: CliDeps,
): Promise<number> {
  const parsed = parseCommandLine(argv, ARGS, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  const needsId = command === 'show' || command === 'release';
  const state = values.state;
  if (
    (command !== 'list' && !needsId) ||
    (needsId && (id === undefined || extra.length > 0)) ||
    (command === 'list' && (id !== undefined || extra.length > 0))
  ) {
    io.err(USAGE);
    return 2;
  }
  if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
    io.err(`--state must be parked or rescheduled, got ${JSON.stringify(state)}\n\n${USAGE}`);
    return 2;
  }
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const target = await deps.target({ stage: values.stage, region });
  const print = (json: unknown, text: string) => io.out(values.json ? JSON.stringify(json, null, 2) : text);

  if (command === 'list') {
    const product = values.product;
    const records = values.all
      ? await target.store.list(product === undefined ? {} : { productId: product })
      : (
          await Promise.all(
            (state === undefined ? STATES : [state as (typeof STATES)[number]]).map((one) =>
              target.store.list({ state: one, ...(product === undefined ? {} : { productId: product }) }),
            ),
          )
        )
          .flat()
          .sort((a, b) => b.updatedAt - a.updatedAt);
    print(records, renderList(records));
    return 0;
  }

  const requestId = id as string;
  if (command === 'show') {
    const record = await target.store.get(requestId);
    if (record === undefined) {
      io.err(`No task record for ${requestId} in ${target.name}: it was never dispatched, or has expired.`);
      return 1;
    }
    print(record, renderRecord(record));
    return 0;
  }

  // release
  const now = deps.now ?? Date.now;
  const released = await target.store.release(requestId, now());
  if (released === undefined) {
    const record = await target.store.get(requestId);
    io.err(
      record === undefined
        ? `No task record for ${requestId} in ${target.name}.`
        : `${requestId} is ${record.state}, not parked or rescheduled: nothing to release.`,
    );
    return 1;
  }
  if (!isObjectClassName(released.objectClass) || released.fn === '-' || released.fn === '') {
    // A listing no schema accepts (parked by the dispatch): no function to run; the next sweep lists it again.
    print(
      { released: requestId, ran: false },
      `Released ${requestId}: due now; the next dispatch or sweep takes it (no type function on record).`,
    );
    return 0;
  }
  const event: ScheduledRun = {
    trigger: 'schedule',
    objectClass: released.objectClass,
    requestId,
    token: randomUUID(),
    dueAt: now(),
    correlationId: `release-${randomUUID()}`,
  };
  let answer: unknown;
  try {
    answer = await target.run(released.fn, event);
  } catch (error) {
    io.err(
      `Released ${requestId} (due now), but running ${released.fn} failed: ` +
        `${error instanceof Error ? error.message : String(error)}. The next sweep takes it.`,
    );
    return 1;
  }
  const after = await target.store.get(requestId);
  const { outcome, detail } = (answer ?? {}) as { outcome?: unknown; detail?: unknown };
  // A dispatch (a webhook, the sweep) may take the due request first: it still runs once, there.
  const how =
    outcome === 'skipped' && detail === 'not due'
      ? 'a dispatch took it first'
      : `${released.fn} ran once${typeof outcome === 'string' ? `: ${outcome}` : ''}`;
  print(
    { released: requestId, ran: released.fn, answer, record: after },
    `Released ${requestId}: ${how}` +
      (after ? `; now ${after.state}${after.state === 'parked' ? ` (${after.reason ?? ''})` : ''}` : ''),
  );
  return 0;
}
