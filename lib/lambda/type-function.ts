/**
 * The Lambda side of a type function: validate the dispatcher's payload, log with the request's context,
 * take the idempotency lock, run the vendor's handler through the executor.
 *
 * Idempotency (Powertools, DynamoDB): the key is the request id + its `updated` time, so
 * - a duplicate delivery of the same request version while the first is running is skipped without error;
 * - a completed one is not redone (the stored result is returned);
 * - a new version of the request (back to pending after an inquiry, or changed under us) is processed again.
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
import type { z } from 'zod';
import { createConfiguredClient, loadConfig } from '../config';
import type { ConnectClient, FulfillmentRequest, TierConfigRequest } from '../connect';
import {
  type ExecutionResult,
  type ExecutorDeps,
  executeFulfillmentRequest,
  executeTierConfigRequest,
  type FulfillmentHandler,
  type TierConfigHandler,
} from '../fulfillment';
import { appendRequestContext, logger as defaultLogger, requestLogContext } from '../observability';
import { FulfillmentPayloadSchema, parsePayload, TierConfigPayloadSchema } from './payload';
import { createPersistenceStore } from './persistence';

/** How long a completed result is remembered: far longer than any retry or redelivery window. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type TypeFunctionDeps = {
  client: ConnectClient;
  persistenceStore: BasePersistenceLayer;
};

export type TypeFunctionOptions = {
  /** Built on first invocation and kept; defaults to the production wiring (environment configuration). */
  deps?: () => TypeFunctionDeps;
  logger?: PowertoolsLogger;
};

type Payload<R> = { request: R; correlationId: string; webhookId?: string | undefined };

type TypeFunctionSpec<R extends FulfillmentRequest | TierConfigRequest> = {
  schema: z.ZodType<Payload<R>>;
  execute(request: R, deps: ExecutorDeps): Promise<ExecutionResult>;
};

let productionDeps: TypeFunctionDeps | undefined;

/** Production dependencies, built on first invocation and kept for the execution environment. */
export function defaultTypeFunctionDeps(): TypeFunctionDeps {
  if (!productionDeps) {
    const config = loadConfig(process.env, { requireIdempotencyTable: true });
    productionDeps = {
      client: createConfiguredClient(config),
      persistenceStore: createPersistenceStore(config.idempotencyTable as string),
    };
  }
  return productionDeps;
}

function createTypeFunction<R extends FulfillmentRequest | TierConfigRequest>(
  spec: TypeFunctionSpec<R>,
  { deps: getDeps = defaultTypeFunctionDeps, logger = defaultLogger }: TypeFunctionOptions,
) {
  let idempotentExecute: ((payload: Payload<R>, context: Context) => Promise<ExecutionResult>) | undefined;

  const core = async (event: unknown, context: Context): Promise<ExecutionResult> => {
    const deps = getDeps();
    const payload = parsePayload(spec.schema, event);
    const { request } = payload;
    appendRequestContext(
      { ...requestLogContext(request), correlationId: payload.correlationId, webhookId: payload.webhookId },
      logger,
    );
    if (request.status !== 'pending') {
      logger.info('Request is no longer pending: nothing to do', { status: request.status });
      return { requestId: request.id, outcome: 'skipped', detail: 'not pending' };
    }
    idempotentExecute ??= makeIdempotent(
      (locked: Payload<R>, _context: Context) =>
        spec.execute(locked.request, { client: deps.client, logger: logger }),
      {
        persistenceStore: deps.persistenceStore,
        config: new IdempotencyConfig({
          eventKeyJmesPath: '[request.id, request.updated]',
          expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
          throwOnNoIdempotencyKey: true,
        }),
      },
    );
    try {
      const result = await idempotentExecute(payload, context);
      logger.info('Request processed', { outcome: result.outcome, detail: result.detail });
      return result;
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        logger.info('Already being processed by another invocation: skipped');
        return { requestId: request.id, outcome: 'skipped', detail: 'in progress elsewhere' };
      }
      logger.error('Request processing failed; Lambda retries, then the dead-letter queue', {
        error: {
          name: error instanceof Error ? error.name : 'Error',
          message: String((error as Error)?.message),
        },
      });
      throw error;
    }
  };

  return middy(core).use(injectLambdaContext(logger, { resetKeys: true }));
}

/** A Lambda handler running `handler` for the fulfillment requests it receives. */
export function createFulfillmentFunction(handler: FulfillmentHandler, options: TypeFunctionOptions = {}) {
  return createTypeFunction<FulfillmentRequest>(
    {
      schema: FulfillmentPayloadSchema,
      execute: (request, deps) => executeFulfillmentRequest(request, handler, deps),
    },
    options,
  );
}

/** A Lambda handler running `handler` for the tier config requests it receives. */
export function createTierConfigFunction(handler: TierConfigHandler, options: TypeFunctionOptions = {}) {
  return createTypeFunction<TierConfigRequest>(
    {
      schema: TierConfigPayloadSchema,
      execute: (request, deps) => executeTierConfigRequest(request, handler, deps),
    },
    options,
  );
}
