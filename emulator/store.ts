/**
 * The emulator's state: assets, fulfillment requests, tier configurations and their requests,
 * conversations, webhooks and the record of API calls. Domain operations validate their bodies, apply
 * the state machines and report every creation or status change through `onChange` (webhooks).
 * Everything returned is a copy: callers never hold live state.
 */
import {
  ApproveRequestBody,
  ApproveTierConfigBody,
  CreateRequestBody,
  CreateTierConfigRequestBody,
  CreateWebhookBody,
  FailBody,
  InquireRequestBody,
  type ItemInput,
  MessageBody,
  type ParamInput,
  ProductBody,
  ProductSeed,
  parseBody,
  UpdateRequestBody,
  UpdateTierConfigRequestBody,
  UpdateWebhookBody,
} from './bodies';
import { notFoundError, stateError, validationError } from './errors';
import { IdGenerator } from './ids';
import {
  assertCanCreateOn,
  assertEditable,
  assetStatusAfterApprove,
  assetStatusAfterFail,
  assetStatusOnCreate,
  DRAFT_REQUEST_TYPES,
  nextRequestStatus,
  nextTierConfigStatus,
  REQUEST_EDITABLE,
  type RequestAction,
  TIER_CONFIG_EDITABLE,
  type TierConfigAction,
} from './state-machine';
import type {
  Asset,
  AssetStatus,
  Conversation,
  ConversationMessage,
  FulfillmentRequest,
  FulfillmentRequestStatus,
  Item,
  MessageType,
  Param,
  TierAccount,
  TierConfigApproval,
  TierConfigRequest,
  TierConfigRequestStatus,
  TierConfiguration,
  ValidatorType,
  WebhookObjectClass,
  WebhookType,
} from './wire';
import { FULFILLMENT_VALIDATOR_TYPES, TIER_CONFIG_VALIDATOR_TYPES } from './wire';

/** The emulator's own account: the vendor that owns products, webhooks and messages. */
export const VENDOR = { id: 'VA-000-000', name: 'Emulator Vendor' } as const;
const PROVIDER = { id: 'PA-000-000', name: 'Emulator Provider' } as const;
const SYSTEM_USER = { id: 'SU-000-000-000', name: 'Connect Emulator' } as const;
const DEFAULT_MARKETPLACE = { id: 'MP-00000', name: 'Emulator Marketplace' } as const;
const DEFAULT_CONTRACT = { id: 'CRD-00000-00000-00000', name: 'Emulator Distribution Contract' } as const;

export type ChangeEvent = { objectClass: WebhookObjectClass; productId: string };

/** One Connect API call as received (see README: path is the full path, query the decoded query string). */
export type CallRecord = {
  method: string;
  path: string;
  query: string;
  body: unknown;
  /** Final HTTP status; 0 for an injected timeout (never answered). */
  status: number;
};

/** One validator call (`GET /__emulator/validations`). */
export type ValidationRecord = {
  time: string;
  webhook_id: string;
  /** The validator webhook's type, e.g. `validator`, `draft_tcr_t2_val`. */
  type: ValidatorType;
  object_class: 'fulfillment_request' | 'tier_config_request';
  /** `PR-…` or `TCR-…`. */
  request_id: string;
  /** The validator's HTTP status; 0 for a timeout or a connection error. */
  status_code: number;
  /** Milliseconds from the call to the end of the answer. */
  duration: number;
  /** Empty when the validator answered 2xx with a JSON object; otherwise why the validation failed. */
  errors: string[];
};

/** A product as the emulator knows it: only its validation capabilities (every product id exists). */
export type EmulatorProduct = { id: string; capabilities: { dynamic_validation: boolean } };

/** Param changes a validator's answer asks for, by param id. */
export type ParamUpdates = ReadonlyMap<string, { value?: string; value_error?: string }>;

export type DeliveryResult = {
  time: string;
  status: 'success' | 'failure';
  status_code: number;
  duration: number;
  errors: string[];
};

export type StoredWebhook = {
  id: string;
  label: string;
  description: string | null;
  type: WebhookType;
  object_class: WebhookObjectClass;
  product: { id: string; name: string };
  external_url: string;
  jwt_secret: string;
  active: boolean;
  http_method: 'POST' | 'GET';
  data: Record<string, unknown>;
  headers: Record<string, string>;
  account: { id: string; name: string };
  created_at: string;
  modified_at: string;
  last_event: string | null;
  last_success: DeliveryResult | null;
  last_failure: DeliveryResult | null;
  stats: {
    events: number;
    triggers: number;
    success_triggers: number;
    failure_triggers: number;
    failure_since_last_success: number;
  };
};

/** A webhook as the API shows it: everything but the `jwt_secret`. */
export type WebhookView = Omit<StoredWebhook, 'jwt_secret'> & { api_url: string };

type StoredRequest = { data: FulfillmentRequest; assetStatusBefore: AssetStatus | undefined };
type StoredConversation = { conversation: Conversation; messages: ConversationMessage[] };

export type EmulatorSeed = {
  /** `{id, capabilities: {dynamic_validation}}` each, loaded first. */
  products?: unknown[];
  requests?: unknown[];
  tierConfigRequests?: unknown[];
  webhooks?: unknown[];
};

