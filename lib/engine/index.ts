/** The engine that runs the vendor's handlers: context, executor, payload (the Lambda wiring is lib/lambda). */
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
