/**
 * The vendor's automation table: for each request type of each kind, the handler that processes it. The
 * routing (lib/dispatch), the type functions of serverless.yml and the invoke permissions follow this table (a
 * test compares them). A type without a handler is failed with "Operation not supported: <type>", the seed's
 * default.
 */
import type { Config } from '../config';
import type {
  ConnectClient,
  FulfillmentRequest,
  FulfillmentRequestType,
  ParamUpdate,
  TierConfigRequest,
  TierConfigRequestType,
} from '../connect';
import type { AnyRequest, Approval } from '../object-classes';
import type { Logger } from '../observability';

export type UpdateParametersOptions = {
  /** The request's note (`note` on fulfillment requests, `notes` on tier config requests). */
  note?: string;
};

/** What a handler receives besides the request. */
export type Context<R extends AnyRequest> = {
  readonly client: ConnectClient;
  /** Every line carries the request's id, type and product. */
  readonly logger: Logger;
  /** The request as the handler should see it: updated locally after each `updateParameters`. */
  readonly request: R;
  /**
   * PUTs the params whose `value`, `value_error` or `structured_value` differ from the request's current ones
   * (and the note when it differs); no call when nothing changes. Resolves with the params that were sent.
   */
  updateParameters(params: readonly ParamUpdate[], options?: UpdateParametersOptions): Promise<ParamUpdate[]>;
};

type MaybePromise<T> = T | Promise<T>;

/**
 * Business logic for one request type. Return an approval (or nothing: approve with the tile "Activation
 * succeeded"); throw `Inquire`, `Fail` or `Skip` for the other outcomes.
 */
export type Handler<R extends AnyRequest> = (
  request: R,
  ctx: Context<R>,
  // biome-ignore lint/suspicious/noConfusingVoidType: `void` lets a handler with no return statement type-check
) => MaybePromise<Approval | undefined | void>;

export type FulfillmentHandler = Handler<FulfillmentRequest>;
export type TierConfigHandler = Handler<TierConfigRequest>;

/** The statuses a validator sees: a draft being placed, or an inquiring request being answered. */
export type ValidationPhase = 'draft' | 'inquiring';

/** What a validator receives besides the request. */
export type ValidatorContext = {
  /** The phase (the request's status) the validator was chosen for. */
  readonly phase: ValidationPhase;
  /** Every line carries the request's id, type and product. */
  readonly logger: Logger;
  /** Aborted when the deadline (`VALIDATION_DEADLINE_MS`) passes: pass it to a call to the vendor's system. */
  readonly signal: AbortSignal;
};

/**
 * Dynamic validation of a draft or inquiring request (Connect calls it while the customer fills the order in).
 * It changes the request it is given, with `setParamError`, `clearParamError` and `setParamValue`; only the
 * params' `value_error` and `value` reach the answer. It makes no Connect call: the answer is the change.
 */
export type Validator<R extends AnyRequest> = (request: R, ctx: ValidatorContext) => MaybePromise<unknown>;

export type FulfillmentValidator = Validator<FulfillmentRequest>;
export type TierConfigValidator = Validator<TierConfigRequest>;

/** One entry per request type the vendor automates. */
export type Entry<R extends AnyRequest> = {
  /** Processes a pending request. */
  process: Handler<R>;
  /** Validates a draft or an inquiring request of this type (Connect's validator webhooks). Optional. */
  validate?: { readonly draft?: Validator<R>; readonly inquiring?: Validator<R> };
};

/** The table: an entry per automated request type of each kind (a misspelt type does not compile). */
export type AutomationTable = {
  readonly fulfillment_request: { readonly [T in FulfillmentRequestType]?: Entry<FulfillmentRequest> };
  readonly tier_config_request: { readonly [T in TierConfigRequestType]?: Entry<TierConfigRequest> };
};

/** What the table's handlers may be built with: the deployment's settings (lib/config). */
export type AutomationSettings = Pick<Config, 'templates'>;

/** The table, built from the deployment's settings (once per configuration). */
export type Automation = (settings: AutomationSettings) => AutomationTable;

/** Declares the automation table. */
export function defineAutomation(build: Automation): Automation {
  return build;
}
