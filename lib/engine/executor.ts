/**
 * Runs a handler on one request and turns its outcome into Connect calls, the same way for both kinds of
 * request (the descriptor writes each kind's own bodies):
 *
 * | handler                       | fulfillment request                    | tier config request                    |
 * |-------------------------------|----------------------------------------|----------------------------------------|
 * | returns approve-with-template | POST approve `{template_id}`           | POST approve `{template: {id}}`        |
 * | returns approve-with-tile     | POST approve `{activation_tile}`       | POST approve `{template: {representation}}` |
 * | returns nothing               | approve with the tile "Activation succeeded"                                    |
 * | throws `Inquire`              | PUT changed params, POST inquire (`{template_id}` or `{}` on fulfillment requests) |
 * | throws `Fail`                 | POST fail `{reason}`                                                            |
 * | throws `Skip`                 | no status change; the message is posted to the request's conversation          |
 * | throws `Reschedule(seconds)`  | no call: `rescheduled`, the caller processes it again in `seconds`             |
 * | throws `Park(reason)`         | no call: `parked` with the reason (an invalid quantity is one)                 |
 * | throws anything else          | logged (name and message only) and rethrown: the caller decides (lib/lambda)   |
 * | no handler for the type       | POST fail "Operation not supported: <type>" (the seed's default)               |
 *
 * Only `pending` requests are acted on. A write Connect refuses with a 4xx (validation or not found) is
 * checked by re-reading the request: already in the action's target state → success; moved on to another
 * state → skipped; still pending → the refusal is real and permanent: `parked`, with Connect's code and
 * message, and nothing more is sent. No `error_code` is matched (none is documented for wrong-state actions).
 */
import {
  approveWithTile,
  DEFAULT_ACTIVATION_TILE,
  Fail,
  type Handler,
  Inquire,
  Park,
  Reschedule,
  Skip,
} from '../automation';
import {
  type ConnectClient,
  type ConnectError,
  ConnectNotFoundError,
  ConnectValidationError,
} from '../connect';
import type { AnyRequest, Approval, ObjectClass } from '../object-classes';
import { describeError, type Logger } from '../observability';
import { createContext } from './context';

/** Longest text posted to a conversation for a `Skip` (the Connect SDKs' convention). */
export const MAX_CONVERSATION_MESSAGE_LENGTH = 540;

export type ExecutionOutcome = 'approved' | 'inquired' | 'failed' | 'skipped' | 'rescheduled' | 'parked';

export type ExecutionResult = {
  requestId: string;
  outcome: ExecutionOutcome;
  /** E.g. `template TL-…`, the fail reason, `already-approved`, `not pending`, the skip message. */
  detail?: string;
  /** The Connect calls made, as `METHOD path`, in order. */
  calls?: string[];
  /** rescheduled: in how many seconds. */
  rescheduleSeconds?: number;
  /** parked: why, in plain words, and Connect's refusal when there was one. */
  reason?: string;
  error?: { code?: string; message: string };
};

/** What a refused write was, in the words of the park reason. */
function refusedWrite(error: ConnectError): string {
  if (error.method === 'PUT') return 'the parameter update';
  const action = error.path.split('/').at(-1);
  return action === 'approve' || action === 'inquire' || action === 'fail'
    ? `the ${action} action`
    : 'the call';
}

/** `Connect refused the parameter update: Parameter email does not exist (VAL_001)`. */
export function refusalReason(error: ConnectError): string {
  const said = error.errors.length > 0 ? error.errors.join('; ') : `HTTP ${error.status ?? '?'}`;
  return `Connect refused ${refusedWrite(error)}: ${said}${error.errorCode ? ` (${error.errorCode})` : ''}`;
}

export type ExecutorDeps = {
  client: ConnectClient;
  /** The invocation's logger; the caller has attached the request's context to it. */
  logger: Logger;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * Called with the request's `updated` after each of our own writes (lib/lambda records the version a run
   * left, so that its own PUT is not taken for someone else's change, even when the handler then throws).
   */
  onVersion?: (updated: string) => void;
};

