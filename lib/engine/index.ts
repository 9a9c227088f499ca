/**
 * The engine that runs the vendor's handlers: context, executor, payload, and the validators (the Lambda wiring
 * is lib/lambda).
 */
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
export {
  applyEdits,
  type EntryLocation,
  locateListEntries,
  nestsDeeperThan,
  type Span,
  type TextEdit,
} from './raw-json';
export {
  type DeadlineTimer,
  type ParamChange,
  paramEdits,
  type ReceivedObject,
  runValidation,
  systemTimer,
  ValidationDeadlineError,
  type ValidationOutcome,
  type ValidationRun,
} from './validation';
