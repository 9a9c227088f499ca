/**
 * The request's lifecycle around the vendor's handler, in a type function (type-function.ts wires it as the
 * Lambda handler).
 *
 * 1. The payload: a dispatched request (its claim taken by the dispatcher), a hand-made event (claimed here),
 *    or a rescheduled request's trigger (its due claim taken here, the request read from Connect).
 * 2. The claim's lease must outlast this run (an event that waited in Lambda's queue past it is dropped: the
 *    request has been, or will be, dispatched again).
 * 3. A listing older than `STALE_PAYLOAD_MS` (a Lambda retry, an event queued under throttling) is read again
 *    from Connect: its copy may predate an ActivationKey written by a run that then crashed.
 * 4. The engine runs the handler and applies its outcome in Connect (lib/engine).
 * 5. One write completes the task record (lib/tasks): done, rescheduled (with a trigger), or parked.
 *
 * Errors: a Connect or AWS outage (auth, 5xx, timeouts, network, rate limits exhausted) is logged and runs
 * again after a backoff (60 s, 120 s, … 15 min) through the same trigger as a reschedule, never counted
 * against the request; only when the record cannot be written either is it rethrown, the claim kept, for
 * Lambda to retry (twice, then the dead-letter queue). Any other error is the handler's: it is retried after a
 * backoff (30 s, 60 s, …) and parks the request at the `maxFailures`-th time for one version. Nothing
 * permanent is ever thrown back to Lambda to retry.
 */
import { randomUUID } from 'node:crypto';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Handler } from '../automation';
import type { Config } from '../config';
import {
  ConnectAuthError,
  type ConnectClient,
  ConnectNetworkError,
  ConnectRateLimitError,
  ConnectServerError,
  ConnectTimeoutError,
  FULFILLMENT_REQUEST_TYPES,
  TIER_CONFIG_REQUEST_TYPES,
} from '../connect';
import { type ExecutionResult, execute, InvalidPayloadError, type Payload, parsePayload } from '../engine';
import {
  type AnyRequest,
  isObjectClassName,
  type ObjectClass,
  type ObjectClassName,
  objectClassNamed,
} from '../object-classes';
import {
  appendRequestContext,
  logger as defaultLogger,
  describeError,
  type MetricsRecorder,
  noMetrics,
  redactSecrets,
  shortFunctionName,
} from '../observability';
import { type ScheduledRun, type Scheduler, scheduleName } from '../scheduler';
import {
  type Claim,
  type Completion,
  failureDecision,
  outageBackoffSeconds,
  type TaskError,
  type TaskStore,
} from '../tasks';

/**
 * A payload listed longer ago than this is re-read from Connect before anything is decided on it. Fresh
 * dispatches run within seconds; Lambda's own retries come a minute or more later (1 and 2 minutes), and
 * events may wait in the async queue under throttling.
 */
export const STALE_PAYLOAD_MS = 30_000;

/** The vendor's handler for a request type of a kind; `undefined` when the type is not automated. */
export type HandlerLookup = <R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  type: string,
) => Handler<R> | undefined;

export type TypeFunctionDeps = {
  client: ConnectClient;
  /** The vendor's handler for a request type of a kind (from the automation table). */
  handlerFor: HandlerLookup;
  tasks: TaskStore;
  scheduler: Scheduler;
  settings: Config['tasks'];
  /** `<service>-<stage>`: the function's short name is what follows it. */
  functionPrefix: string | undefined;
};

export type TypeFunctionOptions = {
  /** Called on every invocation (the composition root memoizes it, rebuilt when the configuration changes). */
  deps: () => TypeFunctionDeps | Promise<TypeFunctionDeps>;
  logger?: PowertoolsLogger;
  /** `RequestDecided`, `HandlerDuration`, `DispatchLag` (docs/operations.md). Default: none recorded. */
  metrics?: MetricsRecorder;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  now?: () => number;
  newToken?: () => string;
};

/** What an invocation returns (the local stack and the tests read it; Lambda ignores it for async events). */
export type TypeFunctionResult = Pick<ExecutionResult, 'outcome' | 'detail' | 'calls'> & {
  requestId: string;
  /** The task record's state after the run. */
  state?: Completion['state'];
};

