import { describe, expect, it } from 'vitest';
import { createContext } from '../../../lib/engine';
import { FULFILLMENT_REQUEST, TIER_CONFIG_REQUEST } from '../../../lib/object-classes';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

function fulfillmentSetup() {
  const request = fulfillmentRequest({
    params: [
      { id: 'email', value: 'a@b.c', value_error: '' },
      { id: 'ActivationKey', value: null, value_error: null },
      { id: 'address', value: '', structured_value: { city: 'Paris' } },
    ],
  });
  const client = new FakeConnectClient({ requests: [request] });
  const calls: string[] = [];
  const ctx = createContext(FULFILLMENT_REQUEST, request, {
    client,
    logger: new RecordingLogger(),
    recordCall: (call) => calls.push(call),
  });
  return { request, client, ctx, calls };
}

describe('updateParameters on a fulfillment request', () => {
  it('PUTs only the params that change', async () => {
    // Prepare
    const { client, ctx, calls } = fulfillmentSetup();

    // Act
    const sent = await ctx.updateParameters([
      { id: 'email', value: 'a@b.c' },
      { id: 'ActivationKey', value: 'KEY-1' },
      { id: 'address', structured_value: { city: 'Paris' } },
    ]);

    // Assess
    expect(sent).toEqual([{ id: 'ActivationKey', value: 'KEY-1' }]);
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: 'PR-4412-0097-3381-001',
        body: { params: [{ id: 'ActivationKey', value: 'KEY-1' }] },
      },
    ]);
    expect(calls).toEqual(['PUT /requests/PR-4412-0097-3381-001']);
  });

  it('makes no call when nothing changes, null and "" being the same empty value', async () => {
    // Prepare
    const { client, ctx } = fulfillmentSetup();

    // Act
    const sent = await ctx.updateParameters([
      { id: 'email', value: 'a@b.c', value_error: '' },
      { id: 'ActivationKey', value: '', value_error: '' },
      { id: 'address', structured_value: { city: 'Paris' } },
    ]);

    // Assess
    expect(sent).toEqual([]);
    expect(client.calls).toEqual([]);
  });

  it('sees a changed structured value and a changed value_error', async () => {
    // Prepare
    const { client, ctx } = fulfillmentSetup();

    // Act
    await ctx.updateParameters([
      { id: 'address', structured_value: { city: 'Lyon' } },
      { id: 'email', value_error: 'Invalid' },
    ]);

    // Assess
    expect(client.calls[0]?.body).toEqual({
      params: [
        { id: 'address', structured_value: { city: 'Lyon' } },
        { id: 'email', value_error: 'Invalid' },
      ],
    });
  });

  it('keeps the local request up to date, so repeating the update sends nothing', async () => {
    // Prepare
    const { request, client, ctx } = fulfillmentSetup();

    // Act
    await ctx.updateParameters([{ id: 'ActivationKey', value: 'KEY-1' }]);
    await ctx.updateParameters([{ id: 'ActivationKey', value: 'KEY-1' }]);

    // Assess
    expect(client.calls).toHaveLength(1);
    expect(ctx.request.asset.params.find((param) => param.id === 'ActivationKey')?.value).toBe('KEY-1');
    expect(request.asset.params.find((param) => param.id === 'ActivationKey')?.value).toBeNull();
  });

  it('sends a note that differs, even with no param change, and nothing for the same note twice', async () => {
    // Prepare
    const { client, ctx } = fulfillmentSetup();

    // Act
    await ctx.updateParameters([], { note: 'Provisioning started' });
    await ctx.updateParameters([], { note: 'Provisioning started' });

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: 'PR-4412-0097-3381-001',
        body: { params: [], note: 'Provisioning started' },
      },
    ]);
    expect(ctx.request.note).toBe('Provisioning started');
  });

  it('sends a param the request does not have yet', async () => {
    // Prepare
    const { client, ctx } = fulfillmentSetup();

    // Act
    await ctx.updateParameters([{ id: 'tenant_id', value: 'T-1' }]);

    // Assess
    expect(client.calls[0]?.body).toEqual({ params: [{ id: 'tenant_id', value: 'T-1' }] });
    expect(ctx.request.asset.params.at(-1)).toEqual({ id: 'tenant_id', value: 'T-1' });
  });
});

describe('updateParameters on a tier config request', () => {
  it('PUTs only the changed params with the notes', async () => {
    // Prepare
    const request = tierConfigRequest({
      params: [
        { id: 'TIER1_MPN', value: '000000', value_error: '', phase: 'ordering' },
        { id: 'tier_key', value: '', value_error: '', phase: 'fulfillment' },
      ],
    });
    const client = new FakeConnectClient({ tierConfigRequests: [request] });
    const ctx = createContext(TIER_CONFIG_REQUEST, request, { client, logger: new RecordingLogger() });

    // Act
    await ctx.updateParameters(
      [
        { id: 'TIER1_MPN', value: '000000' },
        { id: 'tier_key', value: 'TK-1' },
      ],
      { note: 'Tier key issued' },
    );
    await ctx.updateParameters([{ id: 'tier_key', value: 'TK-1' }]);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'tierConfigRequests.updateParams',
        id: 'TCR-318-902-447-001',
        body: { params: [{ id: 'tier_key', value: 'TK-1' }], notes: 'Tier key issued' },
      },
    ]);
    expect(ctx.request.notes).toBe('Tier key issued');
  });
});
