/**
 * Tier config requests (`/tier/config-requests`): request-level `params` (a copy also in
 * `configuration.params`), `notes`, approve with `{template: {id}}` or `{template: {representation}}`.
 */
import {
  type ApproveTierConfigBody,
  rql,
  TIER_CONFIG_REQUEST_TYPES,
  type TierConfigRequest,
  TierConfigRequestSchema,
} from '../connect';
import { ALL_PRODUCTS, type AnyRequest, LIST_PAGE_SIZE, type ObjectClass } from './object-class';

export const TIER_CONFIG_REQUEST: ObjectClass<TierConfigRequest, ApproveTierConfigBody> = {
  name: 'tier_config_request',
  noun: 'tier config request',
  path: '/tier/config-requests',
  types: TIER_CONFIG_REQUEST_TYPES,
  schema: TierConfigRequestSchema,
  is: (request: AnyRequest): request is TierConfigRequest =>
    !('asset' in request && request.asset !== undefined) && 'configuration' in request,
  // One Lambda for every tier config request type.
  functionFor: () => 'tier-config',
  productId: (request) => request.configuration.product.id,
  logContext: (request) => ({
    requestId: request.id,
    productId: request.configuration.product.id,
    requestType: request.type,
    tierLevel: request.configuration.tier_level,
  }),
  pendingQuery: (productId) => {
    const pending = rql.eq('status', 'pending');
    return {
      filter:
        productId === ALL_PRODUCTS
          ? pending
          : rql.and(pending, rql.eq('configuration.product.id', productId)),
      pageSize: LIST_PAGE_SIZE,
    };
  },
  params: (request) => request.params,
  paramLists: (request) => [
    request.params,
    ...(request.configuration.params ? [request.configuration.params] : []),
  ],
  paramPaths: [['params'], ['configuration', 'params']],
  note: (request) => request.notes ?? '',
  setNote: (request, notes) => {
    request.notes = notes;
  },
  takesInquireTemplate: false,
  approveBody: (approval) =>
    approval.kind === 'approve-with-template'
      ? { template: { id: approval.templateId } }
      : { template: { representation: approval.tile } },
  collection: (client) => client.tierConfigRequests,
};