/** ISO timestamps with microseconds, strictly increasing, so `ordering(created)` is total. */
class MonotonicClock {
  private last = 0;
  constructor(private readonly now: () => number) {}

  reset(): void {
    this.last = 0;
  }

  iso(): string {
    const micros = Math.max(this.now() * 1000, this.last + 1);
    this.last = micros;
    const date = new Date(Math.floor(micros / 1000));
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${date.toISOString().slice(0, 19)}.${fraction}+00:00`;
  }
}

const clone = <T>(value: T): T => structuredClone(value);

function normalizeParam(input: ParamInput, defaults: Partial<Param>): Param {
  return {
    name: input.id,
    title: input.id,
    description: '',
    type: 'text',
    constraints: { required: false, hidden: false, unique: false },
    ...defaults,
    ...input,
    value: input.value ?? '',
    value_error: input.value_error ?? '',
  };
}

/**
 * PUT semantics: merge `value`, `value_error`, `structured_value` by id. Any unknown id refuses the whole
 * update as Connect does: 400 `VAL_001`, one `Parameter <id> does not exist` per unknown id.
 */
function mergeParams(target: Param[], updates: readonly ParamInput[]): void {
  const unknown = new Set(
    updates.filter((update) => !target.some((param) => param.id === update.id)).map((update) => update.id),
  );
  if (unknown.size > 0) throw validationError(...[...unknown].map((id) => `Parameter ${id} does not exist`));
  for (const update of updates) {
    const param = target.find((candidate) => candidate.id === update.id);
    if (!param) continue;
    if (update.value !== undefined) param.value = update.value ?? '';
    if (update.value_error !== undefined) param.value_error = update.value_error ?? '';
    if (update.structured_value !== undefined) param.structured_value = update.structured_value;
  }
}

/** 400 `VAL_001` naming every param whose `value_error` is set (purchase, submit, validated pend). */
function assertNoValueErrors(params: readonly Param[], subject: string, action: string): void {
  const invalid = params.filter((param) => param.value_error);
  if (invalid.length > 0) {
    throw validationError(
      ...invalid.map((param) => `Parameter ${param.id}: ${param.value_error}`),
      `${subject} cannot be ${action} while its parameters have errors.`,
    );
  }
}

/** Applies a validator's `value` / `value_error` changes by id; true when anything changed. */
function applyParamUpdates(params: Param[], updates: ParamUpdates): boolean {
  let changed = false;
  for (const param of params) {
    const update = updates.get(param.id);
    if (!update) continue;
    if (update.value !== undefined && update.value !== param.value) {
      param.value = update.value;
      changed = true;
    }
    if (update.value_error !== undefined && update.value_error !== param.value_error) {
      param.value_error = update.value_error;
      changed = true;
    }
  }
  return changed;
}

const FULFILLMENT_VALIDATORS: readonly string[] = FULFILLMENT_VALIDATOR_TYPES;
const TIER_CONFIG_VALIDATORS: readonly string[] = TIER_CONFIG_VALIDATOR_TYPES;

/** A validator type belongs to one object class (`validator` → fulfillment_request, `draft_tcr_…` → TCRs). */
function assertWebhookKind(type: WebhookType, objectClass: WebhookObjectClass): void {
  const needed = FULFILLMENT_VALIDATORS.includes(type)
    ? 'fulfillment_request'
    : TIER_CONFIG_VALIDATORS.includes(type)
      ? 'tier_config_request'
      : undefined;
  if (needed && objectClass !== needed) {
    throw validationError(`object_class: a ${type} webhook needs object_class ${needed}, not ${objectClass}`);
  }
}

function quantityText(quantity: string | number): string {
  return String(quantity);
}

function renderTemplate(templateId: string, subject: string, params: readonly Param[]): string {
  const lines = params.filter((param) => param.value).map((param) => `* **${param.id}**: ${param.value}`);
  return [
    `# Activation (${templateId})`,
    '',
    `${subject} has been processed by the Connect emulator.`,
    ...(lines.length > 0 ? ['', '## Parameters', '', ...lines] : []),
  ].join('\n');
}

export class EmulatorStore {
  private readonly assets = new Map<string, Asset>();
  private readonly requests = new Map<string, StoredRequest>();
  private readonly tierConfigs = new Map<string, TierConfiguration>();
  private readonly tierConfigRequests = new Map<string, TierConfigRequest>();
  private readonly conversations = new Map<string, StoredConversation>();
  private readonly webhooks = new Map<string, StoredWebhook>();
  private readonly products = new Map<string, EmulatorProduct>();
  private readonly callLog: CallRecord[] = [];
  private readonly validationLog: ValidationRecord[] = [];
  private readonly ids = new IdGenerator();
  private readonly clock: MonotonicClock;

  /** Called on every creation and status change of a request or TCR (the webhook trigger). */
  onChange: (event: ChangeEvent) => void = () => {};
  /** The emulator's base URL (incl. `/public/v1`), shown as `api_url`. */
  apiUrl = '';

  constructor(options: { now?: () => number } = {}) {
    this.clock = new MonotonicClock(options.now ?? Date.now);
  }

