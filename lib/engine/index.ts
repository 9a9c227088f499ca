/** The engine that runs the vendor's handlers: context, executor, payload, idempotency, the Lambda wiring. */
export { type ContextDeps, createContext } from './context';
export {
  type ExecutionOutcome,
  type ExecutionResult,
  type ExecutorDeps,
  execute,
  MAX_CONVERSATION_MESSAGE_LENGTH,
  truncateMessage,
} from './executor';
export { applyParamUpdates, changedParams } from './params-diff';
export { InvalidPayloadError, type Payload, parsePayload } from './payload';
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
