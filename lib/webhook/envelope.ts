/**
 * The body Connect POSTs for an `event` webhook (API.md §11.3): a small envelope that says "this product's
 * queue changed". It carries no request. Unknown keys are kept; only what routing needs is required.
 */
import * as z from '../zod';
import { badRequest } from './errors';

const requiredId = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .check(z.trim(), z.minLength(1, { error: 'must not be empty' }));

const optionalText = z.nullish(z.string());

export const WebhookEnvelopeSchema = z.looseObject({
  webhook_id: requiredId(),
  webhook_name: optionalText,
  object_class: requiredId(),
  account_id: optionalText,
  product_id: requiredId(),
  api_url: optionalText,
  triggered_at: optionalText,
  last_success_at: optionalText,
  last_failure_at: optionalText,
  /** Seconds; a number in every observed payload, tolerated as a string. */
  processing_timeout: z.nullish(z.union([z.number(), z.string()])),
  /** The webhook's custom `data`, echoed back; opaque to us. */
  data: z.optional(z.unknown()),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;

export type EnvelopeParseResult =
  | { success: true; envelope: WebhookEnvelope }
  | { success: false; issues: string[]; message: string };

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (path === '') return `body: ${issue.code === 'invalid_type' ? 'must be a JSON object' : issue.message}`;
  return `${path}: ${issue.message}`;
}

/** Validates an already JSON-parsed body. Messages name the fields and never echo values. */
export function parseEnvelope(json: unknown): EnvelopeParseResult {
  const result = WebhookEnvelopeSchema.safeParse(json);
  if (result.success) return { success: true, envelope: result.data };
  const issues = result.error.issues.map(describeIssue);
  return { success: false, issues, message: `Invalid webhook envelope: ${issues.join('; ')}` };
}

/** The envelope of a webhook body (already verified, as text), or a 400 saying what is wrong with it. */
export function readEnvelope(text: string): WebhookEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'The body is not valid JSON');
  }
  const parsed = parseEnvelope(json);
  if (!parsed.success) throw badRequest('invalid_envelope', parsed.message, { issues: parsed.issues });
  return parsed.envelope;
}
