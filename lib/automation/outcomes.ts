/**
 * What a handler decides. Approvals are returned as values; inquire, fail and skip are thrown, as in Connect's
 * SDKs (`FulfillmentAutomation`), so that business logic can stop from any depth. The same outcomes serve
 * fulfillment requests and tier config requests: the engine writes each kind's own Connect body.
 */
import type { ParamUpdate } from '../connect';
import type { Approval } from '../object-classes';

/** The tile (or TCR representation) used when a handler returns nothing (the seed's rule). */
export const DEFAULT_ACTIVATION_TILE = 'Activation succeeded';

function nonEmpty(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${what} must be a non-empty string`);
  }
  return value;
}

/**
 * Approve with an activation template: `POST approve {template_id}` on a fulfillment request,
 * `{template: {id}}` on a tier config request.
 */
export function approveWithTemplate(templateId: string): Approval {
  return { kind: 'approve-with-template', templateId: nonEmpty(templateId, 'templateId') };
}

/**
 * Approve with markdown: `{activation_tile}` on a fulfillment request, `{template: {representation}}` on a
 * tier config request.
 */
export function approveWithTile(markdown: string): Approval {
  return { kind: 'approve-with-tile', tile: nonEmpty(markdown, 'activation tile') };
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

/** The longest a request can be rescheduled for at once: 30 days. */
export const MAX_RESCHEDULE_SECONDS = 30 * 86_400;
/** The default wait of `Reschedule`, and the shortest and default of `Reschedule.slow` (as in Connect's extensions). */
export const RESCHEDULE_SECONDS = 30;
export const SLOW_RESCHEDULE_SECONDS = 300;

/**
 * Not yet: leave the request as it is and process it again in `seconds` (1 s to 30 days, default 30), e.g.
 * while the vendor's system provisions. Nothing is sent to Connect; the request stays pending. For long
 * waits, `Reschedule.slow(seconds)` waits at least 300 s.
 */
export class Reschedule extends Error {
  readonly seconds: number;

  constructor(seconds: number = RESCHEDULE_SECONDS, message?: string) {
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_RESCHEDULE_SECONDS) {
      throw new RangeError(`Reschedule: seconds must be from 1 to ${MAX_RESCHEDULE_SECONDS}, got ${seconds}`);
    }
    super(message ?? `Reschedule in ${Math.ceil(seconds)} s`);
    this.name = 'Reschedule';
    this.seconds = Math.ceil(seconds);
  }

  /** A long wait: at least {@link SLOW_RESCHEDULE_SECONDS}. */
  static slow(seconds: number = SLOW_RESCHEDULE_SECONDS, message?: string): Reschedule {
    return new Reschedule(Math.max(seconds, SLOW_RESCHEDULE_SECONDS), message);
  }
}

/**
 * Stop and ask a person: nothing is sent to Connect, and the request is not processed again until it changes
 * in Connect or an operator releases it (`npm run tasks -- release <id>`). For a case the logic can never
 * decide by itself, such as a product without the parameter it needs. `reason` is what the operator reads.
 */
export class Park extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'Park';
    this.reason = reason;
  }
}
