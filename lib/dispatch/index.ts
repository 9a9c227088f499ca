export {
  DEFAULT_DISPATCH_CONCURRENCY,
  type DispatchLogger,
  type DispatchOptions,
  type DispatchPayload,
  type DispatchSummary,
  dispatchPending,
} from './dispatch';
export {
  createLambdaClient,
  createLambdaInvoker,
  DEFAULT_OFFLINE_LAMBDA_PORT,
  functionPrefixFromEnv,
  InvokeError,
  type Invoker,
  type LambdaInvokerOptions,
  type LambdaInvokeSender,
} from './invoker';
export { ALL_PRODUCTS, LIST_PAGE_SIZE, listPending, pendingQuery } from './list-pending';
export {
  FULFILLMENT_ROUTES,
  FUNCTION_NAMES,
  type FunctionName,
  type ObjectClass,
  type PendingRequest,
  routeFor,
  routeFulfillmentRequest,
  TIER_CONFIG_FUNCTION,
} from './routing';
export { type DispatchRuntime, dispatchRuntime } from './runtime';
