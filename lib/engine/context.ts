/**
 * The context a handler receives: the Connect client, the logger, the request (a private copy kept up to date)
 * and `updateParameters`, which PUTs only what changes. The same for both kinds of request.
 */
import type { Context } from '../automation';
import type { ConnectClient } from '../connect';
import type { AnyRequest, ObjectClass } from '../object-classes';
import type { Logger } from '../observability';
import { cloneJson } from './clone';
import { applyParamUpdates, changedParams } from './params-diff';

export type ContextDeps = {
  client: ConnectClient;
  logger: Logger;
  /** Called with `METHOD path` before each Connect call (the executor collects them). */
  recordCall?: (call: string) => void;
  /** Called with the request's new `updated` after each of our writes that Connect answered with one. */
  onVersion?: (updated: string) => void;
};

/** Builds the context over a copy of `request`; the caller's object is never changed. */
export function createContext<R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  request: R,
  deps: ContextDeps,
): Context<R> {
  const current = cloneJson(request);
  const record = deps.recordCall ?? (() => {});
  const connect = objectClass.collection(deps.client);
  return {
    client: deps.client,
    logger: deps.logger,
    request: current,
    async updateParameters(params, options = {}) {
      const changed = changedParams(objectClass.params(current), params);
      const note =
        options.note !== undefined && options.note !== objectClass.note(current) ? options.note : undefined;
      if (changed.length === 0 && note === undefined) {
        deps.logger.debug('Parameters unchanged: no update sent');
        return [];
      }
      record(`PUT ${objectClass.path}/${current.id}`);
      const answer = await connect.updateParams(current.id, changed, note);
      applyParamUpdates(objectClass.params(current), changed);
      // Our own write is a new version in Connect: what a later listing shows is not someone else's change.
      // (A tier config request's PUT answers no object: its version is left as it was.)
      const updated = (answer as { updated?: unknown } | undefined)?.updated;
      if (typeof updated === 'string' && updated !== '') {
        current.updated = updated;
        deps.onVersion?.(updated);
      }
      if (note !== undefined) objectClass.setNote(current, note);
      deps.logger.info('Parameters updated', { params: changed.map((param) => param.id) });
      return changed;
    },
  };
}
