/**
 * POST /connect/validate, the whole route: Connect's validator webhooks (API.md §11.4). Connect POSTs a draft or
 * inquiring request, whole, and waits for the same object back with the parameters' `value_error` set (and
 * `value` where the vendor fills a parameter in). In order: raw body (base64 aware, size-capped) → JWT (HS256,
 * the webhook route's secrets) → JSON → which kind of request (schema) and status → the automation table's
 * validator for the type and phase → the received text with only those fields changed, 200.
 *
 * The core is pure: no Connect call, no DynamoDB, no state. Bad input throws an `EdgeError` (401, 413, 400
 * saying what is wrong); a validator that throws or misses its deadline follows `validation.onError`: `open`
 * answers the object unchanged, `closed` the fixed 502 {@link VALIDATION_UNAVAILABLE_BODY}. handler.ts wires it
 * as a Lambda (lib/lambda `createEdgeHandler`).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ValidationPhase, Validator } from '../../lib/automation';
import { type DeadlineTimer, nestsDeeperThan, runValidation } from '../../lib/engine';
import {
  type AnyRequest,
  FULFILLMENT_REQUEST,
  type ObjectClass,
  type ObjectClassName,
  TIER_CONFIG_REQUEST,
} from '../../lib/object-classes';
import {
  describeError,
  type Logger,
  type MetricsRecorder,
  noMetrics,
  type RequestLogContext,
} from '../../lib/observability';
import { badRequest, EdgeError, type EdgeResult, readRawBody, type WebhookVerifier } from '../../lib/webhook';

/**
 * 1 MiB. A validator receives the whole request object, not the webhook route's few-hundred-byte envelope:
 * a large real order (hundreds of items, each with parameters) is some hundreds of KB, so 1 MiB leaves room
 * while bounding what one call can cost (parsed three times: JSON, the schema, the validator's copy) on a
 * 256 MB function, and keeps the answer, which echoes the body, far below Lambda's 6 MB response limit, also
 * when API Gateway hands the body over base64-encoded (+33 %).
 */
export const VALIDATION_MAX_BODY_BYTES = 1024 * 1024;

/** The only body the closed policy answers (with 502): nothing about the validator or the request. */
export const VALIDATION_UNAVAILABLE_BODY = {
  error: 'validation_unavailable',
  message: 'The request could not be validated; try again later',
} as const;

/** The statuses that are validated (a draft being placed, an inquiring request being answered). */
export const VALIDATED_STATUSES: readonly ValidationPhase[] = ['draft', 'inquiring'];

/** The table's validator for a request type of a kind in a phase, if the vendor wrote one. */
export type ValidatorLookup = <R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  type: string,
  phase: ValidationPhase,
) => Validator<R> | undefined;

export type ValidateDeps = {
  verifier: WebhookVerifier;
  validatorFor: ValidatorLookup;
  /** `validation.onError` (lib/config). */
  onError: 'open' | 'closed';
  /** `validation.deadlineMs` (lib/config). */
  deadlineMs: number;
  logger: Logger;
  /** Attaches the request's context to the invocation's log lines (the root passes the logger's). */
  appendContext?: (context: RequestLogContext) => void;
  timer?: DeadlineTimer;
  maxBodyBytes?: number;
  /** `ValidationCalls` and `ValidationDuration`, by request type. Default: none recorded. */
  metrics?: MetricsRecorder;
};

export type ValidateCall = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>;

/** A received object of a kind, in a validated status. */
type Received = {
  objectClass: ObjectClass;
  json: Record<string, unknown>;
  request: AnyRequest;
  phase: ValidationPhase;
};

const KINDS: ReadonlyArray<{ key: string; objectClass: ObjectClass }> = [
  { key: 'asset', objectClass: FULFILLMENT_REQUEST as ObjectClass },
  { key: 'configuration', objectClass: TIER_CONFIG_REQUEST as ObjectClass },
];

/**
 * The deepest nesting of objects and arrays accepted. A Connect request nests about 8 deep; `JSON.parse` takes
 * any depth, but the validator's copy and a validator walking the object recurse.
 */
export const MAX_NESTING_DEPTH = 64;

