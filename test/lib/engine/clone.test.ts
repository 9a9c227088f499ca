import { describe, expect, it } from 'vitest';
import { cloneJson } from '../../../lib/engine/clone';
import { fulfillmentRequest } from '../../support/builders';

describe('cloneJson', () => {
  it('copies a request deeply: equal, and no object shared with the original', () => {
    // Prepare
    const request = fulfillmentRequest();

    // Act
    const copy = cloneJson(request);
    copy.asset.params[0] = { ...copy.asset.params[0], id: 'changed' } as (typeof copy.asset.params)[number];
    (copy.asset.items[0] as { quantity: unknown }).quantity = '999';

    // Assess
    expect(cloneJson(request)).toStrictEqual(request);
    expect(request.asset.params[0]?.id).toBe('email');
    expect(request.asset.items[0]?.quantity).not.toBe('999');
    expect(copy.asset).not.toBe(request.asset);
  });

  it('keeps undefined values, nulls and primitives', () => {
    const value = { a: undefined, b: null, c: [1, 'x', true, { d: undefined }] };
    const copy = cloneJson(value);
    expect(copy).toStrictEqual(value);
    expect('a' in copy).toBe(true);
    expect(copy.c).not.toBe(value.c);
  });

  it('keeps an own __proto__ key as data, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "id": "PR-1"}') as Record<string, unknown>;
    const copy = cloneJson(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(copy.id).toBe('PR-1');
  });

  it('falls back to structuredClone for non-plain objects', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    const copy = cloneJson({ when });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(when.getTime());
  });
});
