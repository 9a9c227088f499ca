/**
 * The Lambda side, as middy intends it: the type function (payload, log context, idempotency, the engine)
 * and the HTTP edge's handler (the route core, its errors mapped by lib/webhook's middleware).
 */
export { createEdgeHandler, type EdgeCore, type EdgeHandlerOptions } from './edge-handler';
export { createPersistenceStore, type PersistenceOptions } from './persistence';
export {
  createTypeFunction,
  type HandlerLookup,
  IDEMPOTENCY_TTL_SECONDS,
  REQUEST_LOCK_SECONDS,
  STALE_PAYLOAD_MS,
  type TypeFunctionDeps,
  type TypeFunctionOptions,
} from './type-function';
