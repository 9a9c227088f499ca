import { describe, expect, it } from 'vitest';
import type { FulfillmentRequest, TierConfigRequest } from '../../../lib/connect';
import { FULFILLMENT_REQUEST, objectClassOf, TIER_CONFIG_REQUEST } from '../../../lib/object-classes';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';

describe('the log context of each kind', () => {
  it('reads a fulfillment request', () => {
    const request = {
      id: 'PR-1',
      type: 'purchase',
      status: 'pending',
      asset: { id: 'AS-1', product: { id: 'PRD-1' }, items: [], params: [] },
    } satisfies FulfillmentRequest;

    expect(FULFILLMENT_REQUEST.logContext(request)).toEqual({
      requestId: 'PR-1',
      assetId: 'AS-1',
      productId: 'PRD-1',
      requestType: 'purchase',
    });
  });

  it('reads a tier config request', () => {
    const request = {
      id: 'TCR-1',
      type: 'setup',
      status: 'pending',
      params: [],
      configuration: { id: 'TC-1', tier_level: 2, product: { id: 'PRD-1' } },
    } satisfies TierConfigRequest;

    expect(TIER_CONFIG_REQUEST.logContext(request)).toEqual({
      requestId: 'TCR-1',
      productId: 'PRD-1',
      requestType: 'setup',
      tierLevel: 2,
    });
  });
});

describe('objectClassOf', () => {
  it('tells the kinds apart by their shape', () => {
    expect(objectClassOf(fulfillmentRequest()).name).toBe('fulfillment_request');
    expect(objectClassOf(tierConfigRequest()).name).toBe('tier_config_request');
  });
});

describe('the parameters of each kind', () => {
  it('reads asset params of a fulfillment request and both copies of a tier config request', () => {
    const tcr = tierConfigRequest();
    expect(FULFILLMENT_REQUEST.params(fulfillmentRequest()).map((param) => param.id)).toEqual([
      'email',
      'ActivationKey',
    ]);
    expect(TIER_CONFIG_REQUEST.paramLists(tcr)).toEqual([tcr.params, tcr.configuration.params]);
  });
});
