export {
  type Attempt,
  type Claim,
  claimable,
  failureBackoffSeconds,
  failuresFor,
  HISTORY_LENGTH,
  type Listed,
  orderedHistory,
  outageBackoffSeconds,
  type TaskError,
  type TaskOutcome,
  type TaskRecord,
  type TaskState,
} from './record';
export {
  type ClaimRequest,
  type Completion,
  createTaskStore,
  type ParkRequest,
  recordFromItem,
  type TaskStore,
  type TaskStoreOptions,
} from './store';
