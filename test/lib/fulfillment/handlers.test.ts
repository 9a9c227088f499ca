import { describe, expect, it } from 'vitest';
import {
  approveWithTemplate,
  executeFulfillmentRequest,
  type FulfillmentHandlers,
  routeFulfillmentRequest,
} from '../../../lib/fulfillment';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { fulfillmentRequest } from '../../support/fixtures';
import { RecordingLogger } from '../../support/recording-logger';

const handlers: FulfillmentHandlers = {
  purchase: () => approveWithTemplate('TL-PURCHASE'),
  cancel: () => undefined,
};

describe('routeFulfillmentRequest', () => {
  it('runs the handler of the request type', async () => {
    // Prepare
    const request = fulfillmentRequest({ type: 'purchase' });
    const client = new FakeConnectClient({ requests: [request] });

    // Act
    await executeFulfillmentRequest(request, routeFulfillmentRequest(handlers), {
      client,
      logger: new RecordingLogger(),
    });

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.approve', id: request.id, body: { template_id: 'TL-PURCHASE' } },
    ]);
  });

  it('fails a type with no handler with "Operation not supported: <type>"', async () => {
    // Prepare
    const request = fulfillmentRequest({ type: 'renew' });
    const client = new FakeConnectClient({ requests: [request] });

    // Act
    const result = await executeFulfillmentRequest(request, routeFulfillmentRequest(handlers), {
      client,
      logger: new RecordingLogger(),
    });

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.fail', id: request.id, body: { reason: 'Operation not supported: renew' } },
    ]);
    expect(result.outcome).toBe('failed');
  });
});
