/**
 * Dynamic validation (API.md §11.4): the emulator acting as the customer's side of Connect. A draft or
 * inquiring request is POSTed, whole, to the product's validator webhook (`Authorization: Bearer <JWT>` signed
 * with the webhook's `jwt_secret`), synchronously; from the answer (the same object back) only each existing
 * param's `value` and `value_error` are taken. A validator that times out, answers non-2xx or a body that is
 * not a JSON object leaves the object untouched and the call answers 502 `EMU_VALIDATOR`.
 */
import { signWebhookToken } from '../lib/webhook';
import { EmulatorHttpError } from './errors';
import { nextRequestStatus, nextTierConfigStatus } from './state-machine';
import type { EmulatorStore, ParamUpdates, StoredWebhook } from './store';
import type {
  FulfillmentRequest,
  FulfillmentRequestStatus,
  FulfillmentRequestType,
  FulfillmentValidatorType,
  TierConfigRequest,
  TierConfigRequestStatus,
  TierConfigRequestType,
  TierConfigValidatorType,
} from './wire';

export const DEFAULT_VALIDATOR_TIMEOUT_MS = 10_000;

export type ValidatorCallerOptions = {
  store: EmulatorStore;
  /** Timeout of one validator call in ms (until the whole answer is read). Default 10_000. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  log?: (line: string) => void;
};

const FULFILLMENT_DRAFT: Partial<Record<FulfillmentRequestType, FulfillmentValidatorType>> = {
  purchase: 'validator',
  change: 'change_validator',
  renew: 'renew_validator',
  transfer: 'transfer_validator',
};
const FULFILLMENT_INQUIRING: Partial<Record<FulfillmentRequestType, FulfillmentValidatorType>> = {
  purchase: 'inquiring_validator',
  change: 'change_inquiring_validator',
  renew: 'renew_inquiring_validator',
  transfer: 'transfer_inquiring_validator',
};

/** The validator type that validates a request of this type in this status (none outside draft / inquiring). */
export function fulfillmentValidatorType(
  type: FulfillmentRequestType,
  status: FulfillmentRequestStatus,
): FulfillmentValidatorType | undefined {
  if (status === 'draft') return FULFILLMENT_DRAFT[type];
  if (status === 'inquiring') return FULFILLMENT_INQUIRING[type];
  return undefined;
}

/**
 * Draft setup → `draft_tcr_t{L}_val`, draft update → `tcr_update_t{L}_validator`, inquiring setup →
 * `tcr_setup_t{L}_inq_val`, inquiring update → `tcr_update_t{L}_inq_val`; adjustments have none.
 */
export function tierConfigValidatorType(
  type: TierConfigRequestType,
  status: TierConfigRequestStatus,
  level: 1 | 2,
): TierConfigValidatorType | undefined {
  if (status === 'draft') {
    if (type === 'setup') return level === 1 ? 'draft_tcr_t1_val' : 'draft_tcr_t2_val';
    if (type === 'update') return level === 1 ? 'tcr_update_t1_validator' : 'tcr_update_t2_validator';
  }
  if (status === 'inquiring') {
    if (type === 'setup') return level === 1 ? 'tcr_setup_t1_inq_val' : 'tcr_setup_t2_inq_val';
    if (type === 'update') return level === 1 ? 'tcr_update_t1_inq_val' : 'tcr_update_t2_inq_val';
  }
  return undefined;
}

/** 502 `EMU_VALIDATOR`: the validator could not validate; nothing was changed. */
export const validatorError = (message: string): EmulatorHttpError =>
  new EmulatorHttpError(502, 'EMU_VALIDATOR', [message]);

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The entries of `object.<path>` that are objects with a string `id`, by id. */
function paramsAt(object: unknown, path: readonly string[]): Map<string, JsonObject> {
  let current: unknown = object;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  const byId = new Map<string, JsonObject>();
  if (Array.isArray(current)) {
    for (const entry of current) {
      if (isObject(entry) && typeof entry.id === 'string' && !byId.has(entry.id)) byId.set(entry.id, entry);
    }
  }
  return byId;
}

/** A text field as answered: a string, `null` (= empty) or absent / anything else (= not answered). */
function answeredText(entry: JsonObject | undefined, field: string): string | undefined {
  const value = entry?.[field];
  if (typeof value === 'string') return value;
  if (value === null) return '';
  return undefined;
}

/**
 * What to store, per param id of the request: for `value` and `value_error`, the answer at the first place
 * (in `paths` order) where it differs from what was sent. An answer equal to what was sent changes nothing
 * (so a PUT that landed during the call is not undone). Fulfillment requests have one place
 * (`asset.params`); TCRs two, request-level `params` first, then `configuration.params`.
 */
export function paramUpdates(
  ids: readonly string[],
  sent: unknown,
  answer: unknown,
  paths: readonly (readonly string[])[],
): ParamUpdates {
  const places = paths.map((path) => ({ sent: paramsAt(sent, path), answer: paramsAt(answer, path) }));
  const updates = new Map<string, { value?: string; value_error?: string }>();
  for (const id of ids) {
    const update: { value?: string; value_error?: string } = {};
    for (const field of ['value', 'value_error'] as const) {
      for (const place of places) {
        const answered = answeredText(place.answer.get(id), field);
        if (answered !== undefined && answered !== (answeredText(place.sent.get(id), field) ?? '')) {
          update[field] = answered;
          break;
        }
      }
    }
    if (update.value !== undefined || update.value_error !== undefined) updates.set(id, update);
  }
  return updates;
}

type Target = {
  objectClass: 'fulfillment_request' | 'tier_config_request';
  id: string;
  productId: string;
  validatorType: FulfillmentValidatorType | TierConfigValidatorType | undefined;
  snapshot: unknown;
};

export class ValidatorCaller {
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof globalThis.fetch;
  private abort = new AbortController();

  constructor(private readonly options: ValidatorCallerOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_VALIDATOR_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  // ---------------------------------------------------------------- fulfillment requests

  private requestTarget(request: FulfillmentRequest): Target {
    return {
      objectClass: 'fulfillment_request',
      id: request.id,
      productId: request.asset.product.id,
      validatorType: fulfillmentValidatorType(request.type, request.status),
      snapshot: request,
    };
  }

  /** Validates when a matching validator exists; `validated` is false when none does. */
  private async validateRequestOnce(
    id: string,
  ): Promise<{ request: FulfillmentRequest; validated: boolean }> {
    const { store } = this.options;
    const request = store.getRequest(id);
    const answer = await this.call(this.requestTarget(request));
    if (answer === undefined) return { request, validated: false };
    const ids = request.asset.params.map((param) => param.id);
    const updates = paramUpdates(ids, request, answer, [['asset', 'params']]);
    return { request: store.applyRequestValidation(id, request.status, updates), validated: true };
  }

  /** `POST /requests/{id}/validate`: the validated request, or the request unchanged when no validator matches. */
  async validateRequest(id: string): Promise<FulfillmentRequest> {
    return (await this.validateRequestOnce(id)).request;
  }

  /** `POST /requests/{id}/purchase`: validate (when a validator matches), then draft → pending. */
  async purchaseRequest(id: string): Promise<FulfillmentRequest> {
    nextRequestStatus(id, this.options.store.getRequest(id).status, 'purchase');
    await this.validateRequestOnce(id);
    return this.options.store.purchaseRequest(id);
  }

  /** `POST /requests/{id}/pend`: with an inquiring validator, validate first and refuse while errors remain. */
  async pendRequest(id: string): Promise<FulfillmentRequest> {
    nextRequestStatus(id, this.options.store.getRequest(id).status, 'pend');
    const { validated } = await this.validateRequestOnce(id);
    return this.options.store.pendRequest(id, { requireValid: validated });
  }

  // ---------------------------------------------------------------- tier config requests

  /**
   * The TCR as sent to its validator: as GET shows it, except that `configuration.params` carry the request's
   * current `value` / `value_error` for the params the request has (the embedded configuration otherwise
   * shows the configuration's last values), so a validator may read and write either copy.
   */
  private tcrTarget(tcr: TierConfigRequest): Target {
    const snapshot = structuredClone(tcr);
    for (const param of snapshot.configuration.params) {
      const current = tcr.params.find((candidate) => candidate.id === param.id);
      if (current) Object.assign(param, { value: current.value, value_error: current.value_error });
    }
    return {
      objectClass: 'tier_config_request',
      id: tcr.id,
      productId: tcr.configuration.product.id,
      validatorType: tierConfigValidatorType(tcr.type, tcr.status, tcr.configuration.tier_level),
      snapshot,
    };
  }

  private async validateTcrOnce(id: string): Promise<{ tcr: TierConfigRequest; validated: boolean }> {
    const { store } = this.options;
    const tcr = store.getTierConfigRequest(id);
    const target = this.tcrTarget(tcr);
    const answer = await this.call(target);
    if (answer === undefined) return { tcr, validated: false };
    const ids = tcr.params.map((param) => param.id);
    const updates = paramUpdates(ids, target.snapshot, answer, [['params'], ['configuration', 'params']]);
    return { tcr: store.applyTierConfigValidation(id, tcr.status, updates), validated: true };
  }

  /** `POST /tier/config-requests/{id}/validate`. */
  async validateTierConfigRequest(id: string): Promise<TierConfigRequest> {
    return (await this.validateTcrOnce(id)).tcr;
  }

  /** `POST /tier/config-requests/{id}/submit`: validate (when a validator matches), then draft → pending. */
  async submitTierConfigRequest(id: string): Promise<TierConfigRequest> {
    nextTierConfigStatus(id, this.options.store.getTierConfigRequest(id).status, 'submit');
    await this.validateTcrOnce(id);
    return this.options.store.submitTierConfigRequest(id);
  }

  /** `POST /tier/config-requests/{id}/pend`: with an inquiring validator, validate first. */
  async pendTierConfigRequest(id: string): Promise<void> {
    nextTierConfigStatus(id, this.options.store.getTierConfigRequest(id).status, 'pend');
    const { validated } = await this.validateTcrOnce(id);
    this.options.store.pendTierConfigRequest(id, { requireValid: validated });
  }

  // ---------------------------------------------------------------- the call

  /**
   * Calls the matching validator and answers its JSON object; `undefined` when no validator matches. Any
   * failure is recorded (log and webhook) and thrown as 502 `EMU_VALIDATOR`.
   */
  private async call(target: Target): Promise<JsonObject | undefined> {
    const { store } = this.options;
    if (!target.validatorType) return undefined;
    const webhook = store.validatorFor(target.productId, target.validatorType);
    if (!webhook) return undefined;
    const abort = this.abort;
    const started = performance.now();
    const outcome = await this.post(webhook, target.snapshot);
    const duration = Math.round(performance.now() - started);
    if (abort.signal.aborted)
      throw validatorError(`Validator ${webhook.id}: the emulator was reset or stopped.`);
    const failure = outcome.failure;
    store.recordValidation({
      webhook_id: webhook.id,
      type: target.validatorType,
      object_class: target.objectClass,
      request_id: target.id,
      status_code: outcome.statusCode,
      duration,
      errors: failure ? [failure] : [],
    });
    store.recordEvent(webhook.id);
    store.recordDelivery(webhook.id, {
      status: failure ? 'failure' : 'success',
      status_code: outcome.statusCode,
      duration,
      errors: failure ? [failure] : [],
    });
    this.options.log?.(
      `validator ${webhook.id} ${target.id} -> ${outcome.statusCode || 'error'} ${duration}ms`,
    );
    if (failure) throw validatorError(`Validator ${webhook.id} ${failure}`);
    return outcome.body;
  }

  private async post(
    webhook: StoredWebhook,
    snapshot: unknown,
  ): Promise<{ statusCode: number; body?: JsonObject; failure?: string }> {
    const token = await signWebhookToken({ secret: webhook.jwt_secret, claims: { webhook_id: webhook.id } });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let statusCode: number;
    let text: string;
    try {
      const response = await this.fetchImpl(webhook.external_url, {
        method: 'POST',
        headers: {
          ...webhook.headers,
          'Content-Type': 'application/json',
          Authorization: `Bearer ${token}`,
        },
        body: JSON.stringify(snapshot),
        signal: AbortSignal.any([this.abort.signal, timeout]),
      });
      statusCode = response.status;
      text = await response.text();
    } catch (cause) {
      if (timeout.aborted) return { statusCode: 0, failure: `timed out after ${this.timeoutMs} ms` };
      return { statusCode: 0, failure: `could not be reached (${describe(cause)})` };
    }
    if (statusCode < 200 || statusCode > 299) return { statusCode, failure: `answered ${statusCode}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { statusCode, failure: 'answered a body that is not JSON' };
    }
    if (!isObject(body)) return { statusCode, failure: 'answered JSON that is not a request object' };
    return { statusCode, body };
  }

  /** Aborts calls in flight (after a reset): their callers answer 502 and nothing is recorded. */
  reset(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  stop(): void {
    this.abort.abort();
  }
}

/** `ECONNREFUSED`, `TypeError` …: the cause's code or name, never a message that could carry a URL's secrets. */
function describe(cause: unknown): string {
  const inner = cause instanceof Error ? (cause.cause as { code?: unknown } | undefined) : undefined;
  if (inner && typeof inner.code === 'string') return inner.code;
  return cause instanceof Error ? cause.name : 'Error';
}