/** At most this many schema issues are listed in a 400 (a 1 MB body can have thousands). */
const MAX_ISSUES = 20;

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  const described = issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
  if (issues.length > MAX_ISSUES) described.push(`… and ${issues.length - MAX_ISSUES} more`);
  return described;
}

/** The request in the body, or a 400 naming what is wrong (fields, never values; the status when known). */
export function readValidationBody(text: string): Received {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'The body is not valid JSON');
  }
  if (nestsDeeperThan(text, MAX_NESTING_DEPTH)) {
    throw badRequest(
      'invalid_request',
      `The body nests objects and arrays deeper than ${MAX_NESTING_DEPTH} levels`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest(
      'invalid_request',
      'The body must be a JSON object: a fulfillment or tier config request',
      {
        issues: ['body: must be a JSON object'],
      },
    );
  }
  const body = json as Record<string, unknown>;
  const kind = KINDS.find(({ key }) => Object.hasOwn(body, key) && body[key] !== undefined);
  if (kind === undefined) {
    throw badRequest(
      'invalid_request',
      'The body is neither a fulfillment request (no asset) nor a tier config request (no configuration)',
      {
        issues: [
          'asset: is required (fulfillment request)',
          'configuration: is required (tier config request)',
        ],
      },
    );
  }
  const parsed = kind.objectClass.schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues);
    throw badRequest('invalid_request', `Invalid ${kind.objectClass.noun}: ${issues.join('; ')}`, {
      objectClass: kind.objectClass.name,
      issues,
    });
  }
  const request = parsed.data;
  const phase = VALIDATED_STATUSES.find((status) => status === request.status);
  if (phase === undefined) {
    throw badRequest(
      'status_not_validated',
      `Only draft and inquiring requests are validated; this ${kind.objectClass.noun} is ${request.status}`,
      { status: request.status },
    );
  }
  return { objectClass: kind.objectClass, json: body, request, phase };
}

const ok = (body: string): EdgeResult => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body,
});

export async function validateRequest(
  call: ValidateCall,
  correlationId: string,
  deps: ValidateDeps,
): Promise<EdgeResult> {
  const { text } = readRawBody(call, { maxBytes: deps.maxBodyBytes ?? VALIDATION_MAX_BODY_BYTES });
  await deps.verifier.verify(call.headers ?? {});
  const { objectClass, json, request, phase } = readValidationBody(text);
  const context = objectClass.logContext(request);
  deps.appendContext?.({ ...context, correlationId });
  const about = {
    request_id: request.id,
    request_type: request.type,
    object_class: objectClass.name satisfies ObjectClassName,
    phase,
  };

  const metrics = deps.metrics ?? noMetrics;
  metrics.count('ValidationCalls', { requestType: request.type });
  const validator = deps.validatorFor(objectClass, request.type, phase);
  if (validator === undefined) {
    deps.logger.info(
      `No ${phase} validator for ${objectClass.noun} type ${request.type}: answered unchanged`,
      about,
    );
    return ok(text);
  }
  const started = performance.now();
  const outcome = await runValidation({
    objectClass,
    validator,
    phase,
    received: { text, json, request },
    logger: deps.logger,
    deadlineMs: deps.deadlineMs,
    ...(deps.timer ? { timer: deps.timer } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
  metrics.milliseconds('ValidationDuration', { requestType: request.type }, durationMs);
  if (outcome.ok) {
    deps.logger.info('Validated', {
      ...about,
      duration_ms: durationMs,
      changed: outcome.changes.map((change) => `${change.id}.${change.field}`),
    });
    return ok(outcome.body);
  }
  const failure = {
    ...about,
    reason: outcome.reason,
    policy: deps.onError,
    duration_ms: durationMs,
    validator_error: describeError(outcome.error),
  };
  const what = outcome.reason === 'deadline' ? `missed its ${deps.deadlineMs} ms deadline` : 'threw';
  if (deps.onError === 'open') {
    deps.logger.error(
      `The ${phase} validator ${what}: answered the object unchanged (VALIDATION_ON_ERROR=open)`,
      failure,
    );
    return ok(text);
  }
  throw new EdgeError(
    502,
    'validation_unavailable',
    `The ${phase} validator ${what} (VALIDATION_ON_ERROR=closed)`,
    {
      logged: failure,
      fixedBody: VALIDATION_UNAVAILABLE_BODY,
    },
  );
}
