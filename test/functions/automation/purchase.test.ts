import { describe, expect, it } from 'vitest';
import { createDemoProvisioner } from '../../../functions/automation/provisioner';
import {
  createPurchaseHandler,
  MISSING_EMAIL_ERROR,
  WELCOME_TILE,
} from '../../../functions/automation/purchase';
import type { FulfillmentRequest } from '../../../lib/automation';
import { parseActivationTemplates } from '../../../lib/config';
import { execute } from '../../../lib/engine';
import { FULFILLMENT_REQUEST } from '../../../lib/object-classes';
import { fulfillmentRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

function setup(request: FulfillmentRequest, templates = 'PRD-276-104-559:TL-111-222-333') {
  const client = new FakeConnectClient({ requests: [request] });
  const provisioned: string[] = [];
  const handler = createPurchaseHandler({
    provisioner: createDemoProvisioner({
      onProvision: (provisionedRequest) => provisioned.push(provisionedRequest.id),
    }),
    activationTemplates: parseActivationTemplates(templates),
  });
  const run = () => execute(FULFILLMENT_REQUEST, request, handler, { client, logger: new RecordingLogger() });
  return { client, provisioned, run };
}

describe('purchase (the seed logic)', () => {
  it('provisions, writes the ActivationKey and approves with the product template', async () => {
    // Prepare
    const { client, provisioned, run } = setup(fulfillmentRequest());
    // Act
    const result = await run();
    // Assess
    expect(result.outcome).toBe('approved');
    expect(provisioned).toEqual(['PR-4412-0097-3381-001']);
    expect(client.calls.map((call) => call.op)).toEqual(['requests.updateParams', 'requests.approve']);
    const update = client.calls[0]?.body as { params: Array<{ id: string; value: string }> };
    expect(update.params).toHaveLength(1);
    expect(update.params[0]?.id).toBe('ActivationKey');
    expect(update.params[0]?.value).toMatch(/^FB-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(client.calls[1]?.body).toEqual({ template_id: 'TL-111-222-333' });
  });

  it('approves with the welcome tile when the product has no template', async () => {
    const { client, run } = setup(fulfillmentRequest(), 'PRD-999-999-999:TL-111-222-333');
    await run();
    expect(client.calls[1]?.body).toEqual({ activation_tile: WELCOME_TILE });
  });

  it('inquires for a missing email, with the seed message, and provisions nothing', async () => {
    const request = fulfillmentRequest({
      params: [
        { id: 'email', phase: 'ordering', value: '  ', value_error: '' },
        { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: '' },
      ],
    });
    const { client, provisioned, run } = setup(request);
    const result = await run();
    expect(result.outcome).toBe('inquired');
    expect(provisioned).toEqual([]);
    expect(client.calls.map((call) => call.op)).toEqual(['requests.updateParams', 'requests.inquire']);
    expect(client.calls[0]?.body).toEqual({ params: [{ id: 'email', value_error: MISSING_EMAIL_ERROR }] });
  });

  it('fails an item over 1000000 with the seed reason, quantity as sent', async () => {
    const request = fulfillmentRequest({
      items: [
        { id: 'SKU_OK', quantity: 10, old_quantity: 0 },
        { id: 'SKU_BIG', quantity: '1000001', old_quantity: '0' },
      ],
    });
    const { client, provisioned, run } = setup(request);
    await run();
    expect(provisioned).toEqual([]);
    expect(client.calls).toEqual([
      {
        op: 'requests.fail',
        id: request.id,
        body: {
          reason: 'Is Not possible to purchase product SKU_BIG more than 1000000 time, requested: 1000001',
        },
      },
    ]);
  });

  it('accepts exactly 1000000 and unlimited quantities', async () => {
    const request = fulfillmentRequest({
      items: [
        { id: 'SKU_MAX', quantity: '1000000' },
        { id: 'SKU_UNLIMITED', quantity: 'unlimited' },
        { id: 'SKU_MINUS_ONE', quantity: -1 },
      ],
    });
    const { run } = setup(request);
    expect((await run()).outcome).toBe('approved');
  });

  it('does not provision again when the ActivationKey is already there (a retry after a crash)', async () => {
    const request = fulfillmentRequest({
      params: [
        { id: 'email', phase: 'ordering', value: 'buyer@example.com', value_error: '' },
        { id: 'ActivationKey', phase: 'fulfillment', value: 'FB-0000-1111-2222', value_error: '' },
      ],
    });
    const { client, provisioned, run } = setup(request);
    await run();
    expect(provisioned).toEqual([]);
    expect(client.calls.map((call) => call.op)).toEqual(['requests.approve']);
  });

  it('derives the same activation key for the same subscription', async () => {
    const provisioner = createDemoProvisioner();
    const first = await provisioner.provision(fulfillmentRequest({ id: 'PR-1' }));
    const second = await provisioner.provision(fulfillmentRequest({ id: 'PR-2' }));
    expect('activationKey' in first && first.activationKey).toMatch(/^FB-\w{4}-\w{4}-\w{4}$/);
    expect(second).toEqual(first);
  });
});
