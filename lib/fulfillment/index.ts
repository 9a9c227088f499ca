/** The fulfillment lib: what a vendor writes business logic against. */
export {
  type ContextDeps,
  createFulfillmentContext,
  createTierConfigContext,
  type FulfillmentContext,
  type TierConfigContext,
  type UpdateParametersOptions,
} from './context';
export {
  type ExecutionOutcome,
  type ExecutionResult,
  type ExecutorDeps,
  executeFulfillmentRequest,
  executeTierConfigRequest,
  MAX_CONVERSATION_MESSAGE_LENGTH,
  truncateMessage,
} from './executor';
export {
  type FulfillmentHandler,
  type FulfillmentHandlers,
  routeFulfillmentRequest,
  type TierConfigHandler,
} from './handlers';
export {
  describeError,
  fulfillmentLogAttributes,
  type LogAttributes,
  type Logger,
  tierConfigLogAttributes,
  withLogAttributes,
} from './logger';
export {
  type ApproveOutcome,
  type ApproveTierWithTemplate,
  type ApproveTierWithTile,
  type ApproveWithTemplate,
  type ApproveWithTile,
  approveTierWithTemplate,
  approveTierWithTile,
  approveWithTemplate,
  approveWithTile,
  DEFAULT_ACTIVATION_TILE,
  Fail,
  Inquire,
  type InquireOptions,
  Skip,
  type TierApproveOutcome,
} from './outcomes';
export { applyParamUpdates, changedParams } from './params-diff';
export {
  changedItems,
  getItem,
  getItemByGlobalId,
  getItemByMpn,
  getParam,
  getTierConfigParam,
  InvalidQuantityError,
  newItems,
  type ParsedQuantity,
  paramValue,
  parseQuantity,
  quantityDelta,
  removedItems,
  tierConfigParamValue,
} from './request-helpers';
