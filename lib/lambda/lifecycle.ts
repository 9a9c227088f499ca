/**
 * The Lambda side of a type function: validate the dispatcher's payload, log with the request's context,
 * take the idempotency lock, run the vendor's handler through the executor.
 *
 * Idempotency (Powertools, DynamoDB), two records per invocation:
 * - per request version (id + `updated`), kept a day: a decided version (approved, inquired, failed) is not
 *   redone, the stored result is returned; a new version (back to pending after an inquiry, or changed under
 *   us) is processed again. A skipped one is not kept: Skip means "try again later";
 * - per request id, while in progress and `REQUEST_LOCK_SECONDS` after: another delivery of the request, of any
 *   version, is skipped without error and without a Connect call. After a crash the lock expires with the
 *   Lambda's remaining time.
 * A listing older than `STALE_PAYLOAD_MS` is read again from Connect before anything is decided on it.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Handler } from '../automation';
import type { ConnectClient } from '../connect';
import { type ExecutionResult, execute, type Payload, parsePayload } from '../engine';
import type { AnyRequest, ObjectClass } from '../object-classes';
import { appendRequestContext, logger as defaultLogger, describeError } from '../observability';

/** How long a completed result is remembered: far longer than any retry or redelivery window. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long after processing a request other deliveries of it are skipped, whatever version they carry.
 * Longer than the usual spread of duplicate deliveries; a request that really comes back to pending
 * (after an inquiry) is processed by the first webhook or sweep after it.
 */
export const REQUEST_LOCK_SECONDS = 120;

/**
 * A payload listed longer ago than this is re-read from Connect before anything is decided on it. Fresh
 * dispatches run within seconds; Lambda's own retries come a minute or more later (1 and 2 minutes), and
 * events may wait in the async queue under throttling: their copy of the request may predate writes made
 * since (an ActivationKey PUT by an invocation that then crashed) or a status change.
 */
export const STALE_PAYLOAD_MS = 30_000;

/** A delivery that arrived just after another invocation processed the same request. */
class RecentlyProcessedError extends Error {
  override readonly name = 'RecentlyProcessedError';
}

/** Carries a skipped result past the per-version record, which must not keep it (the request stays pending). */
class NotDecided extends Error {
  override readonly name = 'NotDecided';
  readonly result: ExecutionResult;

  constructor(result: ExecutionResult) {
    super(`not decided: ${result.detail ?? 'skipped'}`);
    this.result = result;
  }
}

export type TypeFunctionDeps = {
  client: ConnectClient;
  /** The vendor's handler for a request type of a kind (from the automation table). */
  handlerFor: HandlerLookup;
  /**
   * A new store over the idempotency table. Called once per idempotency layer: a Powertools persistence
   * layer keeps the configuration of the function it serves, so two layers cannot share one.
   */
  newPersistenceStore: () => BasePersistenceLayer;
};

/** The vendor's handler for a request type of a kind; `undefined` when the type is not automated. */
export type HandlerLookup = <R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  type: string,
) => Handler<R> | undefined;

export type TypeFunctionOptions = {
  /** Called on every invocation (the composition root memoizes it, rebuilt when the configuration changes). */
  deps: () => TypeFunctionDeps | Promise<TypeFunctionDeps>;
  logger?: PowertoolsLogger;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  now?: () => number;
};

/** Turns a skipped result into a `NotDecided` throw, so that the per-version record around it is dropped. */
function idempotentWithinLock<P>(
  run: (payload: P, context: Context) => Promise<ExecutionResult>,
): (payload: P, context: Context) => Promise<ExecutionResult> {
  return async (payload, context) => {
    const result = await run(payload, context);
    if (result.outcome === 'skipped') throw new NotDecided(result);
    return result;
  };
}

