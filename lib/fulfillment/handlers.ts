/** Handler signatures and the typed routing table a vendor fills in. */
import type { FulfillmentRequest, FulfillmentRequestType, TierConfigRequest } from '../connect';
import type { FulfillmentContext, TierConfigContext } from './context';
import { type ApproveOutcome, Fail, type TierApproveOutcome } from './outcomes';

type MaybePromise<T> = T | Promise<T>;
/** What a handler returns: an approve outcome or nothing at all. */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets a handler with no return statement type-check
type Returned<O> = O | undefined | void;

/**
 * Business logic for a fulfillment request. Return an approve outcome (or nothing: approve with the tile
 * "Activation succeeded"); throw `Inquire`, `Fail` or `Skip` for the other outcomes.
 */
export type FulfillmentHandler = (
  request: FulfillmentRequest,
  ctx: FulfillmentContext,
) => MaybePromise<Returned<ApproveOutcome>>;

/** Business logic for a tier config request; returning nothing approves with "Activation succeeded". */
export type TierConfigHandler = (
  request: TierConfigRequest,
  ctx: TierConfigContext,
) => MaybePromise<Returned<TierApproveOutcome>>;

/** One handler per fulfillment request type; a type without a handler fails (see `routeFulfillmentRequest`). */
export type FulfillmentHandlers = { readonly [T in FulfillmentRequestType]?: FulfillmentHandler };

/**
 * One handler that dispatches on `request.type`. A type with no handler throws
 * `Fail("Operation not supported: <type>")`, the seed's default.
 */
export function routeFulfillmentRequest(handlers: FulfillmentHandlers): FulfillmentHandler {
  return (request, ctx) => {
    const handler = handlers[request.type];
    if (handler === undefined) throw new Fail(`Operation not supported: ${request.type}`);
    return handler(request, ctx);
  };
}