  /** Empties everything: objects, products, webhooks, calls, validations; ids start again. */
  reset(): void {
    this.assets.clear();
    this.requests.clear();
    this.tierConfigs.clear();
    this.tierConfigRequests.clear();
    this.conversations.clear();
    this.webhooks.clear();
    this.products.clear();
    this.callLog.length = 0;
    this.validationLog.length = 0;
    this.ids.reset();
    this.clock.reset();
  }

  /** Loads seed objects through the same paths as the API, without firing webhooks. */
  applySeed(seed: EmulatorSeed): void {
    const listener = this.onChange;
    this.onChange = () => {};
    try {
      for (const body of seed.products ?? []) {
        const { id, ...product } = parseBody(ProductSeed, body);
        this.setProduct(id, product);
      }
      for (const body of seed.webhooks ?? []) this.createWebhook(body);
      for (const body of seed.requests ?? []) this.createRequest(body);
      for (const body of seed.tierConfigRequests ?? []) this.createTierConfigRequest(body);
    } finally {
      this.onChange = listener;
    }
  }

  // ---------------------------------------------------------------- calls

  recordCall(call: CallRecord): CallRecord {
    this.callLog.push(call);
    return call;
  }

  get calls(): CallRecord[] {
    return clone(this.callLog);
  }

  recordValidation(record: Omit<ValidationRecord, 'time'>): ValidationRecord {
    const entry: ValidationRecord = { time: this.clock.iso(), ...record };
    this.validationLog.push(entry);
    return clone(entry);
  }

  /** Every validator call since the last reset, in order. */
  get validations(): ValidationRecord[] {
    return clone(this.validationLog);
  }

  // ---------------------------------------------------------------- products

  /**
   * Replaces a product's validation capabilities (same body as `PUT /__emulator/products/{id}`):
   * `store.setProduct('PRD-…', { capabilities: { dynamic_validation: true } })`.
   */
  setProduct(id: string, input: unknown): EmulatorProduct {
    const body = parseBody(ProductBody, input);
    const product: EmulatorProduct = { id, capabilities: { ...body.capabilities } };
    this.products.set(id, product);
    return clone(product);
  }

  /** Any product id answers; one never set has every capability off. */
  getProduct(id: string): EmulatorProduct {
    return clone(this.products.get(id) ?? { id, capabilities: { dynamic_validation: false } });
  }

  /** The products whose capabilities were set (by PUT, seed or `setProduct`). */
  listProducts(): EmulatorProduct[] {
    return [...this.products.values()].map(clone);
  }

  /** 400 `VAL_001` unless the product has the dynamic validation capability. */
  private assertDraftAllowed(productId: string, what: string): void {
    if (this.products.get(productId)?.capabilities.dynamic_validation) return;
    throw validationError(
      `status: ${what} can be created as a draft only when its product has the dynamic validation capability; ` +
        `${productId} has not (PUT /__emulator/products/${productId} {"capabilities":{"dynamic_validation":true}})`,
    );
  }

  // ---------------------------------------------------------------- assets

  listAssets(): Asset[] {
    return [...this.assets.values()].map(clone);
  }

  getAsset(id: string): Asset {
    const asset = this.assets.get(id);
    if (!asset) throw notFoundError(`Asset ${id} not found.`);
    return clone(asset);
  }

  // ---------------------------------------------------------------- fulfillment requests

  private render(stored: StoredRequest): FulfillmentRequest {
    const request = clone(stored.data);
    const asset = this.assets.get(request.asset.id);
    if (asset) request.asset.status = asset.status;
    return request;
  }

  private storedRequest(id: string): StoredRequest {
    const stored = this.requests.get(id);
    if (!stored) throw notFoundError(`Request ${id} not found.`);
    return stored;
  }

  listRequests(): FulfillmentRequest[] {
    return [...this.requests.values()].map((stored) => this.render(stored));
  }

  getRequest(id: string): FulfillmentRequest {
    return this.render(this.storedRequest(id));
  }

  /** A request's status alone, with no copy of the request: for pollers that watch hundreds (benchmarks). */
  requestStatus(id: string): string {
    return this.storedRequest(id).data.status;
  }

  createRequest(input: unknown): FulfillmentRequest {
    const body = parseBody(CreateRequestBody, input);
    const draft = body.status === 'draft';
    if (draft) {
      if (!DRAFT_REQUEST_TYPES.includes(body.type)) {
        throw validationError(
          `status: a ${body.type} request cannot be a draft (drafts: ${DRAFT_REQUEST_TYPES.join(', ')})`,
        );
      }
      const productId =
        body.type === 'purchase' ? body.asset.product?.id : this.assets.get(body.asset.id ?? '')?.product.id;
      if (productId) this.assertDraftAllowed(productId, 'a request');
    }
    const now = this.clock.iso();
    const { asset, requestAsset, assetStatusBefore } =
      body.type === 'purchase' ? this.newAsset(body, now) : this.existingAsset(body, now);
    const marketplace = body.marketplace ?? asset.marketplace ?? DEFAULT_MARKETPLACE;
    const contract = body.contract ?? asset.contract ?? DEFAULT_CONTRACT;
    const id = this.ids.request(asset.id);
    const request: FulfillmentRequest = {
      id,
      type: body.type,
      status: draft ? 'draft' : 'pending',
      created: now,
      updated: now,
      asset: requestAsset,
      note: body.note ?? '',
      reason: '',
      activation_key: '',
      effective_date: '',
      answered: false,
      assignee: '',
      marketplace: clone(marketplace),
      contract: clone(contract),
      events: { created: { at: now }, updated: { at: now } },
    };
    this.requests.set(id, { data: request, assetStatusBefore });
    this.openConversation(id, `Fulfillment Request ${id}`, now);
    // A draft is not in the fulfillment queue: its first event is the move to pending (purchase).
    if (!draft) this.onChange({ objectClass: 'fulfillment_request', productId: asset.product.id });
    return this.getRequest(id);
  }

