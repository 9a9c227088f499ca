/**
 * The shipped purchase logic (functions/automation/purchase.ts) through the executor, with the exact Connect
 * calls of each branch of the seed's "Fulfillment Example".
 */
import { describe, expect, it } from 'vitest';
import { createPurchaseHandler } from '../../../functions/automation/purchase';
import { execute } from '../../../lib/engine';
import { FULFILLMENT_REQUEST } from '../../../lib/object-classes';
import { fulfillmentRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

const ID = 'PR-4412-0097-3381-001';

const purchase = createPurchaseHandler({
  // The vendor's provisioning would return the key.
  provisioner: { provision: async (request) => ({ activationKey: `KEY-${request.asset.id}` }) },
  activationTemplates: () => 'TL-497-535-242',
});

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
    const result = await execute(FULFILLMENT_REQUEST, request, purchase, deps);

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
    const result = await execute(FULFILLMENT_REQUEST, request, purchase, deps);

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
    const result = await execute(FULFILLMENT_REQUEST, request, purchase, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: ID,
        body: { params: [{ id: 'ActivationKey', value: 'KEY-AS-4412-0097-3381', value_error: '' }] },
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
