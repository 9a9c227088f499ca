/**
 * Which Lambda handles which request. The table must name a function for every fulfillment request type:
 * a type added to `FULFILLMENT_REQUEST_TYPES` without a route fails the type-check.
 */
import type { FulfillmentRequest, FulfillmentRequestType, TierConfigRequest } from '../connect';
import type { KnownObjectClass } from '../webhook';

/** Short names of the type functions (`functions/<name>/`); deployed as `<service>-<stage>-<name>`. */
export const FUNCTION_NAMES = [
  'purchase',
  'change',
  'suspend',
  'resume',
  'cancel',
  'adjustment',
  'tier-config',
  'unsupported',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const FULFILLMENT_ROUTES = {
  purchase: 'purchase',
  change: 'change',
  suspend: 'suspend',
  resume: 'resume',
  cancel: 'cancel',
  adjustment: 'adjustment',
  // Not automated by the seed: the fallback fails them with "Operation not supported: <type>".
  renew: 'unsupported',
  transfer: 'unsupported',
} as const satisfies Record<FulfillmentRequestType, FunctionName>;

export const TIER_CONFIG_FUNCTION = 'tier-config' as const satisfies FunctionName;

/** The object classes the dispatcher lists, the same set the router accepts. */
export type ObjectClass = KnownObjectClass;

export type PendingRequest =
  | { objectClass: 'fulfillment_request'; request: FulfillmentRequest }
  | { objectClass: 'tier_config_request'; request: TierConfigRequest };

/** The function for one fulfillment request type; an unknown type (defensive, at run time) goes to the fallback. */
export function routeFulfillmentRequest(type: string): FunctionName {
  return Object.hasOwn(FULFILLMENT_ROUTES, type)
    ? FULFILLMENT_ROUTES[type as FulfillmentRequestType]
    : 'unsupported';
}

export function routeFor(pending: PendingRequest): FunctionName {
  return pending.objectClass === 'tier_config_request'
    ? TIER_CONFIG_FUNCTION
    : routeFulfillmentRequest(pending.request.type);
}
