import { describe, expect, it } from 'vitest';
import { rql, rqlOrdering, rqlSelect, rqlValue } from '../../../lib/connect';

describe('rql', () => {
  it('builds comparisons and lists', () => {
    // Act / Assess
    expect(rql.eq('status', 'pending')).toBe('eq(status,pending)');
    expect(rql.ne('asset.connection.type', 'preview')).toBe('ne(asset.connection.type,preview)');
    expect(rql.in('status', ['pending', 'inquiring'])).toBe('in(status,(pending,inquiring))');
    expect(rql.out('type', ['renew', 'transfer'])).toBe('out(type,(renew,transfer))');
    expect(rql.eq('configuration.tier_level', 1)).toBe('eq(configuration.tier_level,1)');
    expect(rql.eq('answered', false)).toBe('eq(answered,false)');
    expect(rql.eq('reason', null)).toBe('eq(reason,null())');
  });

  it('keeps the like wildcard and quotes values with spaces', () => {
    // Act / Assess
    expect(rql.like('asset.product.name', 'Cloud*')).toBe('like(asset.product.name,Cloud*)');
    expect(rql.ilike('name', '*saas services*')).toBe('ilike(name,"*saas%20services*")');
  });

  it('combines with and / or / not', () => {
    // Act
    const expression = rql.and(
      rql.eq('status', 'pending'),
      rql.or(rql.eq('type', 'purchase'), rql.eq('type', 'change')),
      rql.not(rql.eq('asset.connection.type', 'preview')),
    );

    // Assess
    expect(expression).toBe(
      'and(eq(status,pending),or(eq(type,purchase),eq(type,change)),not(eq(asset.connection.type,preview)))',
    );
  });

  it('returns a single term as is and drops empty terms', () => {
    // Act / Assess
    expect(rql.and(rql.eq('status', 'pending'))).toBe('eq(status,pending)');
    expect(rql.or('', rql.eq('id', 'PR-1'))).toBe('eq(id,PR-1)');
  });

  it('quotes and escapes special characters so they cannot break the term or the query string', () => {
    // Act
    const value = rqlValue('a,b) & c#d+e%f=g');

    // Assess
    expect(value).toBe('"a%2Cb)%20%26%20c%23d%2Be%25f%3Dg"');
    expect(decodeURIComponent(value.slice(1, -1))).toBe('a,b) & c#d+e%f=g');
    expect(value).not.toMatch(/[ &#+,]/);
  });

  it('uses single quotes for a value holding a double quote, and encodes non-ASCII text', () => {
    // Act / Assess
    expect(rqlValue('say "hi"')).toBe("'say%20%22hi%22'");
    expect(rqlValue('Malmö')).toBe('"Malm%C3%B6"');
    expect(rqlValue('')).toBe('""');
  });

  it('refuses what it cannot express', () => {
    // Act / Assess
    expect(() => rqlValue(`it's "x"`)).toThrow(TypeError);
    expect(() => rql.eq('status)', 'x')).toThrow(TypeError);
    expect(() => rql.in('status', [])).toThrow(TypeError);
    expect(() => rql.and()).toThrow(TypeError);
    expect(() => rql.eq('quantity', Number.NaN)).toThrow(TypeError);
  });

  it('renders select and ordering', () => {
    // Act / Assess
    expect(rqlSelect(['-activation_key', '-template'])).toBe('select(-activation_key,-template)');
    expect(rqlOrdering(['-created', 'id'])).toBe('ordering(-created,id)');
    expect(() => rqlSelect(['a,b'])).toThrow(TypeError);
  });
});
