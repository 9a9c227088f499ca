export {
  type EnvelopeParseResult,
  isKnownObjectClass,
  KNOWN_OBJECT_CLASSES,
  type KnownObjectClass,
  parseEnvelope,
  type WebhookEnvelope,
  WebhookEnvelopeSchema,
} from './envelope';
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
