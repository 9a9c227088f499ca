/**
 * RQL as Connect reads it from a query string: `and, or, not, eq, ne, lt, le, gt, ge, in, out, like,
 * ilike` (with `*` wildcards), `null()`, plain `field=value` terms, top-level terms joined by `&`
 * (ANDed), `select(-field)`, `ordering(-created)`, `limit`/`offset` (as params or `limit(n,offset)`).
 * Field paths are dotted (`asset.product.id`) or double-underscored (`asset__product__id`); a path
 * through an array matches when any element matches.
 */

export class RqlError extends Error {
  override readonly name = 'RqlError';
}

/** A value as written: `raw` (still percent-encoded, for like patterns) and decoded `value`. */
export type RqlValue = { raw: string; value: string | null };

export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'like' | 'ilike';
export type RqlNode =
  | { op: 'and' | 'or'; args: RqlNode[] }
  | { op: 'not'; arg: RqlNode }
  | { op: ComparisonOp; field: string; value: RqlValue }
  | { op: 'in' | 'out'; field: string; values: RqlValue[] };

export type RqlQuery = {
  filter: RqlNode | undefined;
  /** Fields of `select(...)`, as written (`-field` excludes). */
  select: string[];
  /** Fields of `ordering(...)`, as written (`-field` descending). */
  ordering: string[];
  limit: string | undefined;
  offset: string | undefined;
};

type Arg =
  | { kind: 'call'; name: string; args: Arg[] }
  | { kind: 'list'; items: Arg[] }
  | { kind: 'value'; raw: string; quoted: boolean };

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    throw new RqlError(`Malformed percent-encoding in "${raw}"`, { cause: error });
  }
}

/**
 * A quote at `i`: `"` or `'`, as written or percent-encoded (`%22`, `%27`: what a client's URL encoding makes
 * of them, and what Connect reads as quotes once it has decoded the query string). Its character and length.
 */
function quoteAt(text: string, i: number): { quote: string; length: number } | undefined {
  const ch = text[i];
  if (ch === '"' || ch === "'") return { quote: ch, length: 1 };
  if (ch !== '%') return undefined;
  const code = text.slice(i + 1, i + 3);
  if (code === '22') return { quote: '"', length: 3 };
  if (code === '27') return { quote: "'", length: 3 };
  return undefined;
}

/** Where the quote opened at `from` closes: its start and length, or `undefined` when it never does. */
function closingQuote(text: string, from: number, quote: string): { at: number; length: number } | undefined {
  for (let i = from; i < text.length; i += 1) {
    const found = quoteAt(text, i);
    if (found?.quote === quote) return { at: i, length: found.length };
  }
  return undefined;
}

/** Splits on `sep` outside parentheses and quotes. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const opened = quoteAt(text, i);
    if (opened) {
      const closed = closingQuote(text, i + opened.length, opened.quote);
      i = closed === undefined ? text.length : closed.at + closed.length - 1;
      continue;
    }
    const ch = text[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): Arg {
    const arg = this.parseArg();
    if (this.pos !== this.text.length) {
      throw new RqlError(`Unexpected "${this.text.slice(this.pos)}" in "${this.text}"`);
    }
    return arg;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private parseArg(): Arg {
    const ch = this.peek();
    if (ch === '(') {
      this.pos += 1;
      return { kind: 'list', items: this.parseArgs() };
    }
    const opened = quoteAt(this.text, this.pos);
    if (opened) {
      const closed = closingQuote(this.text, this.pos + opened.length, opened.quote);
      if (closed === undefined) throw new RqlError(`Unterminated quote in "${this.text}"`);
      const raw = this.text.slice(this.pos + opened.length, closed.at);
      this.pos = closed.at + closed.length;
      return { kind: 'value', raw, quoted: true };
    }
    const start = this.pos;
    while (this.pos < this.text.length && !'(),'.includes(this.text[this.pos] ?? '')) this.pos += 1;
    const raw = this.text.slice(start, this.pos);
    if (this.peek() === '(') {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) throw new RqlError(`Bad operator name "${raw}"`);
      this.pos += 1;
      return { kind: 'call', name: raw, args: this.parseArgs() };
    }
    return { kind: 'value', raw, quoted: false };
  }

  /** Arguments up to and including the closing parenthesis. */
  private parseArgs(): Arg[] {
    const args: Arg[] = [];
    if (this.peek() === ')') {
      this.pos += 1;
      return args;
    }
    for (;;) {
      args.push(this.parseArg());
      const ch = this.peek();
      this.pos += 1;
      if (ch === ')') return args;
      if (ch !== ',') throw new RqlError(`Expected "," or ")" in "${this.text}"`);
    }
  }
}

