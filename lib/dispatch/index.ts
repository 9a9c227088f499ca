export { createConfiguredDispatcher, createConfiguredInvoker, createConfiguredRequester } from './configured';
export {
  type Cursor,
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchPayload,
  type DispatchRequest,
  type DispatchSummary,
  RUN_MARGIN_MS,
} from './dispatcher';
export {
  createLambdaClient,
  createLambdaInvoker,
  InvokeError,
  InvokeFunctionError,
  type Invoker,
  InvokeThrottledError,
  type LambdaInvokerOptions,
  type LambdaInvokeSender,
} from './invoker';
export { listPending } from './list-pending';
export { createDispatchRequester, type DispatchOrder, type DispatchRequester } from './requester';
export { entryFor, functionFor, typeFunctionNames, UNSUPPORTED_FUNCTION } from './routing';
