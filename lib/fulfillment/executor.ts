/**
 * Runs a handler on one request and turns its outcome into Connect calls:
 *
 * | handler                     | fulfillment request                          | tier config request                    |
 * |-----------------------------|----------------------------------------------|----------------------------------------|
 * | returns approve-with-template | POST approve `{template_id}`               | POST approve `{template: {id}}`        |
 * | returns approve-with-tile   | POST approve `{activation_tile}`             | POST approve `{template: {representation}}` |
 * | returns nothing             | approve with the tile "Activation succeeded" | approve with the representation "Activation succeeded" |
 * | throws `Inquire`            | PUT changed params, POST inquire `{template_id}` or `{}` | PUT changed params, POST inquire |
 * | throws `Fail`               | POST fail `{reason}`                         | POST fail `{reason}`                   |
 * | throws `Skip`               | no status change; message posted to the request's conversation |              |
 * | throws anything else        | logged (name and message only) and rethrown, for Lambda's retries and DLQ |         |
 *
 * Only `pending` requests are acted on. An action Connect refuses with a 4xx (validation or not found)
 * is checked by re-reading the request: already in the action's target state → success; moved on to
 * another state → skipped; still pending → the refusal is real and is rethrown. No `error_code` is
 * matched (none is documented for wrong-state actions).
 */

import type {
  ApproveRequestBody,
  ApproveTierConfigBody,
  ConnectClient,
  FulfillmentRequest,
  TierConfigRequest,
} from '../connect';
import { ConnectNotFoundError, ConnectValidationError } from '../connect';
import { createFulfillmentContext, createTierConfigContext } from './context';
import type { FulfillmentHandler, TierConfigHandler } from './handlers';
import {
  describeError,
  fulfillmentLogAttributes,
  type Logger,
  tierConfigLogAttributes,
  withLogAttributes,
} from './logger';
import { DEFAULT_ACTIVATION_TILE, Fail, Inquire, Skip } from './outcomes';

/** Longest text posted to a conversation for a `Skip` (the Connect SDKs' convention). */
export const MAX_CONVERSATION_MESSAGE_LENGTH = 540;

export type ExecutionOutcome = 'approved' | 'inquired' | 'failed' | 'skipped';

export type ExecutionResult = {
  requestId: string;
  outcome: ExecutionOutcome;
  /** E.g. `template TL-…`, the fail reason, `already-approved`, `not pending`, the skip message. */
  detail?: string;
  /** The Connect calls made, as `METHOD path`, in order. */
  calls?: string[];
};

export type ExecutorDeps = {
  client: ConnectClient;
  logger: Logger;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  clock?: () => number;
};

type TargetStatus = 'approved' | 'inquiring' | 'failed';

const OUTCOME_OF: Record<TargetStatus, ExecutionOutcome> = {
  approved: 'approved',
  inquiring: 'inquired',
  failed: 'failed',
};

