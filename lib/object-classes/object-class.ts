/**
 * What differs between Connect's two kinds of request that the function set processes, written once per kind.
 * Everything generic (the context, the executor, the type function, the payload, the listing, the routing and
 * the log context) takes a descriptor instead of being written twice.
 */
import type {
  ConnectClient,
  FulfillmentRequest,
  ListQuery,
  Param,
  ParamUpdate,
  TierConfigRequest,
} from '../connect';
import type { RequestLogContext } from '../observability';
import type * as z from '../zod';

export type ObjectClassName = 'fulfillment_request' | 'tier_config_request';

/** What a handler returns to approve: a template (recommended by Connect) or a markdown tile. */
export type Approval =
  | { readonly kind: 'approve-with-template'; readonly templateId: string }
  | { readonly kind: 'approve-with-tile'; readonly tile: string };

/** The Connect collection of a kind (a slice of the client), as the engine calls it. */
export type RequestCollection<R, B> = {
  list(query: ListQuery): AsyncIterable<R>;
  get(id: string): Promise<R>;
  updateParams(id: string, params: readonly ParamUpdate[], note?: string): Promise<unknown>;
  approve(id: string, body: B): Promise<unknown>;
  /** Only fulfillment requests take an inquire template; a tier config request's collection ignores it. */
  inquire(id: string, body?: { template_id?: string }): Promise<unknown>;
  fail(id: string, reason: string): Promise<unknown>;
};

export type ObjectClass<R extends AnyRequest = AnyRequest, B = unknown> = {
  readonly name: ObjectClassName;
  /** `fulfillment request`, `tier config request`: for messages. */
  readonly noun: string;
  /** The collection's API path (`/requests`), for call records. */
  readonly path: string;
  readonly types: readonly string[];
  readonly schema: z.ZodMiniType<R>;
  /** Whether a request inside the function set is of this kind (the shapes are disjoint). */
  is(request: AnyRequest): request is R;
  /** The Lambda (short name) that runs a request type of this kind when the automation table handles it. */
  functionFor(type: string): string;
  productId(request: R): string;
  logContext(request: R): RequestLogContext;
  /** The list query of one product's pending requests; `'*'` lists every product's. */
  pendingQuery(productId: string): ListQuery;
  /** The parameters a handler reads and updates (a live reference into `request`). */
  params(request: R): Param[];
  /** Every parameter list a validator's error is written to (TCRs keep a copy in `configuration.params`). */
  paramLists(request: R): Param[][];
  /**
   * Where those lists are in the object as received (the same lists, in the same order): the validation route
   * writes a validator's `value` / `value_error` back into the raw JSON at these paths.
   */
  readonly paramPaths: readonly (readonly string[])[];
  note(request: R): string;
  setNote(request: R, note: string): void;
  /** Whether an `Inquire` template is sent (fulfillment requests) or ignored with a warning (TCRs). */
  takesInquireTemplate: boolean;
  /** The approve body of an approval. */
  approveBody(approval: Approval): B;
  collection(client: ConnectClient): RequestCollection<R, B>;
};

export type AnyRequest = FulfillmentRequest | TierConfigRequest;

/** Lists every product's pending requests (a deployment configured for all products). */
export const ALL_PRODUCTS = '*';

/** The largest page Connect serves: 1,000 pending requests cost one list call. */
export const LIST_PAGE_SIZE = 1000;
