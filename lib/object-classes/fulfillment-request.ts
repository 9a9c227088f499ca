/** Fulfillment requests (`/requests`): asset parameters, `note`, approve with `{template_id}` or `{activation_tile}`. */
import {
  type ApproveRequestBody,
  FULFILLMENT_REQUEST_TYPES,
  type FulfillmentRequest,
  FulfillmentRequestSchema,
  rql,
} from '../connect';
import { ALL_PRODUCTS, type AnyRequest, LIST_PAGE_SIZE, type ObjectClass } from './object-class';

export const FULFILLMENT_REQUEST: ObjectClass<FulfillmentRequest, ApproveRequestBody> = {
  name: 'fulfillment_request',
  noun: 'fulfillment request',
  path: '/requests',
  types: FULFILLMENT_REQUEST_TYPES,
  schema: FulfillmentRequestSchema,
  is: (request: AnyRequest): request is FulfillmentRequest =>
    'asset' in request && request.asset !== undefined,
  // One Lambda per request type, named after it.
  functionFor: (type) => type,
  productId: (request) => request.asset.product.id,
  logContext: (request) => ({
    requestId: request.id,
    assetId: request.asset.id,
    productId: request.asset.product.id,
    requestType: request.type,
  }),
  pendingQuery: (productId) => {
    const pending = rql.eq('status', 'pending');
    return {
      filter: productId === ALL_PRODUCTS ? pending : rql.and(pending, rql.eq('asset.product.id', productId)),
      // The spec's recommended projection: the activation key and template are not needed to route.
      select: ['-activation_key', '-template'],
      pageSize: LIST_PAGE_SIZE,
    };
  },
  params: (request) => request.asset.params,
  paramLists: (request) => [request.asset.params],
  paramPaths: [['asset', 'params']],
  note: (request) => request.note ?? '',
  setNote: (request, note) => {
    request.note = note;
  },
  takesInquireTemplate: true,
  approveBody: (approval) =>
    approval.kind === 'approve-with-template'
      ? { template_id: approval.templateId }
      : { activation_tile: approval.tile },
  collection: (client) => client.requests,
};
