/**
 * Dynamic validation on the local stack: the products get the emulator's `dynamic_validation` capability (their
 * requests may start as drafts), and one validator webhook of each type of API.md §11.4, pointing at the
 * function set's `POST /connect/validate` with the local webhook secret. Used by `npm start`, `npm run demo`,
 * the stack tests and the benchmarks. A deployed stage registers them with `npm run webhooks -- sync`.
 */
import {
  FULFILLMENT_VALIDATOR_TYPES,
  TIER_CONFIG_VALIDATOR_TYPES,
  type ValidatorType,
  type WebhookObjectClass,
} from '../../emulator';
import type { LocalStack } from './index';

export const VALIDATE_ROUTE = '/connect/validate';

/** Every validator type, with the object class Connect requires for it. */
export const LOCAL_VALIDATOR_TYPES: ReadonlyArray<{ type: ValidatorType; objectClass: WebhookObjectClass }> =
  [
    ...FULFILLMENT_VALIDATOR_TYPES.map((type) => ({ type, objectClass: 'fulfillment_request' as const })),
    ...TIER_CONFIG_VALIDATOR_TYPES.map((type) => ({ type, objectClass: 'tier_config_request' as const })),
  ];

/** The validation route of a started stack (the HTTP API that serves the webhook route). */
export function validateUrl(stack: Pick<LocalStack, 'webhookUrl'>): string {
  return new URL(VALIDATE_ROUTE, stack.webhookUrl).href;
}

/** Turns the product's dynamic validation on in the emulator (PUT /__emulator/products/{id}). */
export async function enableDynamicValidation(stack: LocalStack, productId: string): Promise<void> {
  const response = await fetch(
    `${stack.emulator.origin}/__emulator/products/${encodeURIComponent(productId)}`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { dynamic_validation: true } }),
    },
  );
  if (!response.ok) throw new Error(`PUT /__emulator/products/${productId} answered ${response.status}`);
}

/**
 * Dynamic validation for these products: the capability, then every validator webhook. Resolves with the
 * webhook ids, in registration order.
 */
export async function registerValidators(stack: LocalStack, products: readonly string[]): Promise<string[]> {
  const url = validateUrl(stack);
  const ids: string[] = [];
  for (const productId of products) {
    await enableDynamicValidation(stack, productId);
    for (const { type, objectClass } of LOCAL_VALIDATOR_TYPES) {
      const created = await stack.call<{ id: string }>('POST', '/notifications/webhooks', {
        label: `${productId} ${type}`,
        description: 'Local function set: dynamic validation',
        type,
        object_class: objectClass,
        product_id: productId,
        external_url: url,
        jwt_secret: stack.webhookSecret,
        http_method: 'POST',
        active: true,
        data: {},
      });
      ids.push(created.id);
    }
  }
  return ids;
}
