/**
 * Asks for a product's dispatch without waiting for it: an asynchronous invocation of the `dispatch` function.
 * The router answers Connect as soon as this is queued, whatever the queue's depth; the sweep asks for every
 * product at once.
 */
import type { DispatchRequest } from './dispatcher';
import type { Invoker } from './invoker';

/**
 * A dispatch asked for, or continued (`hop`: how many invocations have carried it so far; `lock`: the lock it
 * holds, handed to its continuation).
 */
export type DispatchOrder = DispatchRequest & { hop?: number; lock?: string };

export type DispatchRequester = { request(order: DispatchOrder): Promise<void> };

export function createDispatchRequester(invoker: Invoker, dispatcherFunction: string): DispatchRequester {
  return {
    request: async (order) => {
      await invoker.invoke(dispatcherFunction, order);
    },
  };
}
