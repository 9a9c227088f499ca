/**
 * What a handler decides. Approvals are returned as values; inquire, fail and skip are thrown, as in
 * Connect's SDKs (`FulfillmentAutomation`), so that business logic can stop from any depth.
 */
import type { ParamUpdate } from '../connect';

/** The tile used when a handler returns nothing (the seed's rule). */
export const DEFAULT_ACTIVATION_TILE = 'Activation succeeded';

/** Approve a fulfillment request with an activation template (`POST approve {template_id}`). */
export type ApproveWithTemplate = { readonly kind: 'approve-with-template'; readonly templateId: string };
/** Approve a fulfillment request with a markdown tile (`POST approve {activation_tile}`). */
export type ApproveWithTile = { readonly kind: 'approve-with-tile'; readonly tile: string };
export type ApproveOutcome = ApproveWithTemplate | ApproveWithTile;

/** Approve a tier config request with a template (`{template: {id}}`). */
export type ApproveTierWithTemplate = {
  readonly kind: 'approve-tier-with-template';
  readonly templateId: string;
};
/** Approve a tier config request with a representation (`{template: {representation}}`). */
export type ApproveTierWithTile = {
  readonly kind: 'approve-tier-with-tile';
  readonly representation: string;
};
export type TierApproveOutcome = ApproveTierWithTemplate | ApproveTierWithTile;

function nonEmpty(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${what} must be a non-empty string`);
  }
  return value;
}

export function approveWithTemplate(templateId: string): ApproveWithTemplate {
  return { kind: 'approve-with-template', templateId: nonEmpty(templateId, 'templateId') };
}

export function approveWithTile(markdown: string): ApproveWithTile {
  return { kind: 'approve-with-tile', tile: nonEmpty(markdown, 'activation tile') };
}

export function approveTierWithTemplate(templateId: string): ApproveTierWithTemplate {
  return { kind: 'approve-tier-with-template', templateId: nonEmpty(templateId, 'templateId') };
}

export function approveTierWithTile(representation: string): ApproveTierWithTile {
  return { kind: 'approve-tier-with-tile', representation: nonEmpty(representation, 'representation') };
}

export type InquireOptions = {
  /** An inquire template (`TL-…`); sent as `{template_id}` on fulfillment requests only. */
  templateId?: string;
};

/**
 * Ask the customer to correct parameters: the params are PUT with their `value_error` (only those that
 * change), then the request is moved to `inquiring`.
 *
 * `new Inquire({ email: 'Email address has not been provided, please provide one' })` or
 * `new Inquire([{ id: 'email', value_error: '…' }], { templateId: 'TL-…' })`.
 */
export class Inquire extends Error {
  readonly params: readonly ParamUpdate[];
  readonly templateId: string | undefined;

  constructor(
    params: readonly ParamUpdate[] | Readonly<Record<string, string>>,
    options: InquireOptions = {},
  ) {
    const updates: ParamUpdate[] = Array.isArray(params)
      ? params.map((param: ParamUpdate) => ({ ...param }))
      : Object.entries(params).map(([id, valueError]) => ({ id, value_error: valueError }));
    super(`Inquire: ${updates.map((param) => param.id).join(', ') || 'no parameters'}`);
    this.name = 'Inquire';
    this.params = updates;
    this.templateId = options.templateId;
  }
}

/** Fail the request (terminal) with a reason the customer sees. */
export class Fail extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'Fail';
    this.reason = reason;
  }
}

/**
 * Leave the request as it is (it stays pending and is picked up again later). A message, when given,
 * is posted to the request's conversation (cut to 540 characters).
 */
export class Skip extends Error {
  /** The text meant for the conversation; `undefined` when none was given. */
  readonly note: string | undefined;

  constructor(message?: string) {
    super(message ?? 'Skipped');
    this.name = 'Skip';
    this.note = message;
  }
}
