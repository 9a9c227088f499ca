/**
 * The fallback for request types nobody automates (renew, transfer, …): the seed's default,
 * Fail "Operation not supported: <type>". An empty routing table fails every type with that reason.
 */
import { routeFulfillmentRequest } from '../../lib/fulfillment';
import { createFulfillmentFunction } from '../../lib/lambda';

export const handler = createFulfillmentFunction(routeFulfillmentRequest({}));
