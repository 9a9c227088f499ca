export { type EdgeResult, edgeErrors, json, UNAVAILABLE_BODY } from './edge-errors';
export {
  type EnvelopeParseResult,
  parseEnvelope,
  readEnvelope,
  type WebhookEnvelope,
  WebhookEnvelopeSchema,
} from './envelope';
export { badRequest, EdgeError } from './errors';
export {
  DEFAULT_MAX_BODY_BYTES,
  InvalidBodyEncodingError,
  PayloadTooLargeError,
  type RawBody,
  readRawBody,
} from './raw-body';
export { type SignWebhookTokenOptions, signWebhookToken, WEBHOOK_TOKEN_LIFETIME_S } from './sign-token';
export {
  createWebhookVerifier,
  type VerifiedWebhook,
  WebhookAuthError,
  type WebhookAuthFailureReason,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from './verify-token';
