/** zod schemas of the bodies the emulator accepts; a body that fails them answers 400 `VAL_001`. */
import { z } from 'zod';
import { validationError } from './errors';
import {
  FULFILLMENT_REQUEST_TYPES,
  TIER_CONFIG_REQUEST_TYPES,
  WEBHOOK_OBJECT_CLASSES,
  WEBHOOK_TYPES,
} from './wire';

const QuantityInput = z.union([
  z.string().regex(/^(-1|\d+|unlimited)$/, 'quantity must be a non-negative integer, -1 or "unlimited"'),
  z.number().int().min(-1),
]);

const Ref = z.looseObject({ id: z.string().min(1), name: z.string().optional() });

export const ParamInput = z.looseObject({
  id: z.string().min(1),
  value: z.string().nullish(),
  value_error: z.string().nullish(),
  structured_value: z.unknown().optional(),
});
export type ParamInput = z.infer<typeof ParamInput>;

const ItemInput = z.looseObject({ id: z.string().min(1), quantity: QuantityInput });
export type ItemInput = z.infer<typeof ItemInput>;

/** A create body may ask for a draft (dynamic validation); anything else starts pending. */
const CreateStatus = z.enum(['draft', 'pending']).default('pending');

export const CreateRequestBody = z.looseObject({
  type: z.enum(FULFILLMENT_REQUEST_TYPES).default('purchase'),
  status: CreateStatus,
  asset: z.looseObject({
    id: z.string().min(1).optional(),
    external_id: z.union([z.string(), z.number()]).optional(),
    external_uid: z.string().optional(),
    product: Ref.optional(),
    items: z.array(ItemInput).optional(),
    params: z.array(ParamInput).optional(),
    tiers: z.record(z.string(), z.unknown()).optional(),
    connection: z.record(z.string(), z.unknown()).optional(),
    marketplace: Ref.optional(),
    contract: Ref.optional(),
  }),
  marketplace: Ref.optional(),
  contract: Ref.optional(),
  note: z.string().optional(),
});
export type CreateRequestBody = z.infer<typeof CreateRequestBody>;

export const UpdateRequestBody = z.looseObject({
  asset: z.looseObject({ params: z.array(ParamInput).optional() }).optional(),
  note: z.string().optional(),
});

const TemplateId = z.string().regex(/^TL-[A-Za-z0-9-]+$/, 'template_id must look like TL-…');

export const ApproveRequestBody = z.looseObject({
  template_id: TemplateId.optional(),
  activation_tile: z.string().min(1).optional(),
  effective_date: z.string().optional(),
});

export const InquireRequestBody = z.looseObject({
  template_id: TemplateId.optional(),
  activation_tile: z.string().optional(),
});

export const FailBody = z.looseObject({ reason: z.string().min(1, 'reason is required') });

export const CreateTierConfigRequestBody = z.looseObject({
  type: z.enum(TIER_CONFIG_REQUEST_TYPES).optional(),
  status: CreateStatus,
  configuration: z.looseObject({
    id: z.string().min(1).optional(),
    tier_level: z.union([z.literal(1), z.literal(2), z.literal('1'), z.literal('2')]).optional(),
    product: Ref.optional(),
    account: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
    params: z.array(ParamInput).optional(),
    connection: z.record(z.string(), z.unknown()).optional(),
    marketplace: Ref.optional(),
    contract: Ref.optional(),
  }),
  params: z.array(ParamInput).optional(),
  notes: z.string().optional(),
  environment: z.string().optional(),
});
export type CreateTierConfigRequestBody = z.infer<typeof CreateTierConfigRequestBody>;

export const UpdateTierConfigRequestBody = z.looseObject({
  params: z.array(ParamInput).optional(),
  notes: z.string().optional(),
});

export const ApproveTierConfigBody = z.looseObject({
  template: z.looseObject({
    id: TemplateId.optional(),
    representation: z.string().min(1).optional(),
    effective_date: z.string().optional(),
  }),
  effective_date: z.string().optional(),
});

export const CreateWebhookBody = z.looseObject({
  external_url: z.url({ protocol: /^https?$/ }),
  jwt_secret: z.string().min(1).max(100),
  product_id: z.string().min(1),
  object_class: z.enum(WEBHOOK_OBJECT_CLASSES),
  active: z.boolean().default(true),
  label: z.string().max(100).default(''),
  description: z.string().nullish(),
  type: z.enum(WEBHOOK_TYPES).default('event'),
  http_method: z.enum(['POST', 'GET']).default('POST'),
  data: z.record(z.string(), z.unknown()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z.looseObject({
  external_url: z.url({ protocol: /^https?$/ }).optional(),
  jwt_secret: z.string().min(1).max(100).optional(),
  product_id: z.string().min(1).optional(),
  object_class: z.enum(WEBHOOK_OBJECT_CLASSES).optional(),
  type: z.enum(WEBHOOK_TYPES).optional(),
  active: z.boolean().optional(),
  label: z.string().max(100).optional(),
  description: z.string().nullish(),
  http_method: z.enum(['POST', 'GET']).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * `PUT /__emulator/products/{id}` (and each `seed.products` entry, with its `id`): the product's validation
 * capabilities. Replaces them as a whole (a missing capability is off); unknown fields are refused.
 */
export const ProductBody = z.strictObject({
  capabilities: z.strictObject({ dynamic_validation: z.boolean().default(false) }).prefault({}),
});
export const ProductSeed = ProductBody.extend({ id: z.string().min(1) });

export const MessageBody = z.looseObject({
  text: z.string().min(1, 'text is required'),
  type: z.enum(['message', 'private']).default('message'),
});

/** Parses `input` or throws 400 `VAL_001` listing every issue (`path: message`). */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw validationError(
    ...result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    ),
  );
}