type TargetStatus = 'approved' | 'inquiring' | 'failed';

const OUTCOME_OF: Record<TargetStatus, ExecutionOutcome> = {
  approved: 'approved',
  inquiring: 'inquired',
  failed: 'failed',
};

/** Cuts a conversation message to 540 characters, ending with `…` when cut. */
export function truncateMessage(text: string, max = MAX_CONVERSATION_MESSAGE_LENGTH): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function isRefusal(error: unknown): boolean {
  return error instanceof ConnectValidationError || error instanceof ConnectNotFoundError;
}

/** What a handler may return: an approval, or nothing (the default tile). */
function approvalOf(returned: unknown): Approval {
  if (returned === undefined || returned === null) return approveWithTile(DEFAULT_ACTIVATION_TILE);
  if (typeof returned === 'object' && 'kind' in returned) {
    if (returned.kind === 'approve-with-template' && 'templateId' in returned) {
      return { kind: 'approve-with-template', templateId: String(returned.templateId) };
    }
    if (returned.kind === 'approve-with-tile' && 'tile' in returned) {
      return { kind: 'approve-with-tile', tile: String(returned.tile) };
    }
  }
  const kind = typeof returned === 'object' && 'kind' in returned ? String(returned.kind) : typeof returned;
  throw new TypeError(`Handler returned an unknown outcome: ${kind}`);
}

/** The seed's default for a type nobody automates. */
const unsupported: Handler<AnyRequest> = (request) => {
  throw new Fail(`Operation not supported: ${request.type}`);
};

/**
 * Runs `handler` (or, when the table has none for the type, the "Operation not supported" fallback) on a
 * request and applies its outcome (see the table at the top of this file).
 */