  private newAsset(
    body: CreateRequestBody,
    now: string,
  ): { asset: Asset; requestAsset: Asset; assetStatusBefore: undefined } {
    const product = body.asset.product;
    if (!product) throw validationError('asset.product.id: a purchase needs the product');
    if (body.asset.id && this.assets.has(body.asset.id)) {
      throw validationError(
        `asset.id: asset ${body.asset.id} already exists, a purchase creates a new asset`,
      );
    }
    const id = body.asset.id ?? this.ids.asset();
    const items = (body.asset.items ?? []).map((item, index) => this.newItem(item, product.id, index, '0'));
    const customerId = this.ids.tierAccount();
    const tier1Id = this.ids.tierAccount();
    const asset: Asset = {
      id,
      status: assetStatusOnCreate('purchase', 'processing', body.status === 'draft'),
      external_id: body.asset.external_id ?? this.ids.externalId(),
      external_uid: body.asset.external_uid ?? this.ids.uuid(),
      product: { name: `Product ${product.id}`, status: 'published', ...product },
      connection: body.asset.connection ?? {
        id: 'CT-0000-0000-0000',
        type: 'test',
        provider: { ...PROVIDER },
        vendor: { ...VENDOR },
        hub: { id: 'HB-0000-0000', name: 'Emulator Hub' },
      },
      items,
      params: (body.asset.params ?? []).map((param) => normalizeParam(param, { phase: 'ordering' })),
      tiers: body.asset.tiers ?? {
        customer: this.tierAccount(customerId, 'customer', 'Emulator Customer'),
        tier1: this.tierAccount(tier1Id, 'reseller', 'Emulator Reseller'),
        tier2: {},
      },
      configuration: { params: [] },
      marketplace: body.asset.marketplace ?? body.marketplace ?? { ...DEFAULT_MARKETPLACE },
      contract: body.asset.contract ?? body.contract ?? { ...DEFAULT_CONTRACT },
      events: { created: { at: now }, updated: { at: now } },
    };
    this.assets.set(id, asset);
    return { asset, requestAsset: clone(asset), assetStatusBefore: undefined };
  }

  private existingAsset(
    body: CreateRequestBody,
    now: string,
  ): { asset: Asset; requestAsset: Asset; assetStatusBefore: AssetStatus } {
    const type = body.type;
    if (type === 'purchase') throw new Error('unreachable: purchase uses newAsset');
    const assetId = body.asset.id;
    if (!assetId) throw validationError(`asset.id: a ${type} request needs an existing asset`);
    const asset = this.assets.get(assetId);
    if (!asset) throw notFoundError(`Asset ${assetId} not found.`);
    const before = asset.status ?? 'active';
    assertCanCreateOn(type, assetId, before);
    const requestAsset = clone(asset);
    if (type === 'change') {
      const changes = body.asset.items ?? [];
      if (changes.length === 0) throw validationError('asset.items: a change request needs items');
      requestAsset.items = changes.map((change, index) => {
        const current = asset.items.find((item) => item.id === change.id);
        return current
          ? {
              ...clone(current),
              quantity: quantityText(change.quantity),
              old_quantity: quantityText(current.quantity),
            }
          : this.newItem(change, asset.product.id, asset.items.length + index, '0');
      });
    } else {
      requestAsset.items = asset.items.map((item) => ({
        ...clone(item),
        old_quantity: quantityText(item.quantity),
      }));
    }
    if (body.asset.params) mergeParams(requestAsset.params, body.asset.params);
    asset.status = assetStatusOnCreate(type, before);
    asset.events = { ...(asset.events as object), updated: { at: now } };
    return { asset, requestAsset, assetStatusBefore: before };
  }

  private newItem(input: ItemInput, productId: string, index: number, oldQuantity: string): Item {
    return {
      global_id: `${productId}-${String(index + 1).padStart(4, '0')}`,
      mpn: input.id,
      display_name: input.id,
      type: 'Licenses',
      item_type: 'Reservation',
      period: 'Monthly',
      params: [],
      ...input,
      quantity: quantityText(input.quantity),
      old_quantity: oldQuantity,
    };
  }

  private tierAccount(id: string, type: string, name: string): TierAccount {
    return {
      id,
      type,
      name,
      external_id: id.replace(/\D/g, '').slice(-6),
      external_uid: this.ids.uuid(),
      tax_id: '',
      contact_info: {
        address_line1: '1 Emulator Street',
        address_line2: '',
        city: 'Localhost',
        state: '',
        postal_code: '10000',
        country: 'US',
        contact: {
          first_name: name.split(' ')[0] ?? name,
          last_name: 'Contact',
          email: `${type}@example.com`,
          phone_number: { country_code: '+1', area_code: '555', phone_number: '0100', extension: '' },
        },
      },
    };
  }

