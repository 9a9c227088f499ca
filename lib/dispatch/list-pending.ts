/**
 * Lists every pending request of one product (all pages). Connect's `event` webhook carries no request, so
 * the router and the sweep both ask Connect what is pending.
 */
import type { ConnectClient } from '../connect';
import type { AnyRequest, ObjectClass } from '../object-classes';

export async function listPending<R extends AnyRequest>(
  client: ConnectClient,
  objectClass: ObjectClass<R>,
  productId: string,
): Promise<R[]> {
  const pending: R[] = [];
  for await (const request of objectClass.collection(client).list(objectClass.pendingQuery(productId))) {
    pending.push(request);
  }
  return pending;
}
