import { describe, expect, it } from 'vitest';
import {
  approveWithTemplate,
  approveWithTile,
  Fail,
  Inquire,
  Skip,
  type TierConfigHandler,
} from '../../../lib/automation';
import { ConnectValidationError } from '../../../lib/connect';
import { execute } from '../../../lib/engine';
import { TIER_CONFIG_REQUEST } from '../../../lib/object-classes';
import { tierConfigRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

const ID = 'TCR-318-902-447-001';
const PATH = `/tier/config-requests/${ID}`;

function setup(overrides: Parameters<typeof tierConfigRequest>[0] = {}) {
  const request = tierConfigRequest(overrides);
  const client = new FakeConnectClient({ tierConfigRequests: [request] });
  const logger = new RecordingLogger();
  return { request, client, logger, deps: { client, logger } };
}

describe('execute on a tier config request', () => {
  it('approves with {template: {id}}', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    const result = await execute(
      TIER_CONFIG_REQUEST,
      request,
      () => approveWithTemplate('TL-TIER-001'),
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'tierConfigRequests.approve', id: ID, body: { template: { id: 'TL-TIER-001' } } },
    ]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'approved',
      detail: 'template TL-TIER-001',
      calls: [`POST ${PATH}/approve`],
    });
  });

  it('approves with {template: {representation}}', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    await execute(TIER_CONFIG_REQUEST, request, () => approveWithTile('# Tier ready'), deps);

    // Assess
    expect(client.calls).toEqual([
      { op: 'tierConfigRequests.approve', id: ID, body: { template: { representation: '# Tier ready' } } },
    ]);
  });

  it('approves with the representation "Activation succeeded" when the handler returns nothing', async () => {
    // Prepare
    const { request, client, deps } = setup();
    const handler: TierConfigHandler = async () => {};

    // Act
    const result = await execute(TIER_CONFIG_REQUEST, request, handler, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'tierConfigRequests.approve',
        id: ID,
        body: { template: { representation: 'Activation succeeded' } },
      },
    ]);
    expect(result.outcome).toBe('approved');
  });

  it('inquires: PUTs the changed params, then posts inquire; an inquire template is ignored', async () => {
    // Prepare
    const { request, client, logger, deps } = setup();
    const handler: TierConfigHandler = () => {
      throw new Inquire({ TIER1_MPN: 'Unknown partner number' }, { templateId: 'TL-INQ' });
    };

    // Act
    const result = await execute(TIER_CONFIG_REQUEST, request, handler, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'tierConfigRequests.updateParams',
        id: ID,
        body: { params: [{ id: 'TIER1_MPN', value_error: 'Unknown partner number' }] },
      },
      { op: 'tierConfigRequests.inquire', id: ID },
    ]);
    expect(result).toMatchObject({ outcome: 'inquired', calls: [`PUT ${PATH}`, `POST ${PATH}/inquire`] });
    expect(logger.at('warn')[0]?.message).toBe(
      'Inquire template ignored: tier config requests take no inquire template',
    );
  });

  it('fails with {reason}', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    const result = await execute(
      TIER_CONFIG_REQUEST,
      request,
      () => {
        throw new Fail('Reseller not allowed');
      },
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'tierConfigRequests.fail', id: ID, body: { reason: 'Reseller not allowed' } },
    ]);
    expect(result).toMatchObject({ outcome: 'failed', detail: 'Reseller not allowed' });
  });

  it('skips with a message to the conversation', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.addConversation(ID, 'CO-TCR');

    // Act
    const result = await execute(
      TIER_CONFIG_REQUEST,
      request,
      () => {
        throw new Skip('Not yet');
      },
      deps,
    );

    // Assess
    expect(client.ops()).toEqual([
      `conversations.findByInstanceId ${ID}`,
      'conversations.postMessage CO-TCR',
    ]);
    expect(result.outcome).toBe('skipped');
    expect(client.tierConfig.get(ID)?.status).toBe('pending');
  });

  it('does nothing for a tier config request that is not pending', async () => {
    // Prepare
    const { request, client, deps } = setup({ status: 'tiers_setup' });

    // Act
    const result = await execute(TIER_CONFIG_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    expect(result).toEqual({ requestId: ID, outcome: 'skipped', detail: 'not pending', calls: [] });
    expect(client.calls).toEqual([]);
  });

  it('treats a refused approve as success when the request is already approved', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.tierConfig.set(ID, { ...request, status: 'approved' });

    // Act
    const result = await execute(TIER_CONFIG_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    expect(client.ops()).toEqual([`tierConfigRequests.approve ${ID}`, `tierConfigRequests.get ${ID}`]);
    expect(result).toMatchObject({ outcome: 'approved', detail: 'already-approved' });
  });

  it('skips when a refused inquire finds the request moved on', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.failNext(
      'tierConfigRequests.inquire',
      new ConnectValidationError({ method: 'POST', path: PATH, status: 400 }),
    );
    client.tierConfig.set(ID, { ...request, status: 'failed' });

    // Act
    const result = await execute(
      TIER_CONFIG_REQUEST,
      request,
      () => {
        throw new Inquire({ TIER1_MPN: 'Bad' });
      },
      deps,
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'moved on: failed' });
  });
});