/**
 * What a run works on: the request's identity as claimed, and how to have the request itself (the listed copy,
 * or a read from Connect for a trigger or an aged listing), read inside the run's error handling.
 */
type Subject = { id: string; type: string; version: string; read: () => Promise<AnyRequest> };

/** Dispatched by the dispatcher (or by hand): the request as listed, with the dispatcher's claim. */
type DispatchedEvent = Payload & { claim?: Claim };

/**
 * An outage of Connect or AWS: not the request's fault, retried after a backoff and never counted against it.
 * A Connect 401 (the key refused: rotated, revoked), 429, 5xx, a timeout or a network error; an AWS error of
 * the service's side or a throttle. Anything deterministic is the request's (counted, parked at the limit): a
 * Connect 403 or an answer that fails its schema, an AWS client error (access denied, validation, item size).
 */
function isOutage(error: unknown): boolean {
  if (error instanceof ConnectAuthError) return error.status !== 403;
  if (
    error instanceof ConnectServerError ||
    error instanceof ConnectTimeoutError ||
    error instanceof ConnectNetworkError ||
    error instanceof ConnectRateLimitError
  ) {
    return true;
  }
  // AWS SDK errors carry `$metadata`, and `$fault` (client or server).
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return false;
  const { $fault, name } = error as { $fault?: unknown; name?: unknown };
  return $fault === 'server' || (typeof name === 'string' && AWS_THROTTLES.test(name));
}

const AWS_THROTTLES =
  /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable/;

/** An error as the task record keeps it: the name as code, the message redacted and cut. */
function taskError(error: unknown): TaskError {
  const { name, message } = describeError(error);
  const code =
    typeof (error as { errorCode?: unknown })?.errorCode === 'string'
      ? (error as { errorCode: string }).errorCode
      : name;
  return { code, message: redactSecrets(message).slice(0, 500) };
}

