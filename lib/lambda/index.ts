export {
  FulfillmentPayloadSchema,
  InvalidPayloadError,
  parsePayload,
  TierConfigPayloadSchema,
} from './payload';
export { createPersistenceStore } from './persistence';
export {
  createFulfillmentFunction,
  createTierConfigFunction,
  defaultTypeFunctionDeps,
  IDEMPOTENCY_TTL_SECONDS,
  REQUEST_LOCK_SECONDS,
  STALE_PAYLOAD_MS,
  type TypeFunctionDeps,
  type TypeFunctionOptions,
} from './type-function';