  updateRequest(id: string, input: unknown): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const body = parseBody(UpdateRequestBody, input);
    assertEditable(id, stored.data.status, REQUEST_EDITABLE);
    if (body.asset?.params) mergeParams(stored.data.asset.params, body.asset.params);
    if (body.note !== undefined) stored.data.note = body.note;
    this.touch(stored.data, this.clock.iso());
    return this.render(stored);
  }

  approveRequest(id: string, input: unknown): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const body = parseBody(ApproveRequestBody, input);
    if (!body.template_id && !body.activation_tile) {
      throw validationError('template_id or activation_tile is required to approve a request.');
    }
    const request = stored.data;
    const status = nextRequestStatus(id, request.status, 'approve');
    const now = this.clock.iso();
    if (body.template_id) {
      request.template = { id: body.template_id, name: `Template ${body.template_id}` };
      request.activation_key = renderTemplate(body.template_id, `Request ${id}`, request.asset.params);
    } else {
      request.activation_key = body.activation_tile ?? '';
    }
    request.effective_date = body.effective_date ?? now;
    const asset = this.assets.get(request.asset.id);
    if (asset) {
      asset.status = assetStatusAfterApprove(request.type, asset.status ?? 'active');
      this.applyToAsset(asset, request);
      asset.events = { ...(asset.events as object), updated: { at: now } };
    }
    this.changeStatus(request, status, 'approve', now);
    return this.render(stored);
  }

  /** An approved request's items and params become the asset's. */
  private applyToAsset(asset: Asset, request: FulfillmentRequest): void {
    for (const param of request.asset.params) {
      const index = asset.params.findIndex((candidate) => candidate.id === param.id);
      if (index >= 0) asset.params[index] = clone(param);
      else asset.params.push(clone(param));
    }
    if (request.type !== 'purchase' && request.type !== 'change') return;
    for (const item of request.asset.items) {
      const { old_quantity: _old, ...rest } = clone(item);
      const index = asset.items.findIndex((candidate) => candidate.id === item.id);
      if (String(item.quantity) === '0') {
        if (index >= 0) asset.items.splice(index, 1);
      } else if (index >= 0) asset.items[index] = { ...rest, old_quantity: '0' };
      else asset.items.push({ ...rest, old_quantity: '0' });
    }
  }

  inquireRequest(id: string, input: unknown): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const body = parseBody(InquireRequestBody, input);
    const request = stored.data;
    const status = nextRequestStatus(id, request.status, 'inquire');
    if (body.template_id) {
      request.activation_key = renderTemplate(body.template_id, `Request ${id}`, request.asset.params);
    } else if (body.activation_tile) request.activation_key = body.activation_tile;
    this.changeStatus(request, status, 'inquire', this.clock.iso());
    return this.render(stored);
  }

  failRequest(id: string, input: unknown): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const body = parseBody(FailBody, input);
    const request = stored.data;
    const status = nextRequestStatus(id, request.status, 'fail');
    request.reason = body.reason;
    const asset = this.assets.get(request.asset.id);
    if (asset)
      asset.status = assetStatusAfterFail(request.type, asset.status ?? 'active', stored.assetStatusBefore);
    this.changeStatus(request, status, 'fail', this.clock.iso());
    return this.render(stored);
  }

  /**
   * `inquiring` → `pending`. With `requireValid` (an inquiring validator has just run) it is refused while a
   * param has a `value_error`; without, exactly as before validators existed.
   */
  pendRequest(id: string, options: { requireValid?: boolean } = {}): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const status = nextRequestStatus(id, stored.data.status, 'pend');
    if (options.requireValid) assertNoValueErrors(stored.data.asset.params, `Request ${id}`, 'pended');
    this.changeStatus(stored.data, status, 'pend', this.clock.iso());
    return this.render(stored);
  }

  /** `draft` → `pending` (§5.1 #3), refused while a param has a `value_error`; fires like a creation. */
  purchaseRequest(id: string): FulfillmentRequest {
    const stored = this.storedRequest(id);
    const request = stored.data;
    const status = nextRequestStatus(id, request.status, 'purchase');
    assertNoValueErrors(request.asset.params, `Request ${id}`, 'purchased');
    const now = this.clock.iso();
    const asset = this.assets.get(request.asset.id);
    if (asset && request.type === 'purchase') {
      asset.status = assetStatusOnCreate('purchase', asset.status);
      asset.events = { ...asset.events, updated: { at: now } };
    }
    this.changeStatus(request, status, 'purchase', now);
    return this.render(stored);
  }

  /**
   * Stores what a validator answered (its `value` / `value_error` per param id), provided the request is
   * still in the status it was validated in.
   */
  applyRequestValidation(id: string, validatedStatus: string, updates: ParamUpdates): FulfillmentRequest {
    const stored = this.storedRequest(id);
    if (stored.data.status !== validatedStatus) {
      throw stateError(`Request ${id} became ${stored.data.status} while it was being validated.`);
    }
    if (applyParamUpdates(stored.data.asset.params, updates)) this.touch(stored.data, this.clock.iso());
    return this.render(stored);
  }

  private touch(object: { updated?: string | null | undefined; events?: unknown }, now: string): void {
    object.updated = now;
    object.events = { ...(object.events as object), updated: { at: now } };
  }

  private changeStatus(
    request: FulfillmentRequest,
    status: FulfillmentRequestStatus,
    action: RequestAction,
    now: string,
  ): void {
    const from = request.status;
    request.status = status;
    this.touch(request, now);
    this.stateChangeMessage(request.id, from, status, action, now);
    this.onChange({ objectClass: 'fulfillment_request', productId: request.asset.product.id });
  }

  // ---------------------------------------------------------------- tier config requests

  private storedTcr(id: string): TierConfigRequest {
    const tcr = this.tierConfigRequests.get(id);
    if (!tcr) throw notFoundError(`Tier config request ${id} not found.`);
    return tcr;
  }

  listTierConfigRequests(): TierConfigRequest[] {
    return [...this.tierConfigRequests.values()].map(clone);
  }

  getTierConfigRequest(id: string): TierConfigRequest {
    return clone(this.storedTcr(id));
  }

  createTierConfigRequest(input: unknown): TierConfigRequest {
    const body = parseBody(CreateTierConfigRequestBody, input);
    const now = this.clock.iso();
    const existingId = body.configuration.id;
    const existing = existingId ? this.tierConfigs.get(existingId) : undefined;
    if (existingId && !existing && !body.configuration.product) {
      throw notFoundError(`Tier configuration ${existingId} not found.`);
    }
    const draft = body.status === 'draft';
    const productId = existing?.product.id ?? body.configuration.product?.id;
    if (draft && productId) this.assertDraftAllowed(productId, 'a tier config request');
    const config = existing ?? this.newTierConfig(body, now);
    const id = this.ids.tierConfigRequest(config.id);
    config.open_request = { id };
    const params = body.params
      ? body.params.map((param) =>
          normalizeParam(param, { phase: 'ordering', scope: `tier${config.tier_level}` }),
        )
      : clone(config.params ?? []);
    const account = clone(config.account ?? {});
    const tcr: TierConfigRequest = {
      id,
      type: body.type ?? (existing ? 'update' : 'setup'),
      status: draft ? 'draft' : 'pending',
      created: now,
      updated: now,
      configuration: clone(config),
      parent_configuration: null,
      params,
      notes: body.notes ?? '',
      reason: '',
      environment: body.environment ?? 'test',
      effective_date: '',
      assignee: '',
      template: null,
      tiers: config.tier_level === 1 ? { tier1: account, tier2: null } : { tier1: {}, tier2: account },
      events: { created: { at: now }, updated: { at: now } },
    };
    this.tierConfigRequests.set(id, tcr);
    this.openConversation(id, `Tier Config Request ${id}`, now);
    if (!draft) this.onChange({ objectClass: 'tier_config_request', productId: config.product.id });
    return clone(tcr);
  }

  private newTierConfig(body: CreateTierConfigRequestBody, now: string): TierConfiguration {
    const { product, tier_level: level } = body.configuration;
    if (!product) throw validationError('configuration.product.id: a tier config request needs the product');
    if (level === undefined) throw validationError('configuration.tier_level: 1 or 2 is required');
    const tierLevel = Number(level) === 2 ? 2 : 1;
    const accountId = body.configuration.account?.id ?? this.ids.tierAccount();
    const account = {
      ...this.tierAccount(accountId, 'reseller', `Emulator Tier ${tierLevel} Reseller`),
      ...body.configuration.account,
    };
    const id = body.configuration.id ?? this.ids.tierConfig();
    const config: TierConfiguration = {
      id,
      name: `Configuration of ${accountId}`,
      account,
      product: { name: `Product ${product.id}`, status: 'published', ...product },
      tier_level: tierLevel,
      connection: body.configuration.connection ?? {
        id: 'CT-0000-0000-0000',
        type: 'test',
        provider: { ...PROVIDER },
        vendor: { ...VENDOR },
        hub: { id: 'HB-0000-0000', name: 'Emulator Hub' },
      },
      params: (body.configuration.params ?? body.params ?? []).map((param) =>
        normalizeParam(param, { phase: 'ordering', scope: `tier${tierLevel}` }),
      ),
      status: body.status === 'draft' ? 'draft' : 'processing',
      configuration: { params: [] },
      marketplace: body.configuration.marketplace ?? { ...DEFAULT_MARKETPLACE },
      contract: body.configuration.contract ?? { ...DEFAULT_CONTRACT },
      events: { created: { at: now }, updated: { at: now } },
    };
    this.tierConfigs.set(id, config);
    return config;
  }

  updateTierConfigRequest(id: string, input: unknown): TierConfigRequest {
    const tcr = this.storedTcr(id);
    const body = parseBody(UpdateTierConfigRequestBody, input);
    assertEditable(id, tcr.status, TIER_CONFIG_EDITABLE);
    if (body.params) mergeParams(tcr.params, body.params);
    if (body.notes !== undefined) tcr.notes = body.notes;
    this.touch(tcr, this.clock.iso());
    return clone(tcr);
  }

  approveTierConfigRequest(id: string, input: unknown): TierConfigApproval {
    const tcr = this.storedTcr(id);
    const body = parseBody(ApproveTierConfigBody, input);
    const { id: templateId, representation } = body.template;
    if (!templateId && !representation) {
      throw validationError('template.id or template.representation is required to approve.');
    }
    const status = nextTierConfigStatus(id, tcr.status, 'approve');
    const now = this.clock.iso();
    const text = representation ?? renderTemplate(templateId ?? '', `Tier config request ${id}`, tcr.params);
    const template = templateId ? { id: templateId, representation: text } : { representation: text };
    // Only a template id names a template; a bare representation leaves `template` null.
    tcr.template = templateId
      ? { id: templateId, name: `Template ${templateId}`, representation: text }
      : null;
    tcr.effective_date = body.template.effective_date ?? body.effective_date ?? now;
    const config = this.tierConfigs.get(tcr.configuration.id);
    if (config) {
      config.status = 'active';
      config.params = clone(tcr.params);
      config.template = templateId ? { id: templateId, name: `Template ${templateId}` } : config.template;
      config.open_request = null;
      tcr.configuration = clone(config);
    }
    this.changeTcrStatus(tcr, status, 'approve', now);
    return { template, effective_date: tcr.effective_date };
  }

  inquireTierConfigRequest(id: string): void {
    const tcr = this.storedTcr(id);
    this.changeTcrStatus(tcr, nextTierConfigStatus(id, tcr.status, 'inquire'), 'inquire', this.clock.iso());
  }

  failTierConfigRequest(id: string, input: unknown): void {
    const tcr = this.storedTcr(id);
    const body = parseBody(FailBody, input);
    const status = nextTierConfigStatus(id, tcr.status, 'fail');
    tcr.reason = body.reason;
    const config = this.tierConfigs.get(tcr.configuration.id);
    if (config) config.open_request = null;
    this.changeTcrStatus(tcr, status, 'fail', this.clock.iso());
  }

  /** Like {@link pendRequest}: `requireValid` once an inquiring validator has run. */
  pendTierConfigRequest(id: string, options: { requireValid?: boolean } = {}): void {
    const tcr = this.storedTcr(id);
    const status = nextTierConfigStatus(id, tcr.status, 'pend');
    if (options.requireValid) assertNoValueErrors(tcr.params, `Tier config request ${id}`, 'pended');
    this.changeTcrStatus(tcr, status, 'pend', this.clock.iso());
  }

  /** `draft` → `pending` (§7.3 `submit`), refused while a param has a `value_error`; fires like a creation. */
  submitTierConfigRequest(id: string): TierConfigRequest {
    const tcr = this.storedTcr(id);
    const status = nextTierConfigStatus(id, tcr.status, 'submit');
    assertNoValueErrors(tcr.params, `Tier config request ${id}`, 'submitted');
    const config = this.tierConfigs.get(tcr.configuration.id);
    if (config?.status === 'draft') {
      config.status = 'processing';
      tcr.configuration.status = 'processing';
    }
    this.changeTcrStatus(tcr, status, 'submit', this.clock.iso());
    return clone(tcr);
  }

  /** Like {@link applyRequestValidation}, on the TCR's request-level `params` (what PUT writes). */
  applyTierConfigValidation(id: string, validatedStatus: string, updates: ParamUpdates): TierConfigRequest {
    const tcr = this.storedTcr(id);
    if (tcr.status !== validatedStatus) {
      throw stateError(`Tier config request ${id} became ${tcr.status} while it was being validated.`);
    }
    if (applyParamUpdates(tcr.params, updates)) this.touch(tcr, this.clock.iso());
    return clone(tcr);
  }

  private changeTcrStatus(
    tcr: TierConfigRequest,
    status: TierConfigRequestStatus,
    action: TierConfigAction,
    now: string,
  ): void {
    const from = tcr.status;
    tcr.status = status;
    this.touch(tcr, now);
    const eventName = {
      approve: 'approved',
      inquire: 'inquired',
      fail: 'failed',
      pend: 'pended',
      submit: '',
    }[action];
    if (eventName) tcr.events = { ...tcr.events, [eventName]: { at: now, by: { ...SYSTEM_USER } } };
    this.stateChangeMessage(tcr.id, from, status, action, now);
    this.onChange({ objectClass: 'tier_config_request', productId: tcr.configuration.product.id });
  }

  // ---------------------------------------------------------------- conversations

  private openConversation(instanceId: string, topic: string, now: string): void {
    const id = this.ids.short('CO');
    this.conversations.set(id, {
      conversation: {
        id,
        instance_id: instanceId,
        topic,
        created: now,
        creator: { ...SYSTEM_USER },
        accounts: [{ ...VENDOR }],
      },
      messages: [],
    });
  }

  private storedConversation(id: string): StoredConversation {
    const stored = this.conversations.get(id);
    if (!stored) throw notFoundError(`Conversation ${id} not found.`);
    return stored;
  }

  private addMessage(
    stored: StoredConversation,
    text: string,
    type: MessageType,
    now: string,
  ): ConversationMessage {
    const message: ConversationMessage = {
      id: this.ids.short('ME'),
      conversation: stored.conversation.id,
      account: { ...VENDOR },
      created: now,
      creator: { ...SYSTEM_USER },
      text,
      type,
      events: { created: { at: now } },
    };
    stored.messages.push(message);
    return clone(message);
  }

  private stateChangeMessage(
    instanceId: string,
    from: string,
    to: string,
    action: string,
    now: string,
  ): void {
    const stored = [...this.conversations.values()].find((c) => c.conversation.instance_id === instanceId);
    if (stored)
      this.addMessage(
        stored,
        `${instanceId}: ${action}, status changed from ${from} to ${to}.`,
        'state_change',
        now,
      );
  }

  listConversations(): Conversation[] {
    return [...this.conversations.values()].map((stored) => clone(stored.conversation));
  }

  /** A conversation with its messages embedded (as the legacy responses show). */
  getConversation(id: string): Conversation & { messages: ConversationMessage[] } {
    const stored = this.storedConversation(id);
    return { ...clone(stored.conversation), messages: clone(stored.messages) };
  }

  listMessages(conversationId: string): ConversationMessage[] {
    return clone(this.storedConversation(conversationId).messages);
  }

  postMessage(conversationId: string, input: unknown): ConversationMessage {
    const stored = this.storedConversation(conversationId);
    const body = parseBody(MessageBody, input);
    return this.addMessage(stored, body.text, body.type, this.clock.iso());
  }

  // ---------------------------------------------------------------- webhooks

  private view(webhook: StoredWebhook): WebhookView {
    const { jwt_secret: _secret, ...rest } = clone(webhook);
    return { ...rest, api_url: this.apiUrl };
  }

  private storedWebhookOrThrow(id: string): StoredWebhook {
    const webhook = this.webhooks.get(id);
    if (!webhook) throw notFoundError(`Webhook ${id} not found.`);
    return webhook;
  }

  /** The live webhook, secret included: for the delivery module only. */
  webhookForDelivery(id: string): StoredWebhook | undefined {
    return this.webhooks.get(id);
  }

  /** Active `event` webhooks watching this product and object class (validators never fire on changes). */
  webhooksFor(event: ChangeEvent): string[] {
    return [...this.webhooks.values()]
      .filter(
        (w) =>
          w.type === 'event' &&
          w.active &&
          w.product.id === event.productId &&
          w.object_class === event.objectClass,
      )
      .map((w) => w.id);
  }

  /** The first-created active validator webhook of this product and type (secret included, for the call). */
  validatorFor(productId: string, type: ValidatorType): StoredWebhook | undefined {
    return [...this.webhooks.values()].find((w) => w.active && w.type === type && w.product.id === productId);
  }

  listWebhooks(): WebhookView[] {
    return [...this.webhooks.values()].map((webhook) => this.view(webhook));
  }

  getWebhook(id: string): WebhookView {
    return this.view(this.storedWebhookOrThrow(id));
  }

  createWebhook(input: unknown): WebhookView {
    const body = parseBody(CreateWebhookBody, input);
    assertWebhookKind(body.type, body.object_class);
    const now = this.clock.iso();
    const id = this.ids.short('WH');
    const webhook: StoredWebhook = {
      id,
      label: body.label,
      description: body.description ?? '',
      type: body.type,
      object_class: body.object_class,
      product: { id: body.product_id, name: `Product ${body.product_id}` },
      external_url: body.external_url,
      jwt_secret: body.jwt_secret,
      active: body.active,
      http_method: body.http_method,
      data: body.data,
      headers: body.headers,
      account: { ...VENDOR },
      created_at: now,
      modified_at: now,
      last_event: null,
      last_success: null,
      last_failure: null,
      stats: {
        events: 0,
        triggers: 0,
        success_triggers: 0,
        failure_triggers: 0,
        failure_since_last_success: 0,
      },
    };
    this.webhooks.set(id, webhook);
    return this.view(webhook);
  }

  updateWebhook(id: string, input: unknown): WebhookView {
    const webhook = this.storedWebhookOrThrow(id);
    const body = parseBody(UpdateWebhookBody, input);
    assertWebhookKind(body.type ?? webhook.type, body.object_class ?? webhook.object_class);
    const { product_id: productId, description, ...rest } = body;
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined && key in webhook) Object.assign(webhook, { [key]: value });
    }
    if (description !== undefined) webhook.description = description ?? '';
    if (productId) webhook.product = { id: productId, name: `Product ${productId}` };
    webhook.modified_at = this.clock.iso();
    return this.view(webhook);
  }

  deleteWebhook(id: string): void {
    this.storedWebhookOrThrow(id);
    this.webhooks.delete(id);
  }

  /** Records one delivery attempt on the webhook (no-op when it was deleted meanwhile). */
  recordDelivery(id: string, result: Omit<DeliveryResult, 'time'>): void {
    const webhook = this.webhooks.get(id);
    if (!webhook) return;
    const entry: DeliveryResult = { time: this.clock.iso(), ...result };
    webhook.last_event = entry.time;
    webhook.stats.triggers += 1;
    if (entry.status === 'success') {
      webhook.last_success = entry;
      webhook.stats.success_triggers += 1;
      webhook.stats.failure_since_last_success = 0;
    } else {
      webhook.last_failure = entry;
      webhook.stats.failure_triggers += 1;
      webhook.stats.failure_since_last_success += 1;
    }
  }

  /** Counts an event that asked for a delivery (coalesced or not). */
  recordEvent(id: string): void {
    const webhook = this.webhooks.get(id);
    if (webhook) webhook.stats.events += 1;
  }

  now(): string {
    return this.clock.iso();
  }
}
