/**
 * zod schemas of the Connect objects this project reads.
 *
 * Tolerant where real payloads are quirky (API.md §1.5): quantities as strings or numbers, nulls,
 * `assignee` as a string or an object, `tier2` null / {} / missing, numeric `external_id`, dropdown
 * choices as strings or `{label, value}`. Unknown fields are kept (`looseObject`). Strict on what
 * decides behaviour: `id`, `type`, `status`.
 */
import * as z from '../zod';

const nullableString = z.nullish(z.string());

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

export const TIER_CONFIG_REQUEST_TYPES = ['setup', 'update', 'adjustment'] as const;
export type TierConfigRequestType = (typeof TIER_CONFIG_REQUEST_TYPES)[number];

export const TIER_CONFIG_REQUEST_STATUSES = [
  'tiers_setup',
  'pending',
  'inquiring',
  'approved',
  'failed',
  'draft',
] as const;
export type TierConfigRequestStatus = (typeof TIER_CONFIG_REQUEST_STATUSES)[number];

/** A quantity as Connect sends it: `"7"`, `7`, `-1` or `"unlimited"`. Interpreted by the fulfillment helpers. */
export const QuantitySchema = z.union([z.string(), z.number()]);
export type Quantity = z.infer<typeof QuantitySchema>;

const idSchema = z.string().check(z.minLength(1));

export const RefSchema = z.looseObject({ id: idSchema, name: nullableString });
export type Ref = z.infer<typeof RefSchema>;

export const ValueChoiceSchema = z.union([
  z.string(),
  z.looseObject({ label: nullableString, value: z.unknown() }),
]);

export const ParamSchema = z.looseObject({
  id: idSchema,
  name: nullableString,
  title: nullableString,
  description: nullableString,
  type: nullableString,
  phase: nullableString,
  scope: nullableString,
  value: nullableString,
  value_error: nullableString,
  structured_value: z.optional(z.unknown()),
  value_choices: z.nullish(z.array(ValueChoiceSchema)),
  constraints: z.nullish(z.record(z.string(), z.unknown())),
});
export type Param = z.infer<typeof ParamSchema>;

export const ItemSchema = z.looseObject({
  id: idSchema,
  global_id: nullableString,
  mpn: nullableString,
  display_name: nullableString,
  quantity: QuantitySchema,
  old_quantity: z.nullish(QuantitySchema),
  type: nullableString,
  item_type: nullableString,
  period: nullableString,
  params: z.nullish(z.array(ParamSchema)),
});
export type Item = z.infer<typeof ItemSchema>;

export const TierAccountSchema = z.looseObject({
  id: z.optional(z.string()),
  name: nullableString,
  external_id: z.nullish(z.union([z.string(), z.number()])),
  external_uid: nullableString,
  tax_id: nullableString,
  contact_info: z.nullish(z.record(z.string(), z.unknown())),
});
export type TierAccount = z.infer<typeof TierAccountSchema>;

/** `tier2` (and in old payloads any tier) can be null, `{}` or missing. */
export const TiersSchema = z.looseObject({
  customer: z.nullish(TierAccountSchema),
  tier1: z.nullish(TierAccountSchema),
  tier2: z.nullish(TierAccountSchema),
});
export type Tiers = z.infer<typeof TiersSchema>;

export const AssigneeSchema = z.union([
  z.string(),
  z.looseObject({ id: z.optional(z.string()), name: nullableString, email: nullableString }),
]);

export const AssetSchema = z.looseObject({
  id: idSchema,
  status: nullableString,
  external_id: z.nullish(z.union([z.string(), z.number()])),
  external_uid: nullableString,
  product: z.looseObject({ id: idSchema, name: nullableString }),
  connection: z.nullish(z.looseObject({ id: z.optional(z.string()), type: nullableString })),
  items: z._default(z.array(ItemSchema), []),
  params: z._default(z.array(ParamSchema), []),
  tiers: z.nullish(TiersSchema),
  configuration: z.nullish(z.looseObject({ params: z.nullish(z.array(ParamSchema)) })),
  marketplace: z.nullish(RefSchema),
  contract: z.nullish(RefSchema),
});
export type Asset = z.infer<typeof AssetSchema>;

export const FulfillmentRequestSchema = z.looseObject({
  id: idSchema,
  type: z.enum(FULFILLMENT_REQUEST_TYPES),
  status: z.enum(FULFILLMENT_REQUEST_STATUSES),
  created: nullableString,
  updated: nullableString,
  asset: AssetSchema,
  note: nullableString,
  reason: nullableString,
  activation_key: nullableString,
  effective_date: nullableString,
  template: z.nullish(z.looseObject({ id: z.optional(z.string()), name: nullableString })),
  assignee: z.nullish(AssigneeSchema),
  marketplace: z.nullish(RefSchema),
  contract: z.nullish(RefSchema),
});
export type FulfillmentRequest = z.infer<typeof FulfillmentRequestSchema>;

