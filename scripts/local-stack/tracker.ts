/**
 * Follows the seeded requests in the emulator: each one's status history, the Connect calls made on it and
 * its task record, compared with what its sample expects.
 */
import { formatTable } from '../format-table';
import type { Sample, SeededRequest } from './samples';

/** What the task record shows of a request: its state, how often it was rescheduled, why it is parked. */
export type TaskView = { state: string; reschedules: number; reason?: string | undefined };
type ExpectedTask = NonNullable<Sample['expect']['task']>;

export type EmulatorCall = { method: string; path: string; query?: string; status: number };

export type TrackedRequest = {
  id: string;
  sample: string;
  type: string;
  /** Undefined for a request someone created while the stack runs: shown, never judged. */
  expectedStatus: string | undefined;
  expectedActions: readonly string[];
  expectedTask?: ExpectedTask | undefined;
  history: string[];
  actions: string[];
  task?: TaskView | undefined;
};

function taskMatches(expected: ExpectedTask, task: TaskView | undefined): boolean | undefined {
  if (task === undefined) return undefined;
  if (task.state !== expected.state)
    return task.state === 'processing' || task.state === 'rescheduled' ? undefined : false;
  if (expected.reschedules !== undefined && task.reschedules !== expected.reschedules) {
    return task.reschedules < expected.reschedules ? undefined : false;
  }
  return expected.reason === undefined || task.reason === expected.reason;
}

export type Verdict = 'waiting' | 'ok' | 'mismatch' | 'unjudged';

const callPattern = /\/(?:requests|tier\/config-requests)\/([^/?]+)(?:\/([a-z_-]+))?$/;

/** `PUT /requests/PR-1` → `update`; `POST /requests/PR-1/approve` → `approve`; `GET /requests/PR-1` → `get`. */
export function actionOf(call: EmulatorCall): { id: string; action: string } | undefined {
  const match = callPattern.exec(call.path.split('?')[0] ?? '');
  if (!match?.[1]) return undefined;
  const id = decodeURIComponent(match[1]);
  if (match[2]) return { id, action: match[2] };
  if (call.method === 'PUT') return { id, action: 'update' };
  if (call.method === 'GET') return { id, action: 'get' };
  return undefined;
}

export function createTracker(seeded: readonly SeededRequest[]) {
  const tracked = new Map<string, TrackedRequest>(
    seeded.map(({ sample, id }) => [
      id,
      {
        id,
        sample: sample.name,
        type: sample.request.type,
        expectedStatus: sample.expect.status,
        expectedActions: sample.expect.actions,
        expectedTask: sample.expect.task,
        history: [],
        actions: [],
      },
    ]),
  );

  return {
    requests: () => [...tracked.values()],
    /** Follows a request that is not a sample (created by hand while `npm start` runs). */
    follow(id: string, type: string): void {
      if (tracked.has(id)) return;
      tracked.set(id, {
        id,
        sample: '(created while running)',
        type,
        expectedStatus: undefined,
        expectedActions: [],
        history: [],
        actions: [],
      });
    },
    isFollowed: (id: string) => tracked.has(id),
    /** Records a status seen now; returns true when it is a change. */
    observe(id: string, status: string): boolean {
      const request = tracked.get(id);
      if (!request || request.history.at(-1) === status) return false;
      request.history.push(status);
      return true;
    },
    /** Records what the task record shows of a request now. */
    setTask(id: string, task: TaskView | undefined): void {
      const request = tracked.get(id);
      if (request) request.task = task;
    },
    /** Replaces each request's actions with those found in the emulator's call log (calls since the mark). */
    setCalls(calls: readonly EmulatorCall[]) {
      for (const request of tracked.values()) request.actions = [];
      for (const call of calls) {
        const action = actionOf(call);
        if (action) tracked.get(action.id)?.actions.push(action.action);
      }
    },
    verdict(request: TrackedRequest): Verdict {
      if (request.expectedStatus === undefined) return 'unjudged';
      if (request.history.at(-1) !== request.expectedStatus) {
        const terminal = ['approved', 'failed'].includes(request.history.at(-1) ?? '');
        return terminal ? 'mismatch' : 'waiting';
      }
      // The calls so far must be the expected ones, in order: a wrong call is a mismatch at once.
      const prefix =
        request.actions.length <= request.expectedActions.length &&
        request.actions.every((action, index) => action === request.expectedActions[index]);
      if (!prefix) return 'mismatch';
      if (request.actions.length < request.expectedActions.length) return 'waiting';
      if (request.expectedTask === undefined) return 'ok';
      const task = taskMatches(request.expectedTask, request.task);
      return task === undefined ? 'waiting' : task ? 'ok' : 'mismatch';
    },
  };
}

export type Tracker = ReturnType<typeof createTracker>;

const marks: Record<Verdict, string> = { waiting: '…', ok: 'ok', mismatch: 'MISMATCH', unjudged: '' };

export function renderTable(tracker: Tracker): string {
  const rows = tracker
    .requests()
    .map((request) => [
      request.id,
      request.type,
      request.history.join(' → ') || '(not seen yet)',
      request.expectedStatus === undefined
        ? '—'
        : `${request.expectedStatus} [${request.expectedActions.join(', ')}]`,
      `${marks[tracker.verdict(request)]} [${request.actions.join(', ')}]`,
      request.task === undefined
        ? '—'
        : `${request.task.state}${request.task.reschedules > 0 ? ` (rescheduled ${request.task.reschedules}×)` : ''}`,
      request.sample,
    ]);
  const header = ['REQUEST', 'TYPE', 'STATUS', 'EXPECTED', 'OUTCOME [CALLS]', 'TASK', 'SAMPLE'];
  return formatTable(header, rows);
}
