/**
 * The seed's purchase logic written against the lib, as a vendor would (the shipped version lives in
 * functions/purchase/), with the exact Connect calls of each branch.
 */
import { describe, expect, it } from 'vitest';
import {
  approveWithTemplate,
  executeFulfillmentRequest,
  Fail,
  type FulfillmentHandler,
  Inquire,
  paramValue,
  parseQuantity,
} from '../../../lib/fulfillment';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { fulfillmentRequest } from '../../support/fixtures';
import { RecordingLogger } from '../../support/recording-logger';

const ID = 'PR-1000-0000-0001-001';
const MAX_QUANTITY = 1_000_000;

const purchase: FulfillmentHandler = async (request, ctx) => {
  if (!paramValue(request, 'email')) {
    throw new Inquire({ email: 'Email address has not been provided, please provide one' });
  }
  for (const item of request.asset.items) {
    const quantity = parseQuantity(item.quantity);
    if (quantity === 'unlimited' || quantity > MAX_QUANTITY) {
      throw new Fail(
        `Is Not possible to purchase product ${item.id} more than ${MAX_QUANTITY} time, requested: ${item.quantity}`,
      );
    }
  }
  const activationKey = `KEY-${request.asset.id}`; // the vendor's provisioning would return it
  await ctx.updateParameters([{ id: 'ActivationKey', value: activationKey }]);
  return approveWithTemplate('TL-497-535-242');
};

function setup(overrides: Parameters<typeof fulfillmentRequest>[0]) {
  const request = fulfillmentRequest(overrides);
  const client = new FakeConnectClient({ requests: [request] });
  return { request, client, deps: { client, logger: new RecordingLogger() } };
}

describe('the seed purchase case', () => {
  it('inquires for the email when it is empty', async () => {
    // Prepare
    const { request, client, deps } = setup({
      params: [
        { id: 'email', value: '', value_error: '' },
        { id: 'ActivationKey', value: '' },
      ],
    });

    // Act
    const result = await executeFulfillmentRequest(request, purchase, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: ID,
        body: {
          params: [{ id: 'email', value_error: 'Email address has not been provided, please provide one' }],
        },
      },
      { op: 'requests.inquire', id: ID, body: {} },
    ]);
    expect(result.outcome).toBe('inquired');
    expect(client.fulfillment.get(ID)?.status).toBe('inquiring');
  });

  it('fails when an item asks for more than 1000000', async () => {
    // Prepare
    const { request, client, deps } = setup({
      items: [{ id: 'SKU_USERS', quantity: '1000001', old_quantity: '0' }],
    });

    // Act
    const result = await executeFulfillmentRequest(request, purchase, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.fail',
        id: ID,
        body: {
          reason: 'Is Not possible to purchase product SKU_USERS more than 1000000 time, requested: 1000001',
        },
      },
    ]);
    expect(result.outcome).toBe('failed');
  });

  it('writes ActivationKey, then approves with the template', async () => {
    // Prepare
    const { request, client, deps } = setup({ items: [{ id: 'SKU_USERS', quantity: 1_000_000 }] });

    // Act
    const result = await executeFulfillmentRequest(request, purchase, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: ID,
        body: { params: [{ id: 'ActivationKey', value: 'KEY-AS-1000-0000-0001' }] },
      },
      { op: 'requests.approve', id: ID, body: { template_id: 'TL-497-535-242' } },
    ]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'approved',
      detail: 'template TL-497-535-242',
      calls: [`PUT /requests/${ID}`, `POST /requests/${ID}/approve`],
    });
  });
});
