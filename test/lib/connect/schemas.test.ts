import { describe, expect, it } from 'vitest';
import {
  ConversationMessageSchema,
  FulfillmentRequestSchema,
  TierConfigApprovalSchema,
  TierConfigRequestSchema,
} from '../../../lib/connect';
import * as z from '../../../lib/zod';
import quirkyTcrList from '../../fixtures/connect/tcr-list-quirky.json';
import { buildFulfillmentRequest, buildParam, buildTierConfigRequest } from '../../support/builders';

const withAsset = (asset: Partial<ReturnType<typeof buildFulfillmentRequest>['asset']>) => {
  const request = buildFulfillmentRequest();
  return { ...request, asset: { ...request.asset, ...asset } };
};

describe('FulfillmentRequestSchema accepts real-world quirks', () => {
  it.each([['7'], [7], [-1], ['-1'], ['unlimited']])('quantity %j', (quantity) => {
    // Prepare
    const payload = withAsset({
      items: [{ id: 'SEATS', quantity, old_quantity: null }],
    });

    // Act
    const parsed = FulfillmentRequestSchema.parse(payload);

    // Assess
    expect(parsed.asset.items[0]?.quantity).toBe(quantity);
  });

  it.each([
    [''],
    ['ApiKey SU-000-000-000'],
    [{ id: 'UR-552-013-871', name: 'Automation', email: 'automation@vendor.example' }],
    [{ name: 'No id' }],
    [null],
  ])('assignee %j', (assignee) => {
    // Act
    const parsed = FulfillmentRequestSchema.parse(buildFulfillmentRequest({ assignee }));

    // Assess
    expect(parsed.assignee).toEqual(assignee);
  });

  it.each([[null], [{}], [undefined]])('tier2 %j', (tier2) => {
    // Prepare
    const payload = withAsset({ tiers: { customer: { id: 'TA-1', name: 'Customer' }, tier2 } });

    // Act
    const parsed = FulfillmentRequestSchema.parse(payload);

    // Assess
    expect(parsed.asset.tiers?.customer?.id).toBe('TA-1');
  });

  it('numeric external_id, nulls, "None" names and missing items/params', () => {
    // Prepare
    const request = buildFulfillmentRequest({ note: null, reason: null, template: null, contract: null });
    const payload = {
      ...request,
      asset: {
        id: 'AS-935-412-198-9',
        external_id: 899,
        product: { id: 'PRD-276-104-559', name: 'None' },
        connection: { id: 'CT-0000-0000-0000', type: 'preview', hub: { id: 'HB-0000-0000', name: 'None' } },
        tiers: null,
      },
    };

    // Act
    const parsed = FulfillmentRequestSchema.parse(payload);

    // Assess
    expect(parsed.asset.external_id).toBe(899);
    expect(parsed.asset.product.name).toBe('None');
    expect(parsed.asset.items).toEqual([]);
    expect(parsed.asset.params).toEqual([]);
    expect(parsed.note).toBeNull();
  });

  it('params with value_error "None", dropdown choices as strings or {label,value}, structured values', () => {
    // Prepare
    const payload = withAsset({
      params: [
        buildParam({
          id: 'plan',
          type: 'dropdown',
          value_choices: ['basic', { label: 'Pro', value: 'pro' }],
        }),
        buildParam({ id: 'legacy', value_error: 'None', value: null, constraints: null }),
        buildParam({ id: 'terms', type: 'checkbox', structured_value: { accepted: true } }),
      ],
    });

    // Act
    const parsed = FulfillmentRequestSchema.parse(payload);

    // Assess
    expect(parsed.asset.params.map((param) => param.id)).toEqual(['plan', 'legacy', 'terms']);
    expect(parsed.asset.params[1]?.value_error).toBe('None');
  });

  it('keeps unknown fields', () => {
    // Act
    const parsed = FulfillmentRequestSchema.parse({
      ...buildFulfillmentRequest(),
      answered: true,
      sli: { days: 2 },
    });

    // Assess
    expect(parsed).toMatchObject({ answered: true, sli: { days: 2 } });
  });
});

