/**
 * The context a handler receives: the Connect client, a logger carrying the request's attributes, the
 * request (a private copy kept up to date) and `updateParameters`, which PUTs only what changes.
 */
import type { ConnectClient, FulfillmentRequest, ParamUpdate, TierConfigRequest } from '../connect';
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

/** Builds the context over a copy of `request`; the caller's object is never changed. */
export function createFulfillmentContext(request: FulfillmentRequest, deps: ContextDeps): FulfillmentContext {
  const current = cloneJson(request);
  const record = deps.recordCall ?? (() => {});
  return {
    client: deps.client,
    logger: deps.logger,
    request: current,
    async updateParameters(params, options = {}) {
      const changed = changedParams(current.asset.params, params);
      const note =
        options.note !== undefined && options.note !== (current.note ?? '') ? options.note : undefined;
      if (changed.length === 0 && note === undefined) {
        deps.logger.debug('Parameters unchanged: no update sent');
        return [];
      }
      record(`PUT /requests/${current.id}`);
      await deps.client.requests.updateParams(current.id, changed, note);
      applyParamUpdates(current.asset.params, changed);
      if (note !== undefined) current.note = note;
      deps.logger.info('Parameters updated', { params: changed.map((param) => param.id) });
      return changed;
    },
  };
}

export function createTierConfigContext(request: TierConfigRequest, deps: ContextDeps): TierConfigContext {
  const current = cloneJson(request);
  const record = deps.recordCall ?? (() => {});
  return {
    client: deps.client,
    logger: deps.logger,
    request: current,
    async updateParameters(params, options = {}) {
      const changed = changedParams(current.params, params);
      const note =
        options.note !== undefined && options.note !== (current.notes ?? '') ? options.note : undefined;
      if (changed.length === 0 && note === undefined) {
        deps.logger.debug('Parameters unchanged: no update sent');
        return [];
      }
      record(`PUT /tier/config-requests/${current.id}`);
      await deps.client.tierConfigRequests.updateParams(current.id, changed, note);
      applyParamUpdates(current.params, changed);
      if (note !== undefined) current.notes = note;
      deps.logger.info('Parameters updated', { params: changed.map((param) => param.id) });
      return changed;
    },
  };
}