/** What differs between fulfillment and tier config requests; the engine below is shared. */
type Target<R> = {
  request: R;
  path: string;
  logger: Logger;
  calls: string[];
  client: ConnectClient;
  /** Runs the handler; resolves with what it returned. */
  runHandler(): Promise<unknown>;
  /** Approves; resolves with the result's detail. */
  approve(returned: unknown): Promise<string>;
  inquire(inquiry: Inquire): Promise<string>;
  fail(reason: string): Promise<void>;
  readStatus(): Promise<string>;
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

async function execute<R extends { id: string; status: string }>(
  target: Target<R>,
  clock: () => number,
): Promise<ExecutionResult> {
  const { request, logger, calls } = target;
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
      current = await target.readStatus();
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
    logger.error('Connect refused the action', { error: describeError(error) });
    throw error;
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

  let returned: unknown;
  try {
    logger.info('Processing request');
    returned = await target.runHandler();
  } catch (error) {
    if (error instanceof Inquire) return act('inquiring', () => target.inquire(error));
    if (error instanceof Fail) {
      return act('failed', async () => {
        await target.fail(error.reason);
        return error.reason;
      });
    }
    if (error instanceof Skip) return skip(target, error, done);
    if (isRefusal(error)) return recheck(error, undefined);
    logger.error('Handler failed', { error: describeError(error) });
    throw error;
  }
  return act('approved', () => target.approve(returned));
}

async function skip<R extends { id: string }>(
  target: Target<R>,
  skipped: Skip,
  done: (outcome: ExecutionOutcome, detail?: string) => ExecutionResult,
): Promise<ExecutionResult> {
  const { client, logger, calls, request } = target;
  const note = skipped.note?.trim();
  if (note === undefined || note === '') {
    logger.info('Skipped without a message');
    return done('skipped');
  }
  const text = truncateMessage(note);
  try {
    calls.push(`GET /conversations?instance_id=${request.id}`);
    const conversation = await client.conversations.findByInstanceId(request.id);
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

function unknownOutcome(returned: unknown): never {
  const kind =
    typeof returned === 'object' && returned !== null && 'kind' in returned
      ? String(returned.kind)
      : typeof returned;
  throw new TypeError(`Handler returned an unknown outcome: ${kind}`);
}

function fulfillmentApproveBody(returned: unknown): ApproveRequestBody {
  if (returned === undefined || returned === null) return { activation_tile: DEFAULT_ACTIVATION_TILE };
  if (typeof returned === 'object' && 'kind' in returned) {
    if (returned.kind === 'approve-with-template' && 'templateId' in returned) {
      return { template_id: String(returned.templateId) };
    }
    if (returned.kind === 'approve-with-tile' && 'tile' in returned) {
      return { activation_tile: String(returned.tile) };
    }
  }
  return unknownOutcome(returned);
}

function tierApproveBody(returned: unknown): ApproveTierConfigBody {
  if (returned === undefined || returned === null) {
    return { template: { representation: DEFAULT_ACTIVATION_TILE } };
  }
  if (typeof returned === 'object' && 'kind' in returned) {
    if (returned.kind === 'approve-tier-with-template' && 'templateId' in returned) {
      return { template: { id: String(returned.templateId) } };
    }
    if (returned.kind === 'approve-tier-with-tile' && 'representation' in returned) {
      return { template: { representation: String(returned.representation) } };
    }
  }
  return unknownOutcome(returned);
}

/** Runs `handler` on a fulfillment request and applies its outcome (see the table at the top of this file). */
export async function executeFulfillmentRequest(
  request: FulfillmentRequest,
  handler: FulfillmentHandler,
  deps: ExecutorDeps,
): Promise<ExecutionResult> {
  const { client } = deps;
  const logger = withLogAttributes(deps.logger, fulfillmentLogAttributes(request));
  const calls: string[] = [];
  const path = `/requests/${request.id}`;
  const ctx = createFulfillmentContext(request, { client, logger, recordCall: (call) => calls.push(call) });
  return execute(
    {
      request,
      path,
      logger,
      calls,
      client,
      runHandler: async () => handler(ctx.request, ctx),
      async approve(returned) {
        const body = fulfillmentApproveBody(returned);
        calls.push(`POST ${path}/approve`);
        await client.requests.approve(request.id, body);
        return 'template_id' in body ? `template ${body.template_id}` : 'tile';
      },
      async inquire(inquiry) {
        const sent = await ctx.updateParameters(inquiry.params);
        calls.push(`POST ${path}/inquire`);
        await client.requests.inquire(
          request.id,
          inquiry.templateId === undefined ? {} : { template_id: inquiry.templateId },
        );
        return `params ${sent.map((param) => param.id).join(',') || '(none changed)'}`;
      },
      async fail(reason) {
        calls.push(`POST ${path}/fail`);
        await client.requests.fail(request.id, reason);
      },
      async readStatus() {
        calls.push(`GET ${path}`);
        return (await client.requests.get(request.id)).status;
      },
    },
    deps.clock ?? Date.now,
  );
}

/** Runs `handler` on a tier config request and applies its outcome (see the table at the top of this file). */
export async function executeTierConfigRequest(
  request: TierConfigRequest,
  handler: TierConfigHandler,
  deps: ExecutorDeps,
): Promise<ExecutionResult> {
  const { client } = deps;
  const logger = withLogAttributes(deps.logger, tierConfigLogAttributes(request));
  const calls: string[] = [];
  const path = `/tier/config-requests/${request.id}`;
  const ctx = createTierConfigContext(request, { client, logger, recordCall: (call) => calls.push(call) });
  return execute(
    {
      request,
      path,
      logger,
      calls,
      client,
      runHandler: async () => handler(ctx.request, ctx),
      async approve(returned) {
        const body = tierApproveBody(returned);
        calls.push(`POST ${path}/approve`);
        await client.tierConfigRequests.approve(request.id, body);
        return 'id' in body.template ? `template ${body.template.id}` : 'tile';
      },
      async inquire(inquiry) {
        if (inquiry.templateId !== undefined) {
          logger.warn('Inquire template ignored: tier config requests take no inquire template');
        }
        const sent = await ctx.updateParameters(inquiry.params);
        calls.push(`POST ${path}/inquire`);
        await client.tierConfigRequests.inquire(request.id);
        return `params ${sent.map((param) => param.id).join(',') || '(none changed)'}`;
      },
      async fail(reason) {
        calls.push(`POST ${path}/fail`);
        await client.tierConfigRequests.fail(request.id, reason);
      },
      async readStatus() {
        calls.push(`GET ${path}`);
        return (await client.tierConfigRequests.get(request.id)).status;
      },
    },
    deps.clock ?? Date.now,
  );
}
