/** What the router and the sweep send each type function (lib/dispatch `DispatchPayload`), validated. */
import * as z from 'zod';
import { FulfillmentRequestSchema, TierConfigRequestSchema } from '../connect';

const envelope = {
  correlationId: z.string().min(1).max(200),
  webhookId: z.string().max(100).optional(),
  /** When the dispatcher listed the request; absent in hand-made events (taken as fresh). */
  listedAt: z.iso.datetime({ offset: true }).optional(),
};

export const FulfillmentPayloadSchema = z.object({ request: FulfillmentRequestSchema, ...envelope });
export type FulfillmentPayload = z.infer<typeof FulfillmentPayloadSchema>;

export const TierConfigPayloadSchema = z.object({ request: TierConfigRequestSchema, ...envelope });
export type TierConfigPayload = z.infer<typeof TierConfigPayloadSchema>;

/** A payload that is not what the dispatcher sends: a bug or a hand-made event, never retried into success. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';

  constructor(issues: string) {
    super(`Invalid type function payload: ${issues}`);
  }
}

export function parsePayload<T>(schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidPayloadError(z.prettifyError(parsed.error).replace(/\n/g, '; '));
  return parsed.data;
}
