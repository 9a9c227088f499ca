/**
 * Lists every pending request of one product (all pages). Connect's `event` webhook carries no request, so
 * the router and the sweep both ask Connect what is pending.
 */
import { type ConnectClient, type ListQuery, rql } from '../connect';
import type { ObjectClass, PendingRequest } from './routing';

/** The largest page Connect serves: 1,000 pending requests cost one list call. */
export const LIST_PAGE_SIZE = 1000;

/** The list query for one product's pending requests of one object class. */
export function pendingQuery(productId: string, objectClass: ObjectClass): ListQuery {
  if (objectClass === 'tier_config_request') {
    return {
      filter: rql.and(rql.eq('status', 'pending'), rql.eq('configuration.product.id', productId)),
      pageSize: LIST_PAGE_SIZE,
    };
  }
  return {
    filter: rql.and(rql.eq('status', 'pending'), rql.eq('asset.product.id', productId)),
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
