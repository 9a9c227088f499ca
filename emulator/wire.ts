/**
 * The emulator's own description of Connect's objects, as it puts them on the wire. Written from the Connect
 * reference (API.md §2, §3, §8, §11) and the v37 OpenAPI spec, deliberately independent of the project's
 * Connect client: the emulator is the oracle the client is tested against, so it must not inherit
 * the client's reading of the schemas.
 *
 * These types describe what the emulator produces (always strings for quantities, `""` for empty texts),
 * not the tolerant shapes a client must accept. Objects that carry caller-supplied extras (params, items,
 * products, accounts, connections) keep an index signature.
 */

// ---------------------------------------------------------------- enums

/** API.md §2.1: the list-filter enum of the spec, which is the complete one. */
export const FULFILLMENT_REQUEST_TYPES = [
  'purchase',
  'change',
  'suspend',
  'resume',
  'cancel',
  'adjustment',
  'renew',
  'transfer',
] as const;
export type FulfillmentRequestType = (typeof FULFILLMENT_REQUEST_TYPES)[number];

/** API.md §2.1 (filter enum; the response enum of the spec stops at `failed`). */
export const FULFILLMENT_REQUEST_STATUSES = [
  'draft',
  'tiers_setup',
  'pending',
  'inquiring',
  'approved',
  'failed',
  'scheduled',
  'revoking',
  'revoked',
] as const;
export type FulfillmentRequestStatus = (typeof FULFILLMENT_REQUEST_STATUSES)[number];

/** API.md §2.2 / §6.9: the asset endpoint's enum. */
export const ASSET_STATUSES = [
  'draft',
  'processing',
  'active',
  'terminating',
  'suspended',
  'terminated',
] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** API.md §3 (`dp.TierConfigRequestRead.type`). */
export const TIER_CONFIG_REQUEST_TYPES = ['setup', 'update', 'adjustment'] as const;
export type TierConfigRequestType = (typeof TIER_CONFIG_REQUEST_TYPES)[number];

/** API.md §3 (`dp.TierConfigRequestRead.status`). */
export const TIER_CONFIG_REQUEST_STATUSES = [
  'tiers_setup',
  'pending',
  'inquiring',
  'approved',
  'failed',
  'draft',
] as const;
export type TierConfigRequestStatus = (typeof TIER_CONFIG_REQUEST_STATUSES)[number];

/** A tier configuration's own status (API.md §3; R9 adds `draft`). */
export const TIER_CONFIG_STATUSES = ['draft', 'processing', 'active'] as const;
export type TierConfigStatus = (typeof TIER_CONFIG_STATUSES)[number];

/** API.md §2.3. */
export const PARAM_PHASES = ['ordering', 'fulfillment', 'configuration'] as const;
export type ParamPhase = (typeof PARAM_PHASES)[number];

