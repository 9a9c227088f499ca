import { describe, expect, it } from 'vitest';
import { ConnectServerError, ConnectTimeoutError, ConnectValidationError } from '../../../lib/connect';
import { buildFulfillmentRequest, buildTierConfigRequest } from '../../support/builders';
import { hang, json, networkFailure } from './fake-fetch';
import { setup } from './harness';

const request = (status: 'pending' | 'approved' | 'inquiring' | 'failed') =>
  json(buildFulfillmentRequest({ id: 'PR-1', status }));

describe('fulfillment actions after an ambiguous failure', () => {
  it('re-reads, finds the request still pending and sends the action once more', async () => {
    // Prepare
    const { client, calls, retries } = setup([{ status: 502 }, request('pending'), request('approved')]);

    // Act
    const result = await client.requests.approve('PR-1', { template_id: 'TL-1' });

    // Assess
    expect(result.status).toBe('approved');
    expect(calls.map((call) => `${call.method} ${call.target}`)).toEqual([
      'POST /requests/PR-1/approve',
      'GET /requests/PR-1',
      'POST /requests/PR-1/approve',
    ]);
    expect(calls[2]?.body).toEqual({ template_id: 'TL-1' });
    expect(retries).toHaveLength(1);
    expect(retries[0]?.reason).toContain('re-read status pending');
  });

  it('re-reads after a timeout, finds it already approved and returns it without a second POST', async () => {
    // Prepare
    const { client, calls } = setup([hang(), request('approved')], { timeoutMs: 5 });

    // Act
    const result = await client.requests.approve('PR-1', { template_id: 'TL-1' });

    // Assess
    expect(result.status).toBe('approved');
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });

  it('re-reads after a network error, finds another state and throws the original error', async () => {
    // Prepare
    const { client, calls } = setup([networkFailure(), request('failed')]);

    // Act
    const result = client.requests.approve('PR-1', { template_id: 'TL-1' });

    // Assess
    await expect(result).rejects.toThrow(/network error/);
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET']);
  });

  it('throws the original error when the re-read itself fails', async () => {
    // Prepare
    const { client } = setup([{ status: 503 }, json({ errors: ['gone'] }, 404)]);

    // Act
    const result = client.requests.fail('PR-1', 'x');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
  });

  it('pend is retried only when the request is still inquiring', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 500 }, request('inquiring'), request('pending')]);

    // Act
    const result = await client.requests.pend('PR-1');

    // Assess
    expect(result.status).toBe('pending');
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2);
  });

  it('inquire already applied: success from the re-read request', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 504 }, request('inquiring')]);

    // Act
    const result = await client.requests.inquire('PR-1');

    // Assess
    expect(result.status).toBe('inquiring');
    expect(calls).toHaveLength(2);
  });

  it('gives up after maxAttempts ambiguous failures while the request stays pending', async () => {
    // Prepare
    const { client, calls } = setup(
      [{ status: 502 }, request('pending'), { status: 502 }, request('pending')],
      { retry: { maxAttempts: 2 } },
    );

    // Act
    const result = client.requests.fail('PR-1', 'x');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
    expect(calls).toHaveLength(4);
  });

  it('retries a 429 on an action without re-reading', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 429, headers: { 'Retry-After': '2' } }, request('approved')]);

    // Act
    await client.requests.approve('PR-1', { activation_tile: 'Done' });

    // Assess
    expect(calls.map((call) => call.method)).toEqual(['POST', 'POST']);
  });

  it('does not re-read or retry after a 400', async () => {
    // Prepare
    const { client, calls } = setup([json({ error_code: 'REQ_003', errors: ['Wrong status'] }, 400)]);

    // Act
    const result = client.requests.approve('PR-1', { template_id: 'TL-1' });

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectValidationError);
    expect(calls).toHaveLength(1);
  });
});

describe('tier config actions after an ambiguous failure', () => {
  it('approve already applied: synthesises the answer from the re-read TCR template', async () => {
    // Prepare
    const approved = buildTierConfigRequest({
      status: 'approved',
      template: { id: 'TL-771-020-118', representation: '# Reseller activated' },
      effective_date: '2024-03-04T10:00:00+00:00',
    });
    const { client, calls } = setup([hang(), json(approved)], { timeoutMs: 5 });

    // Act
    const result = await client.tierConfigRequests.approve('TCR-1', { template: { id: 'TL-771-020-118' } });

    // Assess
    expect(result).toEqual({
      template: { id: 'TL-771-020-118', representation: '# Reseller activated' },
      effective_date: '2024-03-04T10:00:00+00:00',
    });
    expect(calls.map((call) => `${call.method} ${call.target}`)).toEqual([
      'POST /tier/config-requests/TCR-1/approve',
      'GET /tier/config-requests/TCR-1',
    ]);
  });

  it('fail still pending: sends it again and resolves on 204', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 503 }, json(buildTierConfigRequest()), { status: 204 }]);

    // Act
    const result = await client.tierConfigRequests.fail('TCR-1', 'Unknown reseller');

    // Assess
    expect(result).toBeUndefined();
    expect(calls.map((call) => call.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('inquire with the TCR moved to failed: throws the original timeout', async () => {
    // Prepare
    const { client } = setup([hang(), json(buildTierConfigRequest({ status: 'failed' }))], { timeoutMs: 5 });

    // Act
    const result = client.tierConfigRequests.inquire('TCR-1');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectTimeoutError);
  });
});
