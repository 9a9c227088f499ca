import { describe, expect, it } from 'vitest';
import { listPending } from '../../../lib/dispatch';
import {
  ALL_PRODUCTS,
  FULFILLMENT_REQUEST,
  type ObjectClassName,
  objectClassNamed,
  TIER_CONFIG_REQUEST,
} from '../../../lib/object-classes';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { fakeConnectClient } from './fakes';

const pendingQuery = (productId: string, objectClass: ObjectClassName) =>
  objectClassNamed(objectClass).pendingQuery(productId);

describe('listPending', () => {
  it('asks for the product pending fulfillment requests, largest pages, slim projection', async () => {
    // Prepare
    const { client, queries } = fakeConnectClient({ requests: [fulfillmentRequest({ id: 'PR-1' })] });

    // Act
    await listPending(client, FULFILLMENT_REQUEST, 'PRD-123-456-789');

    // Assess
    expect(queries).toEqual([
      {
        resource: 'requests',
        query: {
          filter: 'and(eq(status,pending),eq(asset.product.id,PRD-123-456-789))',
          select: ['-activation_key', '-template'],
          pageSize: 1000,
        },
      },
    ]);
  });

  it('asks for the product pending tier config requests', async () => {
    const { client, queries } = fakeConnectClient({
      tierConfigRequests: [tierConfigRequest({ id: 'TCR-1' })],
    });

    const pending = await listPending(client, TIER_CONFIG_REQUEST, 'PRD-123-456-789');

    expect(queries).toEqual([
      {
        resource: 'tierConfigRequests',
        query: {
          filter: 'and(eq(status,pending),eq(configuration.product.id,PRD-123-456-789))',
          pageSize: 1000,
        },
      },
    ]);
    expect(pending).toEqual([tierConfigRequest({ id: 'TCR-1' })]);
  });

  it('collects every page', async () => {
    // Prepare
    const requests = Array.from({ length: 7 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client, pagesServed } = fakeConnectClient({ requests, pageSize: 3 });

    // Act
    const pending = await listPending(client, FULFILLMENT_REQUEST, 'PRD-1');

    // Assess
    expect(pending.map((item) => item.id)).toEqual(requests.map((request) => request.id));
    expect(pagesServed()).toBe(3);
  });

  it('quotes a product id with unsafe characters instead of breaking the query', () => {
    expect(pendingQuery('PRD 1&x', 'fulfillment_request').filter).toBe(
      'and(eq(status,pending),eq(asset.product.id,"PRD%201%26x"))',
    );
  });
});

describe('pendingQuery for every product', () => {
  it('filters on the status only', () => {
    expect(pendingQuery(ALL_PRODUCTS, 'fulfillment_request').filter).toBe('eq(status,pending)');
    expect(pendingQuery(ALL_PRODUCTS, 'tier_config_request').filter).toBe('eq(status,pending)');
  });
});