/** API.md §8 (`conversations.Message.type`). */
export const MESSAGE_TYPES = ['message', 'private', 'state_change'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** API.md §11.1 (`ns.Webhook.object_class`). */
export const WEBHOOK_OBJECT_CLASSES = [
  'fulfillment_request',
  'tier_config_request',
  'tier_account_request',
  'listing_request',
  'billing_request',
  'usage_file',
] as const;
export type WebhookObjectClass = (typeof WEBHOOK_OBJECT_CLASSES)[number];

/** API.md §11.4: validators of fulfillment requests (draft and inquiring, per request type). */
export const FULFILLMENT_VALIDATOR_TYPES = [
  'validator',
  'inquiring_validator',
  'change_validator',
  'change_inquiring_validator',
  'renew_validator',
  'renew_inquiring_validator',
  'transfer_validator',
  'transfer_inquiring_validator',
] as const;
export type FulfillmentValidatorType = (typeof FULFILLMENT_VALIDATOR_TYPES)[number];

/** API.md §11.4: validators of tier config requests (per type, status and tier level). */
export const TIER_CONFIG_VALIDATOR_TYPES = [
  'draft_tcr_t1_val',
  'draft_tcr_t2_val',
  'tcr_setup_t1_inq_val',
  'tcr_setup_t2_inq_val',
  'tcr_update_t1_validator',
  'tcr_update_t2_validator',
  'tcr_update_t1_inq_val',
  'tcr_update_t2_inq_val',
] as const;
export type TierConfigValidatorType = (typeof TIER_CONFIG_VALIDATOR_TYPES)[number];

export type ValidatorType = FulfillmentValidatorType | TierConfigValidatorType;

/** API.md §11.1 (`ns.Webhook.type`): `event` (the default) or a validator. */
export const WEBHOOK_TYPES = [
  'event',
  ...FULFILLMENT_VALIDATOR_TYPES,
  ...TIER_CONFIG_VALIDATOR_TYPES,
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

// ---------------------------------------------------------------- shared pieces

/** `{id, name}`: marketplace, contract, provider, vendor, hub, user references (a caller's may lack the name). */
export type Ref = { id: string; name?: string; [field: string]: unknown };

/** One entry of an object's `events`: `{at}` or `{at, by}`. */
export type EventStamp = { at: string; by?: Ref };
/** `{created:{at}, updated:{at}, …}`; TCRs add `inquired`, `pended`, `approved`, `failed`. */
export type Events = Record<string, EventStamp>;

/** API.md §2.3 `constraints` (only what the emulator fills in; callers may add the rest). */
export type ParamConstraints = {
  required?: boolean;
  hidden?: boolean;
  readonly?: boolean;
  unique?: boolean;
  [constraint: string]: unknown;
};

/** API.md §2.3: an asset, item, TCR or configuration parameter. `value` and `value_error` are `""` when empty. */
export type Param = {
  id: string;
  name?: string;
  title?: string;
  description?: string;
  type?: string;
  phase?: string;
  scope?: string;
  value: string;
  value_error: string;
  structured_value?: unknown;
  constraints?: ParamConstraints;
  [field: string]: unknown;
};

/** API.md §2.4: quantities are strings on the wire. */
export type Item = {
  id: string;
  global_id?: string;
  mpn?: string;
  display_name?: string;
  quantity: string;
  old_quantity: string;
  type?: string;
  item_type?: string;
  period?: string;
  params?: Param[];
  [field: string]: unknown;
};

/** API.md §2.5: a tier account reference (customer, tier1, tier2; also a tier configuration's `account`). */
export type TierAccount = {
  id?: string;
  type?: string;
  name?: string;
  external_id?: string;
  external_uid?: string;
  tax_id?: string;
  contact_info?: Record<string, unknown>;
  [field: string]: unknown;
};

/** `customer`, `tier1`, `tier2` (tier2 `{}` or `null` when there is none). */
export type Tiers = {
  customer?: TierAccount;
  tier1?: TierAccount;
  tier2?: TierAccount | null;
  [field: string]: unknown;
};

/** API.md §2.2 `connection`: `type` ∈ preview, test, production. */
export type Connection = {
  id?: string;
  type?: string;
  provider?: Ref;
  vendor?: Ref;
  hub?: Ref;
  [field: string]: unknown;
};

/** `{id, name, icon?, status?}`; product `status` ∈ draft, published, endofsale. */
export type ProductRef = { id: string; name?: string; status?: string; [field: string]: unknown };

/** `{id, name}` of a template, plus `representation` once a TCR is approved (samples). */
export type TemplateRef = { id: string; name: string; representation?: string };

// ---------------------------------------------------------------- fulfillment

/** API.md §2.2. */
export type Asset = {
  id: string;
  status: AssetStatus;
  external_id: string | number;
  external_uid: string;
  product: ProductRef;
  connection: Connection;
  items: Item[];
  params: Param[];
  tiers: Tiers;
  configuration: { params: Param[] };
  marketplace: Ref;
  contract: Ref;
  events: Events;
};

/** API.md §2.1: a fulfillment (asset) request. */
export type FulfillmentRequest = {
  id: string;
  type: FulfillmentRequestType;
  status: FulfillmentRequestStatus;
  created: string;
  updated: string;
  asset: Asset;
  note: string;
  reason: string;
  activation_key: string;
  effective_date: string;
  answered: boolean;
  /** A string (`""` when unassigned) or `{id, name, email}` (API.md §1.5). */
  assignee: string | { id: string; name: string; email?: string };
  marketplace: Ref;
  contract: Ref;
  /** Set once approved with a template. */
  template?: { id: string; name: string };
  events: Events;
};

// ---------------------------------------------------------------- tier configuration

/** API.md §3 `configuration` (`TC-…`). */
export type TierConfiguration = {
  id: string;
  name: string;
  account: TierAccount;
  product: ProductRef;
  tier_level: 1 | 2;
  connection: Connection;
  params: Param[];
  status: TierConfigStatus;
  configuration: { params: Param[] };
  marketplace: Ref;
  contract: Ref;
  template?: { id: string; name: string };
  open_request?: { id: string } | null;
  events: Events;
};

/** API.md §3: a tier config request (`TCR-…`). Note `notes` (plural), unlike a request's `note`. */
export type TierConfigRequest = {
  id: string;
  type: TierConfigRequestType;
  status: TierConfigRequestStatus;
  created: string;
  updated: string;
  configuration: TierConfiguration;
  parent_configuration: TierConfiguration | null;
  /** The request-level copy of the tier params: what PUT writes. */
  params: Param[];
  notes: string;
  reason: string;
  environment: string;
  effective_date: string;
  assignee: string | { id: string; name: string };
  /**
   * Required by the v37 spec (`dp.TierConfigRequestRead`): `null` until approved with a template id, then
   * `{id, name, representation}` (the approved samples carry the rendered text too).
   */
  template: TemplateRef | null;
  tiers: { tier1: TierAccount; tier2: TierAccount | null };
  events: Events;
};

/** API.md §7.3: the answer of `POST /tier/config-requests/{id}/approve` (not the TCR). */
export type TierConfigApproval = {
  template: { id?: string; representation: string };
  effective_date: string;
};

// ---------------------------------------------------------------- conversations

/** API.md §8. */
export type Conversation = {
  id: string;
  instance_id: string;
  topic: string;
  created: string;
  creator: Ref;
  accounts: Ref[];
};

/** API.md §8 (`conversations.Message`). */
export type ConversationMessage = {
  id: string;
  conversation: string;
  account: Ref;
  created: string;
  creator: Ref;
  text: string;
  type: MessageType;
  events: Events;
};
