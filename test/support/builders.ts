/**
 * THE request builders of the tests: typed Connect payloads as they come over the wire (the zod input shapes),
 * with realistic, invented values, and the same parsed by the real schemas (`fulfillmentRequest`,
 * `tierConfigRequest`) for the code that receives parsed objects. Each call returns a fresh object; pass
 * overrides for what a test cares about.
 */
import type { z } from 'zod';
import {
  type ConversationMessageSchema,
  type ConversationSchema,
  type FulfillmentRequest,
  FulfillmentRequestSchema,
  type ParamSchema,
  type TierConfigRequest,
  TierConfigRequestSchema,
} from '../../lib/connect';

export type FulfillmentRequestPayload = z.input<typeof FulfillmentRequestSchema>;
export type TierConfigRequestPayload = z.input<typeof TierConfigRequestSchema>;
export type ConversationPayload = z.input<typeof ConversationSchema>;
export type ConversationMessagePayload = z.input<typeof ConversationMessageSchema>;
export type ParamPayload = z.input<typeof ParamSchema>;

export function buildParam(overrides: Partial<ParamPayload> = {}): ParamPayload {
  return {
    id: 'admin_email',
    name: 'admin_email',
    title: 'Administrator e-mail',
    description: 'Where the welcome letter goes',
    type: 'email',
    phase: 'ordering',
    value: 'ops@northwind.example',
    value_error: '',
    constraints: { required: true, hidden: false, unique: false },
    ...overrides,
  };
}

export function buildFulfillmentRequest(
  overrides: Partial<FulfillmentRequestPayload> = {},
): FulfillmentRequestPayload {
  return {
    id: 'PR-4412-0097-3381-001',
    type: 'purchase',
    status: 'pending',
    created: '2024-03-04T09:15:22+00:00',
    updated: '2024-03-04T09:15:40.218843+00:00',
    note: '',
    reason: '',
    activation_key: '',
    effective_date: '',
    assignee: '',
    answered: false,
    marketplace: { id: 'MP-51820', name: 'Northern Europe' },
    contract: { id: 'CRD-00000-00000-00000', name: 'None' },
    asset: {
      id: 'AS-4412-0097-3381',
      status: 'processing',
      external_id: 'NW-77120',
      external_uid: '2f8e1a36-5a9b-4ac5-9e0b-7d1c1b6f0a44',
      product: { id: 'PRD-276-104-559', name: 'Cloud Backup Pro' },
      connection: { id: 'CT-0000-0000-0000', type: 'preview' },
      items: [
        {
          id: 'BACKUP_SEATS',
          global_id: 'PRD-276-104-559-0001',
          mpn: 'CBP-SEAT-M',
          display_name: 'Backup seat',
          quantity: '12',
          old_quantity: '0',
          type: 'Users',
          item_type: 'Reservation',
          period: 'Monthly',
        },
      ],
      params: [
        buildParam(),
        buildParam({
          id: 'tenant_id',
          name: 'tenant_id',
          title: 'Tenant',
          type: 'text',
          phase: 'fulfillment',
          value: '',
          constraints: { required: false },
        }),
      ],
      tiers: {
        customer: {
          id: 'TA-7301-5521-0042',
          name: 'Northwind Traders',
          external_id: 'NWT-001',
          external_uid: 'c7b2e0d4-9f2b-4b36-a3a1-0f9e7d2c1b55',
          tax_id: 'SE556677889901',
        },
        tier1: { id: 'TA-7301-5521-0001', name: 'Baltic Reseller AB', external_id: '3310' },
        tier2: {},
      },
      configuration: { params: [] },
      marketplace: { id: 'MP-51820', name: 'Northern Europe' },
      contract: { id: 'CRD-00000-00000-00000', name: 'None' },
    },
    ...overrides,
  };
}