/** A type function: the Lambda handler that runs the vendor's logic on the requests dispatched to it. */
export function createTypeFunction({
  deps: getDeps,
  logger = defaultLogger,
  now = Date.now,
}: TypeFunctionOptions) {
  /** The request to act on: the listed copy, or Connect's current one when the listing has aged. */
  const currentRequest = async (payload: Payload, client: ConnectClient): Promise<AnyRequest> => {
    const listedAt = payload.listedAt === undefined ? undefined : Date.parse(payload.listedAt);
    if (listedAt === undefined || now() - listedAt <= STALE_PAYLOAD_MS) return payload.request;
    logger.info('Listed a while ago (a retry or a queued event): reading the request again', {
      listedAt: payload.listedAt,
    });
    return payload.objectClass.collection(client).get(payload.request.id);
  };

  let idempotentExecute: ((payload: Payload, context: Context) => Promise<ExecutionResult>) | undefined;
  /** This invocation's dependencies (they may be rebuilt between invocations; the stores are not). */
  let current: TypeFunctionDeps | undefined;

  const core = async (event: unknown, context: Context): Promise<ExecutionResult> => {
    const deps = await getDeps();
    current = deps;
    const payload = parsePayload(event);
    const { request, objectClass } = payload;
    // Once per invocation: every line below, the handler's included, carries the request's context.
    appendRequestContext(
      {
        ...objectClass.logContext(request),
        correlationId: payload.correlationId,
        webhookId: payload.webhookId,
      },
      logger,
    );
    if (request.status !== 'pending') {
      logger.info('Request is no longer pending: nothing to do', { status: request.status });
      return { requestId: request.id, outcome: 'skipped', detail: 'not pending' };
    }
    idempotentExecute ??= makeIdempotent(
      idempotentWithinLock(
        // Inner: one invocation at a time per request, whatever version it was listed at. Our own PUT bumps
        // `updated`, so a listing taken between our PUT and our approve carries a new version: without this
        // lock it would run the handler again and send a second (refused) action, during or just after ours.
        makeIdempotent(
          async (locked: Payload, _context: Context): Promise<ExecutionResult> => {
            const { client, handlerFor } = current ?? deps;
            const request = await currentRequest(locked, client);
            // The executor itself acts only on a pending request (`not pending` otherwise).
            return execute(locked.objectClass, request, handlerFor(locked.objectClass, request.type), {
              client,
              logger,
            });
          },
          {
            persistenceStore: deps.newPersistenceStore(),
            keyPrefix: 'request-lock',
            config: new IdempotencyConfig({
              eventKeyJmesPath: 'request.id',
              // In progress: until done, or the Lambda's remaining time after a crash. Done: a short window.
              expiresAfterSeconds: REQUEST_LOCK_SECONDS,
              throwOnNoIdempotencyKey: true,
              // The stored result belongs to another version: never let the outer record keep it as ours.
              responseHook: () => {
                throw new RecentlyProcessedError('processed recently by another invocation');
              },
            }),
          },
        ),
      ),
      // Outer: one result per request version, remembered for a day.
      {
        persistenceStore: deps.newPersistenceStore(),
        keyPrefix: 'request-version',
        config: new IdempotencyConfig({
          eventKeyJmesPath: '[request.id, request.updated]',
          expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
          throwOnNoIdempotencyKey: true,
        }),
      },
    );
    try {
      return await idempotentExecute(payload, context);
    } catch (error) {
      if (error instanceof NotDecided) return error.result;
      if (error instanceof IdempotencyAlreadyInProgressError) {
        logger.info('Already being processed by another invocation: skipped');
        return { requestId: request.id, outcome: 'skipped', detail: 'in progress elsewhere' };
      }
      if (error instanceof RecentlyProcessedError) {
        logger.info('Processed moments ago by another invocation: skipped');
        return { requestId: request.id, outcome: 'skipped', detail: 'processed recently' };
      }
      logger.error('Request processing failed; Lambda retries, then the dead-letter queue', {
        error: describeError(error),
      });
      throw error;
    }
  };

  return middy(core).use(injectLambdaContext(logger, { resetKeys: true }));
}
