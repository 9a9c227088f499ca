/**
 * Lists every pending request of one product (all pages). Connect's `event` webhook carries no request, so
 * the router and the sweep both ask Connect what is pending.
 */
import { type ConnectClient, type ListQuery, rql } from '../connect';
import type { ObjectClass, PendingRequest } from './routing';

/** The largest page Connect serves: 1,000 pending requests cost one list call. */
export const LIST_PAGE_SIZE = 1000;

/** Lists every product's pending requests (a deployment configured for all products). */
export const ALL_PRODUCTS = '*';

/** The list query for one product's (or, with `ALL_PRODUCTS`, every product's) pending requests. */
export function pendingQuery(productId: string, objectClass: ObjectClass): ListQuery {
  const pending = rql.eq('status', 'pending');
  const productField =
    objectClass === 'tier_config_request' ? 'configuration.product.id' : 'asset.product.id';
  const filter = productId === ALL_PRODUCTS ? pending : rql.and(pending, rql.eq(productField, productId));
  if (objectClass === 'tier_config_request') {
    return { filter, pageSize: LIST_PAGE_SIZE };
  }
  return {
    filter,
    // The spec's recommended projection: the activation key and template are not needed to route.
    select: ['-activation_key', '-template'],
    pageSize: LIST_PAGE_SIZE,
  };
}

export async function listPending(
  client: ConnectClient,
  productId: string,
  objectClass: ObjectClass,
): Promise<PendingRequest[]> {
  const query = pendingQuery(productId, objectClass);
  const pending: PendingRequest[] = [];
  if (objectClass === 'tier_config_request') {
    for await (const request of client.tierConfigRequests.list(query)) {
      pending.push({ objectClass, request });
    }
  } else {
    for await (const request of client.requests.list(query)) {
      pending.push({ objectClass, request });
    }
  }
  return pending;
}