export function buildTierConfigRequest(
  overrides: Partial<TierConfigRequestPayload> = {},
): TierConfigRequestPayload {
  return {
    id: 'TCR-318-902-447-001',
    type: 'setup',
    status: 'pending',
    created: '2024-03-04T08:02:11+00:00',
    updated: '2024-03-04T08:02:11+00:00',
    notes: '',
    reason: '',
    environment: 'test',
    effective_date: null,
    assignee: { id: 'UR-552-013-871', name: 'Automation', email: 'automation@vendor.example' },
    template: null,
    configuration: {
      id: 'TC-318-902-447',
      name: 'Configuration of Baltic Reseller AB',
      tier_level: 1,
      product: { id: 'PRD-276-104-559', name: 'Cloud Backup Pro' },
      account: { id: 'TA-7301-5521-0001', name: 'Baltic Reseller AB', external_id: 3310 },
      params: [buildParam({ id: 'partner_number', name: 'partner_number', scope: 'tier1', value: '00418' })],
      status: 'processing',
    },
    params: [buildParam({ id: 'partner_number', name: 'partner_number', scope: 'tier1', value: '00418' })],
    tiers: { tier1: { id: 'TA-7301-5521-0001', name: 'Baltic Reseller AB' }, tier2: null },
    ...overrides,
  };
}

export function buildConversation(overrides: Partial<ConversationPayload> = {}): ConversationPayload {
  return {
    id: 'CO-281-730-664',
    instance_id: 'PR-4412-0097-3381-001',
    topic: 'Fulfillment Request <PR-4412-0097-3381-001>',
    created: '2024-03-04T09:15:22+00:00',
    ...overrides,
  };
}

export function buildConversationMessage(
  overrides: Partial<ConversationMessagePayload> = {},
): ConversationMessagePayload {
  return {
    id: 'ME-904-118-270',
    conversation: 'CO-281-730-664',
    text: 'Provisioning postponed: the tenant is locked',
    type: 'message',
    created: '2024-03-04T09:20:01+00:00',
    ...overrides,
  };
}

/** The parameters of the seed's product (what the shipped purchase logic reads and writes). */
export const SEED_PARAMS: ParamPayload[] = [
  { id: 'email', phase: 'ordering', value: 'buyer@example.com', value_error: '' },
  { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: '' },
];

export type FulfillmentOverrides = {
  id?: string;
  type?: FulfillmentRequest['type'];
  status?: FulfillmentRequest['status'];
  updated?: string;
  productId?: string;
  /** Default: the seed's product parameters. */
  params?: Record<string, unknown>[];
  items?: Record<string, unknown>[];
};

/** A fulfillment request as the code receives it: the wire payload, parsed by the real schema. */
export function fulfillmentRequest(overrides: FulfillmentOverrides = {}): FulfillmentRequest {
  const payload = buildFulfillmentRequest();
  return FulfillmentRequestSchema.parse({
    ...payload,
    id: overrides.id ?? payload.id,
    type: overrides.type ?? payload.type,
    status: overrides.status ?? payload.status,
    updated: overrides.updated ?? payload.updated,
    asset: {
      ...payload.asset,
      product: { ...payload.asset.product, id: overrides.productId ?? payload.asset.product.id },
      items: overrides.items ?? payload.asset.items,
      params: overrides.params ?? SEED_PARAMS,
    },
  });
}

export type TierOverrides = {
  id?: string;
  type?: TierConfigRequest['type'];
  status?: TierConfigRequest['status'];
  productId?: string;
  params?: Record<string, unknown>[];
  tierLevel?: 1 | 2;
};

/** A tier config request as the code receives it: the wire payload, parsed by the real schema. */
export function tierConfigRequest(overrides: TierOverrides = {}): TierConfigRequest {
  const payload = buildTierConfigRequest();
  return TierConfigRequestSchema.parse({
    ...payload,
    id: overrides.id ?? payload.id,
    type: overrides.type ?? payload.type,
    status: overrides.status ?? payload.status,
    configuration: {
      ...payload.configuration,
      tier_level: overrides.tierLevel ?? payload.configuration.tier_level,
      product: {
        ...payload.configuration.product,
        id: overrides.productId ?? payload.configuration.product.id,
      },
    },
    params: overrides.params ?? payload.params,
  });
}
