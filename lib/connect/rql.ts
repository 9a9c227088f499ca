/**
 * A tiny RQL builder. Every function returns a string ready to put in a query string:
 * `rql.and(rql.eq('status', 'pending'), rql.in('asset.product.id', ['PRD-1', 'PRD-2']))`
 * → `and(eq(status,pending),in(asset.product.id,(PRD-1,PRD-2)))`.
 *
 * Values made only of safe characters are written bare. Others are quoted (`"…"`, or `'…'` when the
 * value holds a double quote) and their unsafe characters percent-encoded, so that `&`, `#`, `+`, `%`,
 * spaces or non-ASCII text can neither end the term nor the query string. The `like` / `ilike`
 * wildcard `*` is kept as is.
 */

export type RqlValue = string | number | boolean | null;

const SAFE_VALUE = /^[A-Za-z0-9_.:@*-]+$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new TypeError(`Invalid RQL field name: ${JSON.stringify(name)}`);
  return name;
}

/** Renders one value: bare when safe, otherwise quoted and percent-encoded. */
export function rqlValue(value: RqlValue): string {
  if (value === null) return 'null()';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Invalid RQL number: ${value}`);
    return String(value);
  }
  if (SAFE_VALUE.test(value)) return value;
  const quote = value.includes('"') ? "'" : '"';
  if (quote === "'" && value.includes("'")) {
    throw new TypeError('An RQL value cannot hold both a single and a double quote');
  }
  // The server URL-decodes the query string before parsing RQL: encoding protects the URL, the quotes the term.
  return `${quote}${encodeURIComponent(value)}${quote}`;
}

function list(values: readonly RqlValue[]): string {
  if (values.length === 0) throw new TypeError('An RQL list needs at least one value');
  return `(${values.map(rqlValue).join(',')})`;
}

function group(operator: 'and' | 'or', terms: readonly string[]): string {
  const present = terms.filter((term) => term !== '');
  if (present.length === 0) throw new TypeError(`RQL ${operator}() needs at least one term`);
  if (present.length === 1) return present[0] ?? '';
  return `${operator}(${present.join(',')})`;
}

export const rql = {
  eq: (name: string, value: RqlValue): string => `eq(${field(name)},${rqlValue(value)})`,
  ne: (name: string, value: RqlValue): string => `ne(${field(name)},${rqlValue(value)})`,
  gt: (name: string, value: RqlValue): string => `gt(${field(name)},${rqlValue(value)})`,
  ge: (name: string, value: RqlValue): string => `ge(${field(name)},${rqlValue(value)})`,
  lt: (name: string, value: RqlValue): string => `lt(${field(name)},${rqlValue(value)})`,
  le: (name: string, value: RqlValue): string => `le(${field(name)},${rqlValue(value)})`,
  in: (name: string, values: readonly RqlValue[]): string => `in(${field(name)},${list(values)})`,
  out: (name: string, values: readonly RqlValue[]): string => `out(${field(name)},${list(values)})`,
  like: (name: string, pattern: string): string => `like(${field(name)},${rqlValue(pattern)})`,
  ilike: (name: string, pattern: string): string => `ilike(${field(name)},${rqlValue(pattern)})`,
  /** Empty terms are dropped; a single term is returned as is. */
  and: (...terms: string[]): string => group('and', terms),
  /** Empty terms are dropped; a single term is returned as is. */
  or: (...terms: string[]): string => group('or', terms),
  not: (term: string): string => {
    if (term === '') throw new TypeError('RQL not() needs a term');
    return `not(${term})`;
  },
} as const;

const ORDER_FIELD = /^[+-]?[A-Za-z_][A-Za-z0-9_.]*$/;

function fieldList(operator: 'select' | 'ordering', fields: readonly string[]): string {
  for (const name of fields) {
    if (!ORDER_FIELD.test(name))
      throw new TypeError(`Invalid RQL ${operator} field: ${JSON.stringify(name)}`);
  }
  return `${operator}(${fields.join(',')})`;
}

/** `select(a,-b)`, for the list calls. */
export function rqlSelect(fields: readonly string[]): string {
  return fieldList('select', fields);
}

/** `ordering(-created)`, for the list calls. */
export function rqlOrdering(fields: readonly string[]): string {
  return fieldList('ordering', fields);
}
