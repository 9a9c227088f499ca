/**
 * The engine side of dynamic validation (Connect's validator webhooks, API.md §11.4): run the vendor's
 * validator on a private copy of the request, within a deadline, then write back into the object exactly as
 * it was received only what a validator may change: the `value` and `value_error` of the parameters the
 * object already has, in every parameter list of its kind (a TCR's `params` and `configuration.params`).
 * Nothing is added, nothing removed, no other byte moves. Generic over the object-class descriptor; no
 * Connect call, no state.
 */
import type { ValidationPhase, Validator } from '../automation/automation';
import type { AnyRequest, ObjectClass } from '../object-classes';
import type { Logger } from '../observability';
import { cloneJson } from './clone';
import { applyEdits, locateListEntries, type TextEdit } from './raw-json';

/** The deadline's timer, injectable so that tests need no real waiting. */
export type DeadlineTimer = {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
};

export const systemTimer: DeadlineTimer = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class ValidationDeadlineError extends Error {
  override readonly name = 'ValidationDeadlineError';
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    super(`The validator did not finish within ${deadlineMs} ms`);
    this.deadlineMs = deadlineMs;
  }
}

/** The body as received: its text, `JSON.parse(text)`, and the same parsed by the kind's schema. */
export type ReceivedObject<R extends AnyRequest> = { text: string; json: unknown; request: R };

export type ValidationRun<R extends AnyRequest> = {
  objectClass: ObjectClass<R>;
  validator: Validator<R>;
  phase: ValidationPhase;
  received: ReceivedObject<R>;
  /** The validator's logger (the invocation's, with the request's context). */
  logger: Logger;
  deadlineMs: number;
  timer?: DeadlineTimer;
};

/** One field written back: the parameter, which field, and in which list (an index of `paramPaths`). */
export type ParamChange = { id: string; field: 'value' | 'value_error'; list: number };

export type ValidationOutcome =
  | { ok: true; body: string; changes: ParamChange[] }
  | { ok: false; reason: 'threw' | 'deadline'; error: unknown };

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path)
    current = isObject(current) && Object.hasOwn(current, key) ? current[key] : undefined;
  return current;
}

const WRITABLE = ['value', 'value_error'] as const;

/**
 * The edits that carry the validator's `value` / `value_error` into the received text: per parameter the
 * object has (matched by id in the same list of the validated copy), each field the copy holds as a string
 * (or `null`) different from the one received. A parameter the validator added, a field it deleted or gave
 * another type, and everything else it changed are ignored.
 */
export function paramEdits(
  paths: readonly (readonly string[])[],
  received: { text: string; json: unknown },
  validated: unknown,
): { edits: TextEdit[]; changes: ParamChange[] } {
  const edits: TextEdit[] = [];
  const changes: ParamChange[] = [];
  let locations: ReturnType<typeof locateListEntries> | undefined;
  paths.forEach((path, list) => {
    const sent = at(received.json, path);
    const answered = at(validated, path);
    if (!Array.isArray(sent) || !Array.isArray(answered)) return;
    sent.forEach((entry: unknown, index) => {
      if (!isObject(entry) || typeof entry.id !== 'string') return;
      const id = entry.id;
      const same = answered[index] as unknown;
      const copy =
        isObject(same) && same.id === id
          ? same
          : (answered.find((candidate: unknown) => isObject(candidate) && candidate.id === id) as
              | JsonObject
              | undefined);
      if (copy === undefined) return;
      for (const field of WRITABLE) {
        const next = copy[field];
        if ((typeof next !== 'string' && next !== null) || next === entry[field]) continue;
        locations ??= locateListEntries(received.text, paths);
        const location = locations[list]?.[index];
        if (location === undefined) continue;
        const span = location.members.get(field);
        const text = JSON.stringify(next);
        edits.push(
          span === undefined
            ? { start: location.close, end: location.close, text: `,${JSON.stringify(field)}:${text}` }
            : { start: span.start, end: span.end, text },
        );
        changes.push({ id, field, list });
      }
    });
  });
  return { edits, changes };
}

/** Runs `work` until it settles or the deadline passes, whichever comes first. */
async function withinDeadline(
  work: (signal: AbortSignal) => Promise<unknown>,
  deadlineMs: number,
  timer: DeadlineTimer,
): Promise<{ ok: true } | { ok: false; reason: 'threw' | 'deadline'; error: unknown }> {
  const abort = new AbortController();
  let handle: unknown;
  const expired = new Promise<'deadline'>((resolve) => {
    handle = timer.set(() => resolve('deadline'), deadlineMs);
  });
  try {
    // A validator that settles after the deadline is ignored (the race has handled its rejection, if any).
    const first = await Promise.race([work(abort.signal).then(() => 'done' as const), expired]);
    if (first === 'done') return { ok: true };
    const error = new ValidationDeadlineError(deadlineMs);
    abort.abort(error);
    return { ok: false, reason: 'deadline', error };
  } catch (error) {
    return { ok: false, reason: 'threw', error };
  } finally {
    timer.clear(handle);
  }
}

/**
 * Validates a received object: the validator runs on a private copy; its parameter changes are written into
 * the received text. A validator that throws or misses its deadline is reported, not thrown: what to answer
 * then is the route's policy.
 */
export async function runValidation<R extends AnyRequest>(run: ValidationRun<R>): Promise<ValidationOutcome> {
  const copy = cloneJson(run.received.request);
  const finished = await withinDeadline(
    async (signal) => {
      await run.validator(copy, { phase: run.phase, logger: run.logger, signal });
    },
    run.deadlineMs,
    run.timer ?? systemTimer,
  );
  if (!finished.ok) return finished;
  const { edits, changes } = paramEdits(run.objectClass.paramPaths, run.received, copy);
  return { ok: true, body: applyEdits(run.received.text, edits), changes };
}
