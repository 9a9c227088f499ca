/**
 * The context a handler receives: the Connect client, a logger carrying the request's attributes, the
 * request (a private copy kept up to date) and `updateParameters`, which PUTs only what changes.
 */
import type { ConnectClient, FulfillmentRequest, Param, ParamUpdate, TierConfigRequest } from '../connect';
import { cloneJson } from './clone';
import type { Logger } from './logger';
import { applyParamUpdates, changedParams } from './params-diff';

export type UpdateParametersOptions = {
  /** The request's note (`note` on fulfillment requests, `notes` on tier config requests). */
  note?: string;
};

type BaseContext<R> = {
  readonly client: ConnectClient;
  readonly logger: Logger;
  /** The request as the handler should see it: updated locally after each `updateParameters`. */
  readonly request: R;
  /**
   * PUTs the params whose `value`, `value_error` or `structured_value` differ from the request's
   * current ones (and the note when it differs); no call when nothing changes. Resolves with the
   * params that were sent.
   */
  updateParameters(params: readonly ParamUpdate[], options?: UpdateParametersOptions): Promise<ParamUpdate[]>;
};

export type FulfillmentContext = BaseContext<FulfillmentRequest>;
export type TierConfigContext = BaseContext<TierConfigRequest>;

export type ContextDeps = {
  client: ConnectClient;
  logger: Logger;
  /** Called with `METHOD path` before each Connect call (the executor collects them). */
  recordCall?: (call: string) => void;
};

/** What differs between a fulfillment request and a tier config request when parameters are updated. */
type ParamTarget<R> = {
  path: string;
  params(request: R): Param[];
  note(request: R): string;
  setNote(request: R, note: string): void;
  put(client: ConnectClient, id: string, params: ParamUpdate[], note: string | undefined): Promise<unknown>;
};

/** Builds the context over a copy of `request`; the caller's object is never changed. */
function createContext<R extends { id: string }>(
  request: R,
  deps: ContextDeps,
  target: ParamTarget<R>,
): BaseContext<R> {
  const current = cloneJson(request);
  const record = deps.recordCall ?? (() => {});
  return {
    client: deps.client,
    logger: deps.logger,
    request: current,
    async updateParameters(params, options = {}) {
      const changed = changedParams(target.params(current), params);
      const note =
        options.note !== undefined && options.note !== target.note(current) ? options.note : undefined;
      if (changed.length === 0 && note === undefined) {
        deps.logger.debug('Parameters unchanged: no update sent');
        return [];
      }
      record(`PUT ${target.path}/${current.id}`);
      await target.put(deps.client, current.id, changed, note);
      applyParamUpdates(target.params(current), changed);
      if (note !== undefined) target.setNote(current, note);
      deps.logger.info('Parameters updated', { params: changed.map((param) => param.id) });
      return changed;
    },
  };
}

export function createFulfillmentContext(request: FulfillmentRequest, deps: ContextDeps): FulfillmentContext {
  return createContext(request, deps, {
    path: '/requests',
    params: (current) => current.asset.params,
    note: (current) => current.note ?? '',
    setNote: (current, note) => {
      current.note = note;
    },
    put: (client, id, params, note) => client.requests.updateParams(id, params, note),
  });
}

export function createTierConfigContext(request: TierConfigRequest, deps: ContextDeps): TierConfigContext {
  return createContext(request, deps, {
    path: '/tier/config-requests',
    params: (current) => current.params,
    note: (current) => current.notes ?? '',
    setNote: (current, notes) => {
      current.notes = notes;
    },
    put: (client, id, params, notes) => client.tierConfigRequests.updateParams(id, params, notes),
  });
}
