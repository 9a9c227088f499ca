/** The kinds of request the function set processes, each described once (see object-class.ts). */
import { FULFILLMENT_REQUEST } from './fulfillment-request';
import type { AnyRequest, ObjectClass, ObjectClassName } from './object-class';
import { TIER_CONFIG_REQUEST } from './tier-config-request';

export { FULFILLMENT_REQUEST } from './fulfillment-request';
export {
  ALL_PRODUCTS,
  type AnyRequest,
  type Approval,
  LIST_PAGE_SIZE,
  type ObjectClass,
  type ObjectClassName,
  type RequestCollection,
} from './object-class';
export { TIER_CONFIG_REQUEST } from './tier-config-request';

/** Every kind, tier config requests first: a purchase can wait on its tier setup. */
export const OBJECT_CLASSES = [TIER_CONFIG_REQUEST, FULFILLMENT_REQUEST] as const;

export const OBJECT_CLASS_NAMES: readonly ObjectClassName[] = OBJECT_CLASSES.map((kind) => kind.name);

export function isObjectClassName(value: string): value is ObjectClassName {
  return (OBJECT_CLASS_NAMES as readonly string[]).includes(value);
}

export function objectClassNamed(name: ObjectClassName): ObjectClass {
  return (name === 'fulfillment_request' ? FULFILLMENT_REQUEST : TIER_CONFIG_REQUEST) as ObjectClass;
}

/** The descriptor of a request (fulfillment requests have an `asset`, tier config requests a `configuration`). */
export function objectClassOf(request: AnyRequest): ObjectClass {
  return (FULFILLMENT_REQUEST.is(request) ? FULFILLMENT_REQUEST : TIER_CONFIG_REQUEST) as ObjectClass;
}