function toValue(arg: Arg | undefined, op: string): RqlValue {
  if (!arg) throw new RqlError(`${op}() needs a value`);
  if (arg.kind === 'call' && (arg.name === 'null' || arg.name === 'empty') && arg.args.length === 0) {
    return { raw: '', value: arg.name === 'null' ? null : '' };
  }
  if (arg.kind !== 'value') throw new RqlError(`${op}() expects a plain value`);
  return { raw: arg.raw, value: decode(arg.raw) };
}

function toField(arg: Arg | undefined, op: string): string {
  if (arg?.kind !== 'value' || arg.raw === '') throw new RqlError(`${op}() needs a field name`);
  return normalizeField(decode(arg.raw));
}

/** `asset__product__id` → `asset.product.id`. */
export function normalizeField(field: string): string {
  return field.replaceAll('__', '.');
}

const COMPARISONS: readonly string[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'like', 'ilike'];

function toNode(arg: Arg): RqlNode {
  if (arg.kind !== 'call') throw new RqlError('Expected an operator such as eq(field,value)');
  const { name, args } = arg;
  if (name === 'and' || name === 'or') {
    if (args.length === 0) throw new RqlError(`${name}() needs at least one term`);
    return { op: name, args: args.map(toNode) };
  }
  if (name === 'not') {
    const [inner] = args;
    if (!inner || args.length !== 1) throw new RqlError('not() takes exactly one term');
    return { op: 'not', arg: toNode(inner) };
  }
  if (COMPARISONS.includes(name)) {
    if (args.length !== 2) throw new RqlError(`${name}() takes a field and a value`);
    return { op: name as ComparisonOp, field: toField(args[0], name), value: toValue(args[1], name) };
  }
  if (name === 'in' || name === 'out') {
    const [field, ...rest] = args;
    const items = rest.length === 1 && rest[0]?.kind === 'list' ? rest[0].items : rest;
    return { op: name, field: toField(field, name), values: items.map((item) => toValue(item, name)) };
  }
  throw new RqlError(`Unknown RQL operator "${name}"`);
}

function plainNames(args: Arg[], op: string): string[] {
  return args.map((arg) => {
    if (arg.kind !== 'value') throw new RqlError(`${op}() takes field names`);
    return decode(arg.raw);
  });
}

/** Parses a raw (still percent-encoded) query string, without the leading `?`. */
export function parseQuery(rawQuery: string): RqlQuery {
  const query: RqlQuery = {
    filter: undefined,
    select: [],
    ordering: [],
    limit: undefined,
    offset: undefined,
  };
  const terms: RqlNode[] = [];
  for (const part of splitTopLevel(rawQuery, '&')) {
    if (part === '') continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*\(/.test(part)) {
      const call = new Parser(part).parseAll();
      if (call.kind !== 'call') throw new RqlError(`Cannot parse "${part}"`);
      if (call.name === 'select') query.select.push(...plainNames(call.args, 'select'));
      else if (call.name === 'ordering' || call.name === 'sort') {
        query.ordering.push(...plainNames(call.args, call.name));
      } else if (call.name === 'limit') {
        const [limit, offset] = plainNames(call.args, 'limit');
        query.limit = limit;
        if (offset !== undefined) query.offset = offset;
      } else terms.push(toNode(call));
      continue;
    }
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RqlError(`Cannot parse query term "${part}"`);
    const key = decode(part.slice(0, eq));
    const value = part.slice(eq + 1);
    if (key === 'limit') query.limit = decode(value);
    else if (key === 'offset') query.offset = decode(value);
    else terms.push({ op: 'eq', field: normalizeField(key), value: { raw: value, value: decode(value) } });
  }
  if (terms.length === 1) query.filter = terms[0];
  else if (terms.length > 1) query.filter = { op: 'and', args: terms };
  return query;
}

