/**
 * What the dispatcher sends a type function (lib/dispatch `DispatchPayload`), validated with the schema of the
 * request's kind. `objectClass` names the kind; a hand-made event without it is read by its shape (a
 * fulfillment request has an `asset`, a tier config request a `configuration`).
 */
import {
  type AnyRequest,
  FULFILLMENT_REQUEST,
  isObjectClassName,
  type ObjectClass,
  objectClassNamed,
  TIER_CONFIG_REQUEST,
} from '../object-classes';
import * as z from '../zod';

const EnvelopeSchema = z.object({
  objectClass: z.optional(z.string()),
  request: z.record(z.string(), z.unknown(), { error: 'request: must be an object' }),
  correlationId: z.string().check(z.minLength(1), z.maxLength(200)),
  webhookId: z.optional(z.string().check(z.maxLength(100))),
  /** When the dispatcher listed the request; absent in hand-made events (taken as fresh). */
  listedAt: z.optional(z.iso.datetime({ offset: true })),
});

export type Payload = {
  objectClass: ObjectClass;
  request: AnyRequest;
  correlationId: string;
  webhookId?: string | undefined;
  listedAt?: string | undefined;
};

/** A payload that is not what the dispatcher sends: a bug or a hand-made event, never retried into success. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';

  constructor(issues: string) {
    super(`Invalid type function payload: ${issues}`);
  }
}

function issuesOf(error: z.core.$ZodError, prefix = ''): string {
  return z.prettifyError(error).replace(/\n/g, '; ').replace(/→ at /g, `→ at ${prefix}`);
}

export function parsePayload(event: unknown): Payload {
  const envelope = EnvelopeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidPayloadError(issuesOf(envelope.error));
  const { objectClass: name, request, ...rest } = envelope.data;
  let objectClass: ObjectClass;
  if (name !== undefined) {
    if (!isObjectClassName(name)) throw new InvalidPayloadError(`objectClass: ${name} is not processed here`);
    objectClass = objectClassNamed(name);
  } else {
    objectClass = (
      request.asset === undefined && request.configuration !== undefined
        ? TIER_CONFIG_REQUEST
        : FULFILLMENT_REQUEST
    ) as ObjectClass;
  }
  const parsed = objectClass.schema.safeParse(request);
  if (!parsed.success) throw new InvalidPayloadError(issuesOf(parsed.error, 'request.'));
  return { objectClass, request: parsed.data, ...rest };
}
