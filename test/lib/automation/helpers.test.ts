import { describe, expect, it } from 'vitest';
import {
  changedItems,
  getItem,
  getItemByGlobalId,
  getItemByMpn,
  getParam,
  InvalidQuantityError,
  newItems,
  Park,
  paramValue,
  parseQuantity,
  quantityDelta,
  removedItems,
} from '../../../lib/automation';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';

describe('parseQuantity', () => {
  it.each([
    ['7', 7],
    [7, 7],
    ['0', 0],
    [0, 0],
    ['  12 ', 12],
    ['007', 7],
    [-1, 'unlimited'],
    ['-1', 'unlimited'],
    [' -1 ', 'unlimited'],
    ['unlimited', 'unlimited'],
    [' Unlimited ', 'unlimited'],
    [null, 0],
    [undefined, 0],
    ['', 0],
    ['   ', 0],
    // Whole numbers written as decimals, as Connect's subscription objects carry them.
    ['72.0', 72],
    ['5.00', 5],
    ['-1.0', 'unlimited'],
    [72.0, 72],
  ] as const)('reads %j as %j', (input, expected) => {
    // Act
    const parsed = parseQuantity(input);

    // Assess
    expect(parsed).toBe(expected);
  });

  it.each([
    ['abc'],
    ['1.5'],
    [1.5],
    [-2],
    ['-2'],
    ['-2.0'],
    ['2.5'],
    ['2.'],
    ['.0'],
    ['1e3'],
    ['+3'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ['99999999999999999999'],
  ])('rejects %j with a clear error', (input) => {
    // Act
    const parse = () => parseQuantity(input);

    // Assess
    expect(parse).toThrow(InvalidQuantityError);
    expect(parse).toThrow(/^Invalid quantity .+: expected a whole number >= 0, -1 or "unlimited"$/);
  });

  it('parks the request rather than failing it: an invalid quantity is a Park, with its message as reason', () => {
    const error = (() => {
      try {
        parseQuantity('2.5');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(Park);
    expect((error as Park).reason).toBe(
      'Invalid quantity "2.5": expected a whole number >= 0, -1 or "unlimited"',
    );
  });

  it('names the error and keeps the rejected value', () => {
    // Act
    let caught: unknown;
    try {
      parseQuantity('lots');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidQuantityError);
    expect(caught).toMatchObject({
      name: 'InvalidQuantityError',
      value: 'lots',
      message: expect.stringContaining('"lots"'),
    });
  });
});

describe('quantityDelta', () => {
  it.each([
    [{ quantity: '10', old_quantity: '4' }, 6],
    [{ quantity: 3, old_quantity: '8' }, -5],
    [{ quantity: '5' }, 5],
    [{ quantity: '5', old_quantity: null }, 5],
    [{ quantity: 'unlimited', old_quantity: '10' }, Number.POSITIVE_INFINITY],
    [{ quantity: '10', old_quantity: -1 }, Number.NEGATIVE_INFINITY],
    [{ quantity: -1, old_quantity: 'unlimited' }, 0],
    [{ quantity: '0', old_quantity: '0' }, 0],
  ] as const)('of %j is %d', (item, expected) => {
    // Act
    const delta = quantityDelta(item);

    // Assess
    expect(delta).toBe(expected);
  });

  it('throws on an invalid quantity', () => {
    // Act
    const delta = () => quantityDelta({ quantity: 'ten', old_quantity: '1' });

    // Assess
    expect(delta).toThrow(InvalidQuantityError);
  });
});

describe('new, changed and removed items', () => {
  const request = fulfillmentRequest({
    type: 'change',
    items: [
      { id: 'ADDED', quantity: '3', old_quantity: '0' },
      { id: 'ADDED_NO_OLD', quantity: 2 },
      { id: 'ADDED_NULL_OLD', quantity: '1', old_quantity: null },
      { id: 'ADDED_UNLIMITED', quantity: 'unlimited', old_quantity: 0 },
      { id: 'UPSIZED', quantity: '10', old_quantity: '5' },
      { id: 'SAME', quantity: 4, old_quantity: '4' },
      { id: 'TO_UNLIMITED', quantity: -1, old_quantity: '4' },
      { id: 'REMOVED', quantity: '0', old_quantity: '7' },
      { id: 'REMOVED_UNLIMITED', quantity: 0, old_quantity: '-1' },
      { id: 'NEVER_THERE', quantity: '0', old_quantity: '0' },
      { id: 'NEVER_THERE_NO_OLD', quantity: ' 0 ' },
    ],
  });

  it('new items: quantity > 0 and old quantity 0 or missing', () => {
    // Act
    const ids = newItems(request).map((item) => item.id);

    // Assess
    expect(ids).toEqual(['ADDED', 'ADDED_NO_OLD', 'ADDED_NULL_OLD', 'ADDED_UNLIMITED']);
  });

  it('changed items: both quantities > 0', () => {
    // Act
    const ids = changedItems(request).map((item) => item.id);

    // Assess
    expect(ids).toEqual(['UPSIZED', 'SAME', 'TO_UNLIMITED']);
  });

  it('removed items: quantity 0 and old quantity > 0', () => {
    // Act
    const ids = removedItems(request).map((item) => item.id);

    // Assess
    expect(ids).toEqual(['REMOVED', 'REMOVED_UNLIMITED']);
  });
});

describe('lookups', () => {
  const request = fulfillmentRequest({
    params: [
      { id: 'email', value: 'a@b.c' },
      { id: 'nullable', value: null },
    ],
    items: [
      { id: 'SKU_A', mpn: 'MPN-A', global_id: 'PRD-1-0001', quantity: '1' },
      { id: 'SKU_B', mpn: 'MPN-B', global_id: 'PRD-1-0002', quantity: '2' },
    ],
  });

  it('finds a parameter and its value by id', () => {
    // Act & Assess
    expect(getParam(request, 'email')?.value).toBe('a@b.c');
    expect(paramValue(request, 'email')).toBe('a@b.c');
    expect(paramValue(request, 'nullable')).toBe('');
    expect(getParam(request, 'missing')).toBeUndefined();
    expect(paramValue(request, 'missing')).toBeUndefined();
  });

  it('finds an item by id, MPN and global id', () => {
    // Act & Assess
    expect(getItem(request, 'SKU_B')?.mpn).toBe('MPN-B');
    expect(getItemByMpn(request, 'MPN-A')?.id).toBe('SKU_A');
    expect(getItemByGlobalId(request, 'PRD-1-0002')?.id).toBe('SKU_B');
    expect(getItem(request, 'MPN-A')).toBeUndefined();
    expect(getItemByMpn(request, 'nope')).toBeUndefined();
  });

  it('finds a tier parameter on the request first, then on the configuration', () => {
    // Prepare
    const tcr = tierConfigRequest({ params: [{ id: 'tier_key', value: 'K-1' }] });

    // Act & Assess
    expect(paramValue(tcr, 'tier_key')).toBe('K-1');
    expect(getParam(tcr, 'partner_number')?.value).toBe('00418');
    expect(paramValue(tcr, 'missing')).toBeUndefined();
  });
});
