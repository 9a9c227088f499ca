/** Typed request builders for the fulfillment tests (the project's own fixtures, parsed by the real schemas). */
import {
  type FulfillmentRequest,
  FulfillmentRequestSchema,
  type TierConfigRequest,
  TierConfigRequestSchema,
} from '../../lib/connect';

type FulfillmentOverrides = {
  id?: string;
  type?: FulfillmentRequest['type'];
  status?: FulfillmentRequest['status'];
  updated?: string;
  params?: Record<string, unknown>[];
  items?: Record<string, unknown>[];
};

export function fulfillmentRequest(overrides: FulfillmentOverrides = {}): FulfillmentRequest {
  return FulfillmentRequestSchema.parse({
    id: overrides.id ?? 'PR-1000-0000-0001-001',
    type: overrides.type ?? 'purchase',
    status: overrides.status ?? 'pending',
    updated: overrides.updated ?? '2026-11-27T09:00:00+00:00',
    note: '',
    reason: '',
    asset: {
      id: 'AS-1000-0000-0001',
      status: 'processing',
      product: { id: 'PRD-100-200-300', name: 'Fallball' },
      items: overrides.items ?? [
        {
          id: 'SKU_USERS',
          mpn: 'MPN-USERS',
          global_id: 'PRD-100-200-300-0001',
          quantity: '5',
          old_quantity: '0',
        },
      ],
      params: overrides.params ?? [
        { id: 'email', phase: 'ordering', value: 'buyer@example.com', value_error: '' },
        { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: '' },
      ],
    },
  });
}

type TierOverrides = {
  id?: string;
  status?: TierConfigRequest['status'];
  params?: Record<string, unknown>[];
  tierLevel?: 1 | 2;
};

export function tierConfigRequest(overrides: TierOverrides = {}): TierConfigRequest {
  return TierConfigRequestSchema.parse({
    id: overrides.id ?? 'TCR-100-200-300-001',
    type: 'setup',
    status: overrides.status ?? 'pending',
    notes: '',
    configuration: {
      id: 'TC-100-200-300',
      tier_level: overrides.tierLevel ?? 1,
      product: { id: 'PRD-100-200-300', name: 'Fallball' },
      account: { id: 'TA-1000-0000-0001', name: 'Reseller' },
      params: [{ id: 'TIER1_MPN', value: '000000', phase: 'ordering' }],
    },
    params: overrides.params ?? [
      { id: 'TIER1_MPN', value: '000000', value_error: '', phase: 'ordering' },
      { id: 'tier_key', value: '', value_error: '', phase: 'fulfillment' },
    ],
  });
}
