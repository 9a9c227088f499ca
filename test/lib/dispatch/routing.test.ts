import { describe, expect, it } from 'vitest';
import { FULFILLMENT_REQUEST_TYPES } from '../../../lib/connect';
import {
  FULFILLMENT_ROUTES,
  FUNCTION_NAMES,
  routeFor,
  routeFulfillmentRequest,
  TIER_CONFIG_FUNCTION,
} from '../../../lib/dispatch';
import { fulfillmentRequest, tierConfigRequest } from './fakes';

describe('routing', () => {
  it('routes every fulfillment request type to a known function', () => {
    for (const type of FULFILLMENT_REQUEST_TYPES) {
      expect(FUNCTION_NAMES).toContain(FULFILLMENT_ROUTES[type]);
    }
    expect(Object.keys(FULFILLMENT_ROUTES).sort()).toEqual([...FULFILLMENT_REQUEST_TYPES].sort());
  });

  it.each([
    ['purchase', 'purchase'],
    ['change', 'change'],
    ['suspend', 'suspend'],
    ['resume', 'resume'],
    ['cancel', 'cancel'],
    ['adjustment', 'adjustment'],
    ['renew', 'unsupported'],
    ['transfer', 'unsupported'],
  ] as const)('routes %s to %s', (type, expected) => {
    expect(routeFor({ objectClass: 'fulfillment_request', request: fulfillmentRequest('PR-1', type) })).toBe(
      expected,
    );
  });

  it('routes a type unknown at run time to the fallback', () => {
    expect(routeFulfillmentRequest('reassign')).toBe('unsupported');
    expect(routeFulfillmentRequest('toString')).toBe('unsupported');
  });

  it('routes tier config requests to tier-config', () => {
    expect(routeFor({ objectClass: 'tier_config_request', request: tierConfigRequest('TCR-1') })).toBe(
      TIER_CONFIG_FUNCTION,
    );
    expect(TIER_CONFIG_FUNCTION).toBe('tier-config');
  });
});
