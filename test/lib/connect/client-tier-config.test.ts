import { describe, expect, it } from 'vitest';
import { ConnectValidationError } from '../../../lib/connect';
import { buildTierConfigRequest } from '../../support/builders';
import { json } from './fake-fetch';
import { setup } from './harness';

describe('tierConfigRequests', () => {
  it('get parses a TCR and normalises tier_level', async () => {
    // Prepare
    const tcr = buildTierConfigRequest();
    const { client, calls } = setup([
      json({ ...tcr, configuration: { ...tcr.configuration, tier_level: '2' } }),
    ]);

    // Act
    const result = await client.tierConfigRequests.get('TCR-318-902-447-001');

    // Assess
    expect(calls[0]?.target).toBe('/tier/config-requests/TCR-318-902-447-001');
    expect(result.configuration.tier_level).toBe(2);
  });

  it('list pages through /tier/config-requests', async () => {
    // Prepare
    const { client, calls } = setup([
      json([buildTierConfigRequest({ id: 'TCR-1' })], 200, { 'Content-Range': 'items 0-0/2' }),
      json([buildTierConfigRequest({ id: 'TCR-2' })], 200, { 'Content-Range': 'items 1-1/2' }),
    ]);

    // Act
    const ids: string[] = [];
    for await (const tcr of client.tierConfigRequests.list({ filter: 'eq(status,pending)', pageSize: 1 })) {
      ids.push(tcr.id);
    }

    // Assess
    expect(ids).toEqual(['TCR-1', 'TCR-2']);
    expect(calls.map((call) => call.target)).toEqual([
      '/tier/config-requests?eq(status,pending)&limit=1&offset=0',
      '/tier/config-requests?eq(status,pending)&limit=1&offset=1',
    ]);
  });

  it('updateParams PUTs {params, notes} at top level and accepts 204', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 204 }]);

    // Act
    const result = await client.tierConfigRequests.updateParams(
      'TCR-1',
      [{ id: 'partner_number', value_error: 'Unknown partner' }],
      'checked',
    );

    // Assess
    expect(result).toBeUndefined();
    expect(calls[0]?.method).toBe('PUT');
    expect(calls[0]?.target).toBe('/tier/config-requests/TCR-1');
    expect(calls[0]?.body).toEqual({
      params: [{ id: 'partner_number', value_error: 'Unknown partner' }],
      notes: 'checked',
    });
  });

  it('updateParams accepts 200 with the TCR', async () => {
    // Prepare
    const { client, calls } = setup([json(buildTierConfigRequest())]);

    // Act
    await client.tierConfigRequests.updateParams('TCR-1', [{ id: 'partner_number', value: '00418' }]);

    // Assess
    expect(calls[0]?.body).toEqual({ params: [{ id: 'partner_number', value: '00418' }] });
  });

  it('approve with a template id parses {template, effective_date}', async () => {
    // Prepare
    const { client, calls } = setup([
      json({
        template: { id: 'TL-771-020-118', representation: '# Reseller activated' },
        effective_date: '2024-03-04T10:00:00+00:00',
      }),
    ]);

    // Act
    const result = await client.tierConfigRequests.approve('TCR-1', { template: { id: 'TL-771-020-118' } });

    // Assess
    expect(calls[0]?.target).toBe('/tier/config-requests/TCR-1/approve');
    expect(calls[0]?.body).toEqual({ template: { id: 'TL-771-020-118' } });
    expect(result.template?.representation).toBe('# Reseller activated');
    expect(result.effective_date).toBe('2024-03-04T10:00:00+00:00');
  });

  it('approve with a representation', async () => {
    // Prepare
    const { client, calls } = setup([json({ template: { representation: 'Done' }, effective_date: null })]);

    // Act
    await client.tierConfigRequests.approve('TCR-1', { template: { representation: 'Done' } });

    // Assess
    expect(calls[0]?.body).toEqual({ template: { representation: 'Done' } });
  });

  it('inquire and pend POST without a body, fail with {reason}; all answer 204', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 204 }, { status: 204 }, { status: 204 }]);

    // Act
    await client.tierConfigRequests.inquire('TCR-1');
    await client.tierConfigRequests.pend('TCR-1');
    await client.tierConfigRequests.fail('TCR-1', 'Reseller not known');

    // Assess
    expect(calls.map((call) => [call.method, call.target, call.body])).toEqual([
      ['POST', '/tier/config-requests/TCR-1/inquire', undefined],
      ['POST', '/tier/config-requests/TCR-1/pend', undefined],
      ['POST', '/tier/config-requests/TCR-1/fail', { reason: 'Reseller not known' }],
    ]);
  });

  it('a 400 on an action is thrown as is, not retried', async () => {
    // Prepare
    const { client, calls } = setup([json({ error_code: 'TC_006', errors: ['Wrong status.'] }, 400)]);

    // Act
    const result = client.tierConfigRequests.pend('TCR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectValidationError);
    await expect(result).rejects.toMatchObject({
      status: 400,
      errorCode: 'TC_006',
      errors: ['Wrong status.'],
    });
    expect(calls).toHaveLength(1);
  });
});