describe('FulfillmentRequestSchema rejects malformed payloads', () => {
  it('missing id', () => {
    // Prepare
    const { id: _id, ...payload } = buildFulfillmentRequest();

    // Act
    const result = FulfillmentRequestSchema.safeParse(payload);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['id']);
  });

  it('unknown status and unknown type', () => {
    // Act
    const badStatus = FulfillmentRequestSchema.safeParse({ ...buildFulfillmentRequest(), status: 'done' });
    const badType = FulfillmentRequestSchema.safeParse({ ...buildFulfillmentRequest(), type: 'upgrade' });

    // Assess
    expect(badStatus.success).toBe(false);
    expect(badType.success).toBe(false);
  });

  it('an item without quantity, and a missing asset product', () => {
    // Act
    const request = buildFulfillmentRequest();
    const noQuantity = FulfillmentRequestSchema.safeParse({
      ...request,
      asset: { ...request.asset, items: [{ id: 'X' }] },
    });
    const { product: _product, ...assetWithoutProduct } = request.asset;
    const noProduct = FulfillmentRequestSchema.safeParse({ ...request, asset: assetWithoutProduct });

    // Assess
    expect(noQuantity.success).toBe(false);
    expect(noProduct.success).toBe(false);
  });
});

describe('TierConfigRequestSchema', () => {
  it.each([
    [1, 1],
    ['1', 1],
    [2, 2],
    ['2', 2],
  ])('tier_level %j → %i', (tierLevel, expected) => {
    // Prepare
    const tcr = buildTierConfigRequest();
    const payload = { ...tcr, configuration: { ...tcr.configuration, tier_level: tierLevel } };

    // Act
    const parsed = TierConfigRequestSchema.parse(payload);

    // Assess
    expect(parsed.configuration.tier_level).toBe(expected);
  });

  it('parses a quirky list fixture: nulls, "None", numeric external_id, missing tier2, string assignee', () => {
    // Act
    const [parsed] = z.array(TierConfigRequestSchema).parse(quirkyTcrList);

    // Assess
    expect(parsed?.status).toBe('inquiring');
    expect(parsed?.configuration.tier_level).toBe(2);
    expect(parsed?.configuration.account?.external_id).toBe(5521);
    expect(parsed?.params[0]?.value_error).toBe('VAT number is required for tier 2 accounts');
    expect(parsed?.tiers?.tier2).toBeUndefined();
  });

  it('rejects tier_level 3, an unknown status and a missing configuration', () => {
    // Prepare
    const tcr = buildTierConfigRequest();
    const { configuration: _configuration, ...withoutConfiguration } = tcr;

    // Act / Assess
    expect(
      TierConfigRequestSchema.safeParse({ ...tcr, configuration: { ...tcr.configuration, tier_level: 3 } })
        .success,
    ).toBe(false);
    expect(TierConfigRequestSchema.safeParse({ ...tcr, status: 'revoked' }).success).toBe(false);
    expect(TierConfigRequestSchema.safeParse(withoutConfiguration).success).toBe(false);
  });

  it('approval answer with and without template', () => {
    // Act / Assess
    expect(TierConfigApprovalSchema.parse({ template: null, effective_date: null })).toEqual({
      template: null,
      effective_date: null,
    });
    expect(TierConfigApprovalSchema.parse({ template: { id: 'TL-1' } }).template?.id).toBe('TL-1');
  });
});

describe('ConversationMessageSchema', () => {
  it('accepts conversation as an id or a ref, and rejects a message without text', () => {
    // Act / Assess
    expect(ConversationMessageSchema.parse({ id: 'ME-1', conversation: 'CO-1', text: 'hi' }).text).toBe('hi');
    expect(ConversationMessageSchema.parse({ id: 'ME-1', conversation: { id: 'CO-1' }, text: '' }).text).toBe(
      '',
    );
    expect(ConversationMessageSchema.safeParse({ id: 'ME-1', conversation: 'CO-1' }).success).toBe(false);
  });
});
