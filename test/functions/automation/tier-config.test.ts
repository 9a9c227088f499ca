import { describe, expect, it } from 'vitest';
import {
  createTierConfigHandler,
  DEFAULT_TIER_REPRESENTATION,
  MISSING_TIER_PARAM_ERROR,
} from '../../../functions/automation/tier-config';
import { execute } from '../../../lib/engine';
import { TIER_CONFIG_REQUEST } from '../../../lib/object-classes';
import { tierConfigRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

const requiredParam = (value: string) => ({
  id: 'TIER_PARTNER_ID',
  phase: 'ordering',
  value,
  value_error: '',
  constraints: { required: true },
});

async function run(request: ReturnType<typeof tierConfigRequest>, tierTemplateId?: string) {
  const client = new FakeConnectClient({ tierConfigRequests: [request] });
  const result = await execute(TIER_CONFIG_REQUEST, request, createTierConfigHandler({ tierTemplateId }), {
    client,
    logger: new RecordingLogger(),
  });
  return { client, result };
}

describe('tier-config (the seed logic)', () => {
  it('approves with the tier template when the required params are filled', async () => {
    const { client, result } = await run(
      tierConfigRequest({ params: [requiredParam('PN-1')] }),
      'TL-900-100-001',
    );
    expect(result.outcome).toBe('approved');
    expect(client.calls.map((call) => [call.op, call.body])).toEqual([
      ['tierConfigRequests.approve', { template: { id: 'TL-900-100-001' } }],
    ]);
  });

  it('approves with a representation when no tier template is configured', async () => {
    const { client } = await run(tierConfigRequest({ params: [requiredParam('PN-1')], tierLevel: 2 }));
    expect(client.calls[0]?.body).toEqual({ template: { representation: DEFAULT_TIER_REPRESENTATION } });
  });

  it('inquires for an empty required ordering param, and ignores optional ones', async () => {
    const optional = { id: 'OPTIONAL', phase: 'ordering', value: '', constraints: { required: false } };
    const { client, result } = await run(
      tierConfigRequest({ params: [requiredParam(''), optional] }),
      'TL-1',
    );
    expect(result.outcome).toBe('inquired');
    expect(client.calls.map((call) => call.op)).toEqual([
      'tierConfigRequests.updateParams',
      'tierConfigRequests.inquire',
    ]);
    expect(client.calls[0]?.body).toMatchObject({
      params: [{ id: 'TIER_PARTNER_ID', value_error: MISSING_TIER_PARAM_ERROR }],
    });
  });
});
