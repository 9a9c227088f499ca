import { describe, expect, it } from 'vitest';
import { contentRange, matches, parseQuery, project, RqlError, runQuery, valuesAt } from '../../emulator/rql';
import { rql } from '../../lib/connect';

const requests = [
  {
    id: 'PR-1',
    status: 'pending',
    type: 'purchase',
    created: '2024-01-01',
    asset: { product: { id: 'PRD-A' }, params: [{ id: 'email', value: 'a@b.c' }] },
  },
  {
    id: 'PR-2',
    status: 'approved',
    type: 'change',
    created: '2024-01-03',
    asset: { product: { id: 'PRD-B' }, params: [{ id: 'email', value: '' }] },
  },
  {
    id: 'PR-3',
    status: 'pending',
    type: 'cancel',
    created: '2024-01-02',
    asset: { product: { id: 'PRD-B' }, params: [] },
  },
];

const ids = (query: string, aliases: Record<string, string> = {}) =>
  runQuery(requests, parseQuery(query), aliases).items.map((item) => item.id);

describe('parseQuery', () => {
  it('parses nested calls, lists and quoted values', () => {
    // Act
    const query = parseQuery('and(eq(status,pending),in(asset.product.id,(PRD-A,"PRD%2DB")))');

    // Assess
    expect(query.filter).toEqual({
      op: 'and',
      args: [
        { op: 'eq', field: 'status', value: { raw: 'pending', value: 'pending' } },
        {
          op: 'in',
          field: 'asset.product.id',
          values: [
            { raw: 'PRD-A', value: 'PRD-A' },
            { raw: 'PRD%2DB', value: 'PRD-B' },
          ],
        },
      ],
    });
  });

  it('ANDs top-level terms, reads plain field=value, limit, offset, select and ordering', () => {
    // Act
    const query = parseQuery(
      'eq(type,purchase)&status=pending&select(-activation_key,-template)&ordering(-created)&limit=10&offset=20',
    );

    // Assess
    expect(query.filter).toEqual({
      op: 'and',
      args: [
        { op: 'eq', field: 'type', value: { raw: 'purchase', value: 'purchase' } },
        { op: 'eq', field: 'status', value: { raw: 'pending', value: 'pending' } },
      ],
    });
    expect(query.select).toEqual(['-activation_key', '-template']);
    expect(query.ordering).toEqual(['-created']);
    expect([query.limit, query.offset]).toEqual(['10', '20']);
  });

  it('turns double-underscore aliases into dotted paths', () => {
    // Act
    const query = parseQuery('asset__product__id=PRD-A');

    // Assess
    expect(query.filter).toMatchObject({ op: 'eq', field: 'asset.product.id' });
  });

  it.each([
    ['unknown operator', 'frobnicate(status,pending)'],
    ['unbalanced parenthesis', 'eq(status,pending'],
    ['eq with one argument', 'eq(status)'],
    ['a bare word', 'pending'],
    ['an unterminated quote', 'eq(status,"pending)'],
  ])('refuses %s', (_name, text) => {
    // Act + Assess
    expect(() => parseQuery(text)).toThrow(RqlError);
  });

  it.each([
    ['a timestamp', 'ge', '2024-01-02T00:00:00.000001+00:00', ['PR-3']],
    ['a value with parentheses and a comma', 'eq', 'a (b), c', ['PR-2']],
    ['a value holding a double quote', 'eq', 'say "hi"', ['PR-1']],
  ])('reads %s quoted by the client and percent-encoded by its URL', (_name, op, value, expected) => {
    // Arrange: what reaches the server once fetch's URL has encoded the client's quotes (%22, %27)
    const items = [
      { id: 'PR-1', created: '2024-01-01T00:00:00+00:00', note: 'say "hi"' },
      { id: 'PR-2', created: '2024-01-02T00:00:00+00:00', note: 'a (b), c' },
      { id: 'PR-3', created: '2024-01-02T00:00:00.000002+00:00', note: '' },
    ];
    const term = op === 'ge' ? rql.ge('created', value) : rql.eq('note', value);
    const url = new URL(`http://emulator/requests?${term}&ordering(created)&limit=10`);

    // Act
    const found = runQuery(items, parseQuery(url.search.slice(1))).items.map((item) => item.id);

    // Assess
    expect(url.search).toMatch(/%2[27]/);
    expect(found).toEqual(expected);
  });

  it('reads null() as a null value', () => {
    // Act
    const query = parseQuery('eq(note,null())');

    // Assess
    expect(query.filter).toEqual({ op: 'eq', field: 'note', value: { raw: '', value: null } });
  });
});