export async function execute<R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  request: R,
  handler: Handler<R> | undefined,
  deps: ExecutorDeps,
): Promise<ExecutionResult> {
  const { client, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const calls: string[] = [];
  const path = `${objectClass.path}/${request.id}`;
  const connect = objectClass.collection(client);
  const started = clock();
  const done = (outcome: ExecutionOutcome, detail?: string): ExecutionResult => {
    logger.info('Request processed', {
      outcome,
      ...(detail === undefined ? {} : { detail }),
      calls: calls.length,
      durationMs: clock() - started,
    });
    return { requestId: request.id, outcome, ...(detail === undefined ? {} : { detail }), calls };
  };

  if (request.status !== 'pending') {
    logger.info('Request not pending: nothing to do', { status: request.status });
    return { requestId: request.id, outcome: 'skipped', detail: 'not pending', calls };
  }

  /** Re-reads the request after Connect refused an action (or a handler's update). */
  const recheck = async (error: unknown, status: TargetStatus | undefined): Promise<ExecutionResult> => {
    let current: string;
    try {
      calls.push(`GET ${path}`);
      current = (await connect.get(request.id)).status;
    } catch (readError) {
      if (readError instanceof ConnectNotFoundError) {
        logger.warn('Connect refused the action and the request is gone: skipped', {
          error: describeError(error),
        });
        return done('skipped', 'request not found');
      }
      throw readError;
    }
    if (status !== undefined && current === status) {
      logger.info('Connect refused the action but the request is already in its target state', {
        status: current,
      });
      return done(OUTCOME_OF[status], `already-${status}`);
    }
    if (current !== 'pending') {
      logger.warn('Connect refused the action: the request moved on, skipped', {
        status: current,
        error: describeError(error),
      });
      return done('skipped', `moved on: ${current}`);
    }
    // Still pending: the refusal is real, and sending it again would be refused again. Park it, once.
    const refusal = error as ConnectError;
    const reason = refusalReason(refusal);
    // WARN here: the caller logs the parking itself, once, at ERROR.
    logger.warn('Connect refused a write on a pending request: it is parked', {
      reason,
      error: { code: refusal.errorCode, status: refusal.status, message: refusal.errors.join('; ') },
    });
    return {
      ...done('parked', reason),
      reason,
      error: {
        ...(refusal.errorCode ? { code: refusal.errorCode } : {}),
        message: refusal.errors.join('; ') || reason,
      },
    };
  };

  const act = async (status: TargetStatus, action: () => Promise<string | undefined>) => {
    try {
      return done(OUTCOME_OF[status], await action());
    } catch (error) {
      if (isRefusal(error)) return recheck(error, status);
      logger.error('Connect action failed', { error: describeError(error) });
      throw error;
    }
  };

  const ctx = createContext(objectClass, request, {
    client,
    logger,
    recordCall: (call) => calls.push(call),
    ...(deps.onVersion === undefined ? {} : { onVersion: deps.onVersion }),
  });
  const run = handler ?? (unsupported as Handler<R>);
  let returned: unknown;
  try {
    // DEBUG: the run's INFO line is its end ("Request processed", with outcome, calls and duration).
    logger.debug('Processing request');
    returned = await run(ctx.request, ctx);
  } catch (error) {
    if (error instanceof Inquire) {
      return act('inquiring', async () => {
        const { templateId } = error;
        if (templateId !== undefined && !objectClass.takesInquireTemplate) {
          logger.warn(`Inquire template ignored: ${objectClass.noun}s take no inquire template`);
        }
        const sent = await ctx.updateParameters(error.params);
        calls.push(`POST ${path}/inquire`);
        await connect.inquire(request.id, templateId === undefined ? {} : { template_id: templateId });
        return `params ${sent.map((param) => param.id).join(',') || '(none changed)'}`;
      });
    }
    if (error instanceof Fail) {
      return act('failed', async () => {
        calls.push(`POST ${path}/fail`);
        await connect.fail(request.id, error.reason);
        return error.reason;
      });
    }
    if (error instanceof Skip) return skip(request.id, error, { client, logger, calls }, done);
    if (error instanceof Reschedule) {
      logger.info('Rescheduled by the handler', { seconds: error.seconds });
      return { ...done('rescheduled', `in ${error.seconds} s`), rescheduleSeconds: error.seconds };
    }
    if (error instanceof Park) {
      logger.info('Parked by the handler: nothing is sent to Connect', { reason: error.reason });
      return { ...done('parked', error.reason), reason: error.reason };
    }
    if (isRefusal(error)) return recheck(error, undefined);
    logger.error('Handler failed', { error: describeError(error) });
    throw error;
  }
  return act('approved', async () => {
    const approval = approvalOf(returned);
    calls.push(`POST ${path}/approve`);
    await connect.approve(request.id, objectClass.approveBody(approval));
    return approval.kind === 'approve-with-template' ? `template ${approval.templateId}` : 'tile';
  });
}

async function skip(
  requestId: string,
  skipped: Skip,
  { client, logger, calls }: { client: ConnectClient; logger: Logger; calls: string[] },
  done: (outcome: ExecutionOutcome, detail?: string) => ExecutionResult,
): Promise<ExecutionResult> {
  const note = skipped.note?.trim();
  if (note === undefined || note === '') {
    logger.info('Skipped without a message');
    return done('skipped');
  }
  const text = truncateMessage(note);
  try {
    calls.push(`GET /conversations?instance_id=${requestId}`);
    const conversation = await client.conversations.findByInstanceId(requestId);
    if (conversation === undefined) {
      logger.warn('Skipped: no conversation found for the request, message not posted');
    } else {
      calls.push(`POST /conversations/${conversation.id}/messages`);
      await client.conversations.postMessage(conversation.id, text);
    }
  } catch (error) {
    logger.warn('Skipped: could not post the message to the conversation', { error: describeError(error) });
  }
  return done('skipped', text);
}
