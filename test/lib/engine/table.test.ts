import { describe, expect, it } from 'vitest';
import { type AutomationTable, approveWithTemplate } from '../../../lib/automation';
import { entryFor } from '../../../lib/dispatch';
import { execute } from '../../../lib/engine';
import { FULFILLMENT_REQUEST, type ObjectClass } from '../../../lib/object-classes';
import { fulfillmentRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

const table: AutomationTable = {
  fulfillment_request: {
    purchase: { process: () => approveWithTemplate('TL-PURCHASE') },
    cancel: { process: () => undefined },
  },
  tier_config_request: {},
};

/** What a type function runs: the table's handler for the request type (none for an unautomated type). */
const handlerOf = (type: string) => entryFor(table, FULFILLMENT_REQUEST as ObjectClass, type)?.process;

describe('the automation table in the engine', () => {
  it('runs the handler of the request type', async () => {
    // Prepare
    const request = fulfillmentRequest({ type: 'purchase' });
    const client = new FakeConnectClient({ requests: [request] });

    // Act
    await execute(FULFILLMENT_REQUEST, request, handlerOf(request.type), {
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
    const result = await execute(FULFILLMENT_REQUEST, request, handlerOf(request.type), {
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