describe('filtering', () => {
  it.each([
    ['eq', 'eq(status,pending)', ['PR-1', 'PR-3']],
    ['ne', 'ne(status,pending)', ['PR-2']],
    ['in', 'in(type,(purchase,cancel))', ['PR-1', 'PR-3']],
    ['out', 'out(type,(purchase,cancel))', ['PR-2']],
    ['or', 'or(eq(type,change),eq(type,cancel))', ['PR-2', 'PR-3']],
    ['not', 'not(eq(status,pending))', ['PR-2']],
    ['like', 'like(type,*chase)', ['PR-1']],
    ['ilike', 'ilike(type,"C*")', ['PR-2', 'PR-3']],
    ['like is case sensitive', 'like(type,C*)', []],
    ['nested field', 'eq(asset.product.id,PRD-B)', ['PR-2', 'PR-3']],
    ['double-underscore alias', 'asset__product__id=PRD-A', ['PR-1']],
    ['any element of an array', 'eq(asset.params.value,a@b.c)', ['PR-1']],
    ['gt on dates', 'gt(created,2024-01-01)', ['PR-2', 'PR-3']],
    ['top-level terms are ANDed', 'eq(status,pending)&eq(asset.product.id,PRD-B)', ['PR-3']],
  ])('%s', (_name, query, expected) => {
    // Act + Assess
    expect(ids(query)).toEqual(expected);
  });

  it('applies collection aliases', () => {
    // Act + Assess
    expect(ids('product_id=PRD-A', { product_id: 'asset.product.id' })).toEqual(['PR-1']);
  });

  it('treats an encoded star as a literal in like', () => {
    // Prepare
    const items = [{ name: 'a*b' }, { name: 'axb' }];

    // Act
    const found = runQuery(items, parseQuery('like(name,a%2Ab)')).items;

    // Assess
    expect(found).toEqual([{ name: 'a*b' }]);
  });

  it('matches eq(field,null()) when the field is missing or null', () => {
    // Act + Assess
    expect(matches({ op: 'eq', field: 'x', value: { raw: '', value: null } }, { x: null })).toBe(true);
    expect(matches({ op: 'eq', field: 'x', value: { raw: '', value: null } }, { x: 'y' })).toBe(false);
  });

  it('flattens arrays in valuesAt', () => {
    // Act + Assess
    expect(valuesAt({ a: [{ b: [1, 2] }, { b: 3 }] }, 'a.b')).toEqual([1, 2, 3]);
  });
});

describe('ordering, select, pagination', () => {
  it('orders descending and ascending', () => {
    // Act + Assess
    expect(ids('ordering(-created)')).toEqual(['PR-2', 'PR-3', 'PR-1']);
    expect(ids('ordering(created)')).toEqual(['PR-1', 'PR-3', 'PR-2']);
  });

  it('excludes nested fields with select(-field) without touching the source', () => {
    // Act
    const [first] = runQuery(requests, parseQuery('select(-asset.params,-type)')).items;

    // Assess
    expect(first).toEqual({
      id: 'PR-1',
      status: 'pending',
      created: '2024-01-01',
      asset: { product: { id: 'PRD-A' } },
    });
    expect(requests[0]?.asset.params).toHaveLength(1);
    expect(project({ a: 1 }, ['a'])).toEqual({ a: 1 });
  });

  it('pages with limit and offset and writes Content-Range', () => {
    // Act
    const page = runQuery(requests, parseQuery('limit=2&offset=1'));

    // Assess
    expect(page.items.map((item) => item.id)).toEqual(['PR-2', 'PR-3']);
    expect(contentRange(page)).toBe('items 1-2/3');
  });

  it('writes items 0-0/0 for an empty result', () => {
    // Act + Assess
    expect(contentRange(runQuery([], parseQuery('')))).toBe('items 0-0/0');
  });

  it('refuses a limit over 1000 and a non-numeric offset', () => {
    // Act + Assess
    expect(() => runQuery(requests, parseQuery('limit=1001'))).toThrow(RqlError);
    expect(() => runQuery(requests, parseQuery('offset=-1'))).toThrow(RqlError);
  });
});