/** This function's ARN (the trigger's target), from the invocation's context. */
function functionArnOf(context: Context): string {
  const arn = /^arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+/.exec(context.invokedFunctionArn)?.[0];
  return arn ?? `arn:aws:lambda:us-east-1:000000000000:function:${context.functionName}`;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set([
  ...FULFILLMENT_REQUEST_TYPES,
  ...TIER_CONFIG_REQUEST_TYPES,
]);

/** A request type as a metric dimension: one of Connect's, else `unknown` (a dimension's values stay few). */
function metricType(type: string): string {
  return KNOWN_TYPES.has(type) ? type : 'unknown';
}

function isScheduledRun(event: unknown): event is ScheduledRun {
  return (
    typeof event === 'object' && event !== null && (event as { trigger?: unknown }).trigger === 'schedule'
  );
}

/** The identifiers of a payload that failed its schema, when it has them (to park it rather than drop it). */
function identifiers(
  event: unknown,
): { id: string; objectClass: ObjectClassName; type: string; productId: string } | undefined {
  const payload = event as { objectClass?: unknown; request?: Record<string, unknown> } | undefined;
  const request = payload?.request;
  if (typeof request?.id !== 'string' || typeof payload?.objectClass !== 'string') return undefined;
  if (!isObjectClassName(payload.objectClass)) return undefined;
  const product =
    (request.asset as { product?: { id?: unknown } } | undefined)?.product?.id ??
    (request.configuration as { product?: { id?: unknown } } | undefined)?.product?.id;
  return {
    id: request.id,
    objectClass: payload.objectClass,
    type: typeof request.type === 'string' ? request.type : '?',
    productId: typeof product === 'string' ? product : '?',
  };
}

/**
 * The type function's lifecycle as a plain async function (no middy): what `createTypeFunction` wraps as the
 * Lambda handler, and what the benchmarks' model of Lambda runs in process.
 */
export function createTypeFunctionCore({
  deps: getDeps,
  logger = defaultLogger,
  metrics = noMetrics,
  now = Date.now,
  newToken = randomUUID,
}: TypeFunctionOptions) {
  const core = async (event: unknown, context: Context): Promise<TypeFunctionResult> => {
    const deps = await getDeps();
    if (isScheduledRun(event)) return runScheduled(event, context, deps);

    let payload: DispatchedEvent;
    try {
      payload = parsePayload(event) as DispatchedEvent;
    } catch (error) {
      if (error instanceof InvalidPayloadError) return parkUnreadable(event, error, context, deps);
      throw error;
    }
    payload.claim = (event as { claim?: Claim }).claim;
    const { request, objectClass } = payload;
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
    const listedAt = payload.listedAt === undefined ? now() : Date.parse(payload.listedAt);
    const claim =
      payload.claim ??
      (await deps.tasks.claim({
        id: request.id,
        version: request.updated ?? '',
        listedAt,
        now: now(),
        token: newToken(),
        objectClass: objectClass.name,
        type: request.type,
        productId: objectClass.productId(request),
        fn: shortFunctionName(context.functionName, deps.functionPrefix),
        leaseSeconds: deps.settings.leaseSeconds,
      }));
    if (claim === undefined) {
      logger.info('Already dispatched, decided, not due or parked: skipped');
      return { requestId: request.id, outcome: 'skipped', detail: 'taken' };
    }
    if (now() + context.getRemainingTimeInMillis() > claim.leaseUntil) {
      logger.warn(
        'The claim would expire before this run could end (a late event): skipped, dispatched again later',
      );
      return { requestId: request.id, outcome: 'skipped', detail: 'claim expired' };
    }
    if (payload.listedAt !== undefined) metrics.milliseconds('DispatchLag', undefined, now() - listedAt);
    const stale = now() - listedAt > STALE_PAYLOAD_MS;
    const subject: Subject = {
      id: request.id,
      type: request.type,
      version: request.updated ?? '',
      read: async () => {
        if (!stale) return request;
        logger.info('Listed a while ago (a retry or a queued event): reading the request again', {
          listedAt: payload.listedAt,
        });
        return objectClass.collection(deps.client).get(request.id);
      },
    };
    return run(objectClass, subject, claim, payload.correlationId, context, deps);
  };

  /** A rescheduled request's trigger (or an operator's release): take the due claim, read, run. */
  const runScheduled = async (trigger: ScheduledRun, context: Context, deps: TypeFunctionDeps) => {
    appendRequestContext({ requestId: trigger.requestId, correlationId: trigger.correlationId }, logger);
    const claim = await deps.tasks.claimDue({
      id: trigger.requestId,
      token: trigger.token,
      now: now(),
      leaseSeconds: deps.settings.leaseSeconds,
    });
    if (claim === undefined) {
      logger.info('Trigger: the request is not due, or another run took it: nothing to do');
      return { requestId: trigger.requestId, outcome: 'skipped' as const, detail: 'not due' };
    }
    const objectClass = objectClassNamed(trigger.objectClass);
    const subject: Subject = {
      id: trigger.requestId,
      type: claim.record.type,
      version: claim.record.version,
      // The trigger carries no copy: the request as it is now (an outage here is retried like any other).
      read: async () => {
        const request = await objectClass.collection(deps.client).get(trigger.requestId);
        appendRequestContext(
          { ...objectClass.logContext(request), correlationId: trigger.correlationId },
          logger,
        );
        return request;
      },
    };
    return run(objectClass, subject, claim, trigger.correlationId, context, deps);
  };

  /** A run, counted by its decision (`RequestDecided`). */
  const run = async (
    objectClass: ObjectClass,
    subject: Subject,
    claim: Claim,
    correlationId: string,
    context: Context,
    deps: TypeFunctionDeps,
  ): Promise<TypeFunctionResult> => {
    const result = await decide(objectClass, subject, claim, correlationId, context, deps);
    metrics.count('RequestDecided', { requestType: metricType(subject.type), outcome: result.outcome });
    return result;
  };

  const decide = async (
    objectClass: ObjectClass,
    request: Subject,
    claim: Claim,
    correlationId: string,
    context: Context,
    deps: TypeFunctionDeps,
  ): Promise<TypeFunctionResult> => {
    const { settings } = deps;
    const started = now();
    // The version the run leaves: its own PUTs move `updated` on, and a later listing must not take them for
    // someone else's change (a Skip or a failure after a PUT would otherwise run again at once, uncounted).
    let version = request.version;
    const attempt = (outcome: Completion['outcome']) => ({
      n: claim.attempt,
      at: now(),
      outcome,
      durationMs: now() - started,
      lambdaRequestId: context.awsRequestId,
    });
    const base = () => ({ id: request.id, token: claim.token, version, now: now() });
    const retention = () => Math.ceil(now() / 1000) + settings.retentionDays * 86_400;

    /** Process it again at `dueAt`: the record first, then the trigger (the sweep is the backstop). */
    const reschedule = async (completion: Completion, dueAt: number) => {
      if (!(await deps.tasks.complete(completion))) return lost();
      const run: ScheduledRun = {
        trigger: 'schedule',
        objectClass: objectClass.name,
        requestId: request.id,
        token: newToken(),
        dueAt,
        correlationId,
      };
      try {
        await deps.scheduler.at({
          name: scheduleName(request.id, dueAt),
          dueAt,
          functionArn: functionArnOf(context),
          run,
        });
      } catch (error) {
        logger.error(
          'The trigger could not be created: the next sweep after the due time takes the request',
          {
            error: describeError(error),
          },
        );
      }
      return true;
    };
    const lost = () => {
      logger.warn(
        'The claim was lost (its lease ran out and another run took the request): record not written',
      );
      return false;
    };
    /** Logged once, at ERROR: nothing is dispatched again, so nothing logs it again. */
    const park = async (given: string, error?: TaskError, failures?: number) => {
      // A handler's or Connect's words: redacted, and cut so that the record stays small.
      const reason = redactSecrets(given).slice(0, 1_000);
      logger.error('Parked: nothing more is sent to Connect until it changes or an operator releases it', {
        reason,
        ...(error === undefined ? {} : { error }),
      });
      const completion: Completion = {
        ...base(),
        state: 'parked',
        outcome: 'parked',
        attempt: attempt('parked'),
        reason,
        error,
        failures,
        expiresAt: undefined,
      };
      if (!(await deps.tasks.complete(completion))) lost();
    };

    let result: ExecutionResult;
    let handlerStarted: number | undefined;
    try {
      // Inside the try: a re-read that meets an outage is retried after a backoff, never left holding the claim.
      const current = await request.read();
      version = current.updated ?? '';
      handlerStarted = now();
      result = await execute(objectClass, current, deps.handlerFor(objectClass, current.type), {
        client: deps.client,
        logger,
        onVersion: (updated) => {
          version = updated;
        },
      });
    } catch (error) {
      if (handlerStarted !== undefined) {
        metrics.milliseconds(
          'HandlerDuration',
          { requestType: metricType(request.type) },
          now() - handlerStarted,
        );
      }
      if (isOutage(error)) {
        // Not the request's fault: run again after a backoff through the same trigger as a reschedule (locally
        // and in AWS alike), never counted against it. Only when the record cannot be written either (DynamoDB
        // down) is the error rethrown: Lambda retries the event, and the claim keeps everyone else out.
        const outages = claim.outages + 1;
        const seconds = outageBackoffSeconds(outages, settings.outageRetrySeconds);
        logger.error('Connect or AWS failed; the request runs again after a backoff', {
          error: describeError(error),
          outages,
          seconds,
        });
        const dueAt = now() + seconds * 1000;
        try {
          await reschedule(
            {
              ...base(),
              state: 'rescheduled',
              outcome: 'error',
              attempt: attempt('error'),
              outages,
              dueAt,
              error: taskError(error),
              expiresAt: retention(),
            },
            dueAt,
          );
        } catch {
          throw error;
        }
        return {
          requestId: request.id,
          outcome: 'rescheduled',
          detail: `outage (${outages})`,
          state: 'rescheduled',
        };
      }
      // The handler's own error: retried after a backoff, parked when it keeps happening.
      const decision = failureDecision(claim.failures, settings, now());
      const { failures } = decision;
      const error_ = taskError(error);
      if (decision.park) {
        await park(
          `The handler failed ${failures} times on this version: ${error_.code}: ${error_.message}`,
          error_,
          failures,
        );
        return { requestId: request.id, outcome: 'parked', state: 'parked' };
      }
      const { dueAt, retrySeconds } = decision;
      logger.error('The handler failed; it runs again after a backoff', {
        error: describeError(error),
        failures,
        seconds: retrySeconds,
      });
      await reschedule(
        {
          ...base(),
          state: 'rescheduled',
          outcome: 'error',
          attempt: attempt('error'),
          failures,
          dueAt,
          error: error_,
          expiresAt: retention(),
        },
        dueAt,
      );
      return {
        requestId: request.id,
        outcome: 'rescheduled',
        detail: `handler failed (${failures})`,
        state: 'rescheduled',
      };
    }

    metrics.milliseconds(
      'HandlerDuration',
      { requestType: metricType(request.type) },
      now() - handlerStarted,
    );
    const answer = (state: Completion['state']): TypeFunctionResult => ({
      requestId: result.requestId,
      outcome: result.outcome,
      ...(result.detail === undefined ? {} : { detail: result.detail }),
      ...(result.calls === undefined ? {} : { calls: result.calls }),
      state,
    });
    switch (result.outcome) {
      case 'approved':
      case 'inquired':
      case 'failed':
        (await deps.tasks.complete({
          ...base(),
          state: 'done',
          outcome: result.outcome,
          attempt: attempt(result.outcome),
          failures: 0,
          expiresAt: retention(),
        })) || lost();
        return answer('done');
      case 'skipped': {
        // Still pending: offered again after the skip's wait (or at once when it changes in Connect).
        const stillPending = result.detail !== 'not pending' && !result.detail?.startsWith('moved on');
        const retryAt = stillPending ? now() + settings.skipRetrySeconds * 1000 : undefined;
        (await deps.tasks.complete({
          ...base(),
          state: 'done',
          outcome: 'skipped',
          attempt: attempt('skipped'),
          retryAt,
          expiresAt: retention(),
        })) || lost();
        return answer('done');
      }
      case 'rescheduled': {
        const reschedules = claim.reschedules + 1;
        const first = claim.firstRescheduledAt ?? now();
        const days = (now() - first) / 86_400_000;
        if (reschedules > settings.maxReschedules || days > settings.maxRescheduleDays) {
          await park(
            `Rescheduled ${reschedules - 1} times over ${Math.floor(days)} days: past the limit ` +
              `(${settings.maxReschedules} times or ${settings.maxRescheduleDays} days)`,
          );
          return { ...answer('parked'), outcome: 'parked' };
        }
        const dueAt = now() + (result.rescheduleSeconds ?? 30) * 1000;
        await reschedule(
          {
            ...base(),
            state: 'rescheduled',
            outcome: 'rescheduled',
            attempt: attempt('rescheduled'),
            reschedules,
            firstRescheduledAt: first,
            dueAt,
            expiresAt: Math.ceil(dueAt / 1000) + settings.retentionDays * 86_400,
          },
          dueAt,
        );
        return answer('rescheduled');
      }
      case 'parked':
        await park(result.reason ?? 'parked', result.error);
        return answer('parked');
    }
  };

  /** A payload no schema accepts: parked when it names a request (never retried into success), else dropped. */
  const parkUnreadable = async (
    event: unknown,
    error: InvalidPayloadError,
    context: Context,
    deps: TypeFunctionDeps,
  ) => {
    const known = identifiers(event);
    logger.error('A payload that is not what the dispatcher sends: not processed', {
      error: describeError(error),
    });
    if (known === undefined)
      return { requestId: '?', outcome: 'skipped' as const, detail: 'unreadable payload' };
    metrics.count('RequestDecided', { requestType: metricType(known.type), outcome: 'parked' });
    const parked = await deps.tasks.park({
      ...known,
      fn: shortFunctionName(context.functionName, deps.functionPrefix),
      version: String((event as { request: { updated?: unknown } }).request.updated ?? ''),
      reason: `The request does not match its schema: ${error.message}`.slice(0, 1_000),
      now: now(),
    });
    return {
      requestId: known.id,
      outcome: 'parked' as const,
      detail: parked ? 'parked' : 'already parked',
      state: 'parked' as const,
    };
  };

  return core;
}
