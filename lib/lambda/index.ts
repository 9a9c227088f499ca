/**
 * The Lambda side, as middy intends it: the type function (the request's lifecycle around the engine) and
 * the HTTP edge's handler (the route core, its errors mapped by lib/webhook's middleware).
 */
export { createEdgeHandler, type EdgeCall, type EdgeCore, type EdgeHandlerOptions } from './edge-handler';
export {
  createTypeFunctionCore,
  type HandlerLookup,
  STALE_PAYLOAD_MS,
  type TypeFunctionDeps,
  type TypeFunctionOptions,
  type TypeFunctionResult,
} from './lifecycle';
export { createTypeFunction } from './type-function';
