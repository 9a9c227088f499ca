/** Lists every page of a collection: `?<filter>&select(…)&ordering(…)&limit=N&offset=M`, totals from `Content-Range`. */
import * as z from '../zod';
import { parseBody } from './parse';
import { rqlOrdering, rqlSelect } from './rql';
import type { Transport, TransportCall } from './transport';
import type { InvalidItemEvent, ListQuery } from './types';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export type ContentRange = { first: number; last: number; total: number };

/** `items 0-99/1234` → `{first: 0, last: 99, total: 1234}`; undefined when absent or malformed. */
export function parseContentRange(header: string | null): ContentRange | undefined {
  if (header === null) return undefined;
  const match = /^\s*\w+\s+(\d+)-(\d+)\/(\d+)\s*$/.exec(header);
  if (!match) return undefined;
  return { first: Number(match[1]), last: Number(match[2]), total: Number(match[3]) };
}

export function resolvePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be an integer >= 1');
  return Math.min(pageSize, MAX_PAGE_SIZE);
}

function queryTerms(query: ListQuery): string[] {
  const terms: string[] = [];
  if (query.filter) terms.push(query.filter);
  if (query.select && query.select.length > 0) terms.push(rqlSelect(query.select));
  if (query.ordering && query.ordering.length > 0) terms.push(rqlOrdering(query.ordering));
  return terms;
}

const PageSchema = z.array(z.unknown());

function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}

/**
 * Yields every object of every page, each parsed with `schema`. An object that fails its schema is
 * reported through `onInvalidItem` and left out; the page and the rest of the list go on.
 * Paging follows `Content-Range` (the server may serve fewer than `limit` per page); without it, a short
 * page is the last.
 */
export async function* paginate<T>(
  transport: Transport,
  path: string,
  itemSchema: z.ZodMiniType<T>,
  query: ListQuery = {},
  onInvalidItem?: (event: InvalidItemEvent) => void,
): AsyncGenerator<T, void, undefined> {
  const pageSize = resolvePageSize(query.pageSize);
  const terms = queryTerms(query);
  let offset = 0;
  for (;;) {
    const call: TransportCall = {
      method: 'GET',
      path,
      query: [...terms, `limit=${pageSize}`, `offset=${offset}`].join('&'),
      idempotent: true,
    };
    const response = await transport.send(call);
    const page = parseBody(PageSchema, call, response);
    for (const item of page) {
      const parsed = itemSchema.safeParse(item);
      if (parsed.success) {
        yield parsed.data;
      } else {
        const field = (name: string) => {
          const value =
            typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[name] : undefined;
          return typeof value === 'string' ? value : undefined;
        };
        const event: InvalidItemEvent = {
          path,
          id: typeof item === 'object' && item !== null && 'id' in item ? String(item.id) : undefined,
          type: field('type'),
          updated: field('updated'),
          issues: describeIssues(parsed.error),
        };
        onInvalidItem?.(event);
        query.onInvalidItem?.(event);
      }
    }
    offset += page.length;
    if (page.length === 0) return;
    const range = parseContentRange(response.headers.get('content-range'));
    if (range !== undefined ? offset >= range.total : page.length < pageSize) return;
  }
}
