/**
 * Read-only helpers over a fulfillment request's items and their quantities.
 *
 * Quantities arrive as strings or numbers (`"7"`, `7`), `-1` or `"unlimited"` mean unlimited, and a
 * missing `old_quantity` counts as 0 (API.md §1.5, §2.4).
 */
import type { FulfillmentRequest, Item, Quantity } from '../connect';
import { Park } from './outcomes';

export type ParsedQuantity = number | 'unlimited';

/**
 * Thrown by `parseQuantity` for a value that is neither a whole number ≥ 0, `-1` nor `"unlimited"`. It parks
 * the request (a `Park`): no retry would make it parse.
 */
export class InvalidQuantityError extends Park {
  readonly value: unknown;

  constructor(value: unknown) {
    super(
      `Invalid quantity ${JSON.stringify(value) ?? String(value)}: expected a whole number >= 0, -1 or "unlimited"`,
    );
    this.name = 'InvalidQuantityError';
    this.value = value;
  }
}

/**
 * `"7"`, `"7.0"` and `7` → 7; `-1`, `"-1"`, `"-1.0"` and `"unlimited"` (any case) → `'unlimited'` (Connect's
 * subscription objects write whole numbers as decimals, as its Python SDK reads them); `null`, `undefined`
 * and `""` → 0 (a missing quantity counts as none). Strings are trimmed. Anything else (`"2.5"`, `-3`)
 * throws `InvalidQuantityError`, which parks the request.
 */
export function parseQuantity(quantity: Quantity | null | undefined): ParsedQuantity {
  if (quantity === null || quantity === undefined) return 0;
  if (typeof quantity === 'number') {
    if (quantity === -1) return 'unlimited';
    if (Number.isSafeInteger(quantity) && quantity >= 0) return quantity;
    throw new InvalidQuantityError(quantity);
  }
  const text = quantity.trim();
  if (text === '') return 0;
  if (text.toLowerCase() === 'unlimited') return 'unlimited';
  // A whole number, optionally written with a zero fraction (`72.0`).
  const whole = /^(-?\d+)(?:\.0+)?$/.exec(text)?.[1];
  if (whole !== undefined) {
    const value = Number(whole);
    if (value === -1) return 'unlimited';
    if (Number.isSafeInteger(value) && value >= 0) return value;
  }
  throw new InvalidQuantityError(quantity);
}

function isPositive(quantity: ParsedQuantity): boolean {
  return quantity === 'unlimited' || quantity > 0;
}

/**
 * The true change of an item's quantity: `quantity - old_quantity`. Unlimited is infinite: going to
 * unlimited from a finite quantity is `Infinity`, coming back from it is `-Infinity`, unlimited to
 * unlimited is 0.
 */
export function quantityDelta(item: Pick<Item, 'quantity' | 'old_quantity'>): number {
  const next = parseQuantity(item.quantity);
  const previous = parseQuantity(item.old_quantity);
  if (next === 'unlimited' && previous === 'unlimited') return 0;
  if (next === 'unlimited') return Number.POSITIVE_INFINITY;
  if (previous === 'unlimited') return Number.NEGATIVE_INFINITY;
  return next - previous;
}

/** Items added by the request: quantity > 0 and old quantity 0 (or missing). */
export function newItems(request: FulfillmentRequest): Item[] {
  return request.asset.items.filter(
    (item) => isPositive(parseQuantity(item.quantity)) && parseQuantity(item.old_quantity) === 0,
  );
}

/** Items whose quantity changes: quantity and old quantity both > 0 (the delta may be 0). */
export function changedItems(request: FulfillmentRequest): Item[] {
  return request.asset.items.filter(
    (item) => isPositive(parseQuantity(item.quantity)) && isPositive(parseQuantity(item.old_quantity)),
  );
}

/** Items removed by the request: quantity 0 and old quantity > 0. */
export function removedItems(request: FulfillmentRequest): Item[] {
  return request.asset.items.filter(
    (item) => parseQuantity(item.quantity) === 0 && isPositive(parseQuantity(item.old_quantity)),
  );
}

/** The item with this vendor item id (`asset.items[].id`). */
export function getItem(request: FulfillmentRequest, id: string): Item | undefined {
  return request.asset.items.find((item) => item.id === id);
}

/** The item with this manufacturer part number. */
export function getItemByMpn(request: FulfillmentRequest, mpn: string): Item | undefined {
  return request.asset.items.find((item) => item.mpn === mpn);
}

/** The item with this global id (`PRD-…-0001`). */
export function getItemByGlobalId(request: FulfillmentRequest, globalId: string): Item | undefined {
  return request.asset.items.find((item) => item.global_id === globalId);
}
