export { createConfiguredDispatcher } from './configured';
export {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchPayload,
  type DispatchRequest,
  type DispatchSummary,
} from './dispatcher';
export {
  createLambdaClient,
  createLambdaInvoker,
  InvokeError,
  type Invoker,
  type LambdaInvokerOptions,
  type LambdaInvokeSender,
} from './invoker';
export { listPending } from './list-pending';
export { entryFor, functionFor, typeFunctionNames, UNSUPPORTED_FUNCTION } from './routing';
