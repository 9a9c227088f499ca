/**
 * The handler API: the one module a vendor imports to write business logic. The engine that runs handlers
 * (context, executor, idempotency, Lambda wiring) is not part of it.
 */
export type {
  FulfillmentRequest,
  FulfillmentRequestType,
  Item,
  Param,
  ParamUpdate,
  TierConfigRequest,
  TierConfigRequestType,
} from '../connect';
export type { Approval } from '../object-classes';
export {
  type Automation,
  type AutomationSettings,
  type AutomationTable,
  type Context,
  defineAutomation,
  type Entry,
  type FulfillmentHandler,
  type FulfillmentValidator,
  type Handler,
  type TierConfigHandler,
  type TierConfigValidator,
  type UpdateParametersOptions,
  type ValidationPhase,
  type Validator,
  type ValidatorContext,
} from './automation';
export {
  changedItems,
  getItem,
  getItemByGlobalId,
  getItemByMpn,
  InvalidQuantityError,
  newItems,
  type ParsedQuantity,
  parseQuantity,
  quantityDelta,
  removedItems,
} from './items';
export {
  approveWithTemplate,
  approveWithTile,
  DEFAULT_ACTIVATION_TILE,
  Fail,
  Inquire,
  type InquireOptions,
  MAX_RESCHEDULE_SECONDS,
  Park,
  Reschedule,
  Skip,
} from './outcomes';
export { clearParamError, getParam, paramValue, setParamError, setParamValue } from './params';
