/**
 * `/notifications/webhooks` (API.md §11.1): list with RQL filters (`product.id`, `type`, `label`,
 * `description`, `active`), read, create, update. Used by the operator's `npm run webhooks -- sync`, not by
 * the functions.
 */
import { paginate } from './pagination';
import { parseBody } from './parse';
import { type WebhookBody, WebhookSchema } from './schemas';
import type { Transport, TransportCall } from './transport';
import type { InvalidItemEvent, WebhooksApi } from './types';

const PATH = '/notifications/webhooks';

export function webhooksApi(
  transport: Transport,
  segment: (id: string) => string,
  onInvalidItem?: (event: InvalidItemEvent) => void,
): WebhooksApi {
  const itemPath = (id: string) => `${PATH}/${segment(id)}`;
  return {
    list: (query) => paginate(transport, PATH, WebhookSchema, query, onInvalidItem),
    async get(id) {
      const call: TransportCall = { method: 'GET', path: itemPath(id), idempotent: true };
      return parseBody(WebhookSchema, call, await transport.send(call));
    },
    async create(body: WebhookBody) {
      // Not idempotent: a create sent twice is two webhooks. Only a 429 is retried.
      const call: TransportCall = { method: 'POST', path: PATH, body, idempotent: false };
      return parseBody(WebhookSchema, call, await transport.send(call));
    },
    async update(id: string, body: WebhookBody) {
      // A PUT of the whole object (every field is required): the same body twice is the same webhook.
      const call: TransportCall = { method: 'PUT', path: itemPath(id), body, idempotent: true };
      return parseBody(WebhookSchema, call, await transport.send(call));
    },
  };
}