/** `tier_level` is a string enum in the spec and an integer in real payloads: normalised to 1 | 2. */
export const TierLevelSchema = z.pipe(
  z.union([z.literal(1), z.literal(2), z.literal('1'), z.literal('2')]),
  z.transform((level) => Number(level) as 1 | 2),
);

export const TierConfigurationSchema = z.looseObject({
  id: idSchema,
  name: nullableString,
  tier_level: TierLevelSchema,
  product: z.looseObject({ id: idSchema, name: nullableString }),
  account: z.nullish(TierAccountSchema),
  params: z.nullish(z.array(ParamSchema)),
  status: nullableString,
});
export type TierConfiguration = z.infer<typeof TierConfigurationSchema>;

export const TierConfigRequestSchema = z.looseObject({
  id: idSchema,
  type: z.enum(TIER_CONFIG_REQUEST_TYPES),
  status: z.enum(TIER_CONFIG_REQUEST_STATUSES),
  created: nullableString,
  updated: nullableString,
  configuration: TierConfigurationSchema,
  parent_configuration: z.nullish(z.looseObject({ id: z.optional(z.string()) })),
  params: z._default(z.array(ParamSchema), []),
  notes: nullableString,
  reason: nullableString,
  environment: nullableString,
  effective_date: nullableString,
  template: z.nullish(z.looseObject({ id: z.optional(z.string()), representation: nullableString })),
  tiers: z.nullish(TiersSchema),
  assignee: z.nullish(AssigneeSchema),
});
export type TierConfigRequest = z.infer<typeof TierConfigRequestSchema>;

/** Answer of `POST /tier/config-requests/{id}/approve`: not the TCR, only the template and date. */
export const TierConfigApprovalSchema = z.looseObject({
  template: z.nullish(z.looseObject({ id: z.optional(z.string()), representation: nullableString })),
  effective_date: nullableString,
});
export type TierConfigApproval = z.infer<typeof TierConfigApprovalSchema>;

export const ConversationSchema = z.looseObject({
  id: idSchema,
  instance_id: z.string(),
  topic: nullableString,
  created: nullableString,
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const ConversationMessageSchema = z.looseObject({
  id: idSchema,
  conversation: z.nullish(z.union([z.string(), RefSchema])),
  text: z.string(),
  type: nullableString,
  created: nullableString,
});
export type ConversationMessage = z.infer<typeof ConversationMessageSchema>;

/** What an automation may change on a parameter (PUT bodies). */
export type ParamUpdate = {
  id: string;
  value?: string;
  value_error?: string;
  structured_value?: unknown;
};

/** API.md §11.4: validator webhooks of fulfillment requests (draft and inquiring, per request type). */
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

/** API.md §11.4: validator webhooks of tier config requests (per type, status and tier level). */
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

/** API.md §11.1: `event` (a notification, the default) or a validator type. */
export const WEBHOOK_TYPES = [
  'event',
  ...FULFILLMENT_VALIDATOR_TYPES,
  ...TIER_CONFIG_VALIDATOR_TYPES,
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

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

/** `last_success` / `last_failure` of a webhook (API.md §11.1). */
export const WebhookTriggerSchema = z.looseObject({
  time: nullableString,
  status: nullableString,
  status_code: z.nullish(z.number()),
  duration: z.nullish(z.number()),
});

/**
 * A webhook (API.md §11.1). Strict on what a sync decides by (`id`, `product.id`, `external_url`, `active`);
 * `type` and `object_class` are plain strings so a type Connect adds later does not hide a webhook, and a
 * missing `type` is `event` (Connect's default). Connect does not show `jwt_secret` in every answer: optional.
 */
export const WebhookSchema = z.looseObject({
  id: idSchema,
  type: z.pipe(
    nullableString,
    z.transform((type) => type ?? 'event'),
  ),
  object_class: z.string(),
  label: nullableString,
  description: nullableString,
  product: z.looseObject({ id: idSchema, name: nullableString }),
  external_url: z.string(),
  jwt_secret: nullableString,
  active: z.boolean(),
  http_method: nullableString,
  data: z.nullish(z.record(z.string(), z.unknown())),
  headers: z.nullish(z.record(z.string(), z.unknown())),
  api_url: nullableString,
  created_at: nullableString,
  modified_at: nullableString,
  last_success: z.nullish(WebhookTriggerSchema),
  last_failure: z.nullish(WebhookTriggerSchema),
});
export type Webhook = z.infer<typeof WebhookSchema>;

/** The body of `POST /notifications/webhooks` and of `PUT /notifications/webhooks/{id}` (every field required). */
export type WebhookBody = {
  type: WebhookType;
  object_class: WebhookObjectClass;
  label: string;
  description: string;
  product_id: string;
  external_url: string;
  jwt_secret: string;
  active: boolean;
  http_method: 'POST';
  data: Record<string, unknown>;
  headers: Record<string, unknown>;
};