/** Every value at `path`, flattening arrays on the way (so `asset.params.id` lists all param ids). */
export function valuesAt(object: unknown, path: string): unknown[] {
  let current: unknown[] = [object];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== 'object') continue;
      const value = (item as Record<string, unknown>)[key];
      if (Array.isArray(value)) next.push(...value);
      else if (value !== undefined) next.push(value);
    }
    current = next;
  }
  return current;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function equals(values: unknown[], expected: RqlValue): boolean {
  if (expected.value === null) return values.length === 0 || values.some((value) => value === null);
  return values.some((value) => scalar(value) === expected.value);
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `*` is the wildcard; an encoded `%2A` stays a literal star. */
function likePattern(raw: string, flags: string): RegExp {
  const body = raw
    .split('*')
    .map((piece) => decode(piece).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, flags);
}

export function matches(node: RqlNode, object: unknown): boolean {
  switch (node.op) {
    case 'and':
      return node.args.every((arg) => matches(arg, object));
    case 'or':
      return node.args.some((arg) => matches(arg, object));
    case 'not':
      return !matches(node.arg, object);
    case 'eq':
      return equals(valuesAt(object, node.field), node.value);
    case 'ne':
      return !equals(valuesAt(object, node.field), node.value);
    case 'in':
      return node.values.some((value) => equals(valuesAt(object, node.field), value));
    case 'out':
      return !node.values.some((value) => equals(valuesAt(object, node.field), value));
    case 'like':
    case 'ilike': {
      const pattern = likePattern(node.value.raw, node.op === 'ilike' ? 'i' : '');
      return valuesAt(object, node.field).some((value) => {
        const text = scalar(value);
        return text !== undefined && pattern.test(text);
      });
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const expected = node.value.value;
      if (expected === null) return false;
      return valuesAt(object, node.field).some((value) => {
        const text = scalar(value);
        if (text === undefined) return false;
        const order = compare(text, expected);
        if (node.op === 'lt') return order < 0;
        if (node.op === 'le') return order <= 0;
        if (node.op === 'gt') return order > 0;
        return order >= 0;
      });
    }
  }
}

/** Field aliases of one collection, applied after `__` → `.` (e.g. `product_id` → `asset.product.id`). */
export type FieldAliases = Readonly<Record<string, string>>;

function aliasNode(node: RqlNode, aliases: FieldAliases): RqlNode {
  switch (node.op) {
    case 'and':
    case 'or':
      return { op: node.op, args: node.args.map((arg) => aliasNode(arg, aliases)) };
    case 'not':
      return { op: 'not', arg: aliasNode(node.arg, aliases) };
    default:
      return { ...node, field: aliases[node.field] ?? node.field };
  }
}

function sortKey(object: unknown, field: string): string {
  const [first] = valuesAt(object, field);
  return scalar(first) ?? '';
}

function removePath(object: unknown, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || object === null || typeof object !== 'object') return;
  if (Array.isArray(object)) {
    for (const item of object) removePath(item, path);
    return;
  }
  const record = object as Record<string, unknown>;
  if (rest.length === 0) delete record[head];
  else removePath(record[head], rest);
}

/** `select(-a.b)` removes fields; positive fields add optional fields in Connect, so they change nothing here. */
export function project<T>(object: T, select: readonly string[]): T {
  const exclusions = select.filter((field) => field.startsWith('-'));
  if (exclusions.length === 0) return object;
  const copy = structuredClone(object);
  for (const field of exclusions) removePath(copy, normalizeField(field.slice(1)).split('.'));
  return copy;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export type Page<T> = { items: T[]; offset: number; total: number };

function parseCount(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new RqlError(`${name} must be a non-negative integer`);
  return Number(text);
}

/** Filter, order, paginate and project a collection (kept in creation order). */
export function runQuery<T>(items: readonly T[], query: RqlQuery, aliases: FieldAliases = {}): Page<T> {
  const limit = parseCount(query.limit, 'limit', DEFAULT_LIMIT);
  if (limit > MAX_LIMIT) throw new RqlError(`limit must not exceed ${MAX_LIMIT}`);
  const offset = parseCount(query.offset, 'offset', 0);
  const filter = query.filter ? aliasNode(query.filter, aliases) : undefined;
  const selected = filter ? items.filter((item) => matches(filter, item)) : [...items];
  for (const field of [...query.ordering].reverse()) {
    const descending = field.startsWith('-');
    const name = normalizeField(field.replace(/^[-+]/, ''));
    const path = aliases[name] ?? name;
    selected.sort((a, b) => compare(sortKey(a, path), sortKey(b, path)) * (descending ? -1 : 1));
  }
  const page = selected.slice(offset, offset + limit).map((item) => project(item, query.select));
  return { items: page, offset, total: selected.length };
}

/** `items 0-99/250`; an empty page reads `items <offset>-<offset>/<total>` (`items 0-0/0` when none). */
export function contentRange(page: Page<unknown>): string {
  const last = page.items.length === 0 ? page.offset : page.offset + page.items.length - 1;
  return `items ${page.offset}-${last}/${page.total}`;
}
