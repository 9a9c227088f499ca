import { describe, expect, it } from 'vitest';
import { automation } from '../../../functions/automation';
import { FULFILLMENT_REQUEST_TYPES, TIER_CONFIG_REQUEST_TYPES } from '../../../lib/connect';
import { functionFor, typeFunctionNames, UNSUPPORTED_FUNCTION } from '../../../lib/dispatch';
import { FULFILLMENT_REQUEST, type ObjectClass, TIER_CONFIG_REQUEST } from '../../../lib/object-classes';

const table = automation({ templates: { activation: () => undefined, tier: undefined } });
const route = (objectClass: ObjectClass, type: string) => functionFor(table, objectClass, type);

describe('routing, from the shipped automation table', () => {
  it('routes every fulfillment request type to a deployed function', () => {
    for (const type of FULFILLMENT_REQUEST_TYPES) {
      expect(typeFunctionNames(table)).toContain(route(FULFILLMENT_REQUEST as ObjectClass, type));
    }
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
    expect(route(FULFILLMENT_REQUEST as ObjectClass, type)).toBe(expected);
  });

  it('routes a type unknown at run time to the fallback', () => {
    expect(route(FULFILLMENT_REQUEST as ObjectClass, 'reassign')).toBe(UNSUPPORTED_FUNCTION);
    expect(route(FULFILLMENT_REQUEST as ObjectClass, 'toString')).toBe(UNSUPPORTED_FUNCTION);
  });

  it('routes every tier config request type to tier-config', () => {
    for (const type of TIER_CONFIG_REQUEST_TYPES) {
      expect(route(TIER_CONFIG_REQUEST as ObjectClass, type)).toBe('tier-config');
    }
  });

  it('names the functions to deploy: one per automated type, tier-config and the fallback', () => {
    expect(typeFunctionNames(table)).toEqual([
      'tier-config',
      'purchase',
      'change',
      'suspend',
      'resume',
      'cancel',
      'adjustment',
      'unsupported',
    ]);
  });
});
