import { describe, expect, it } from 'vitest';
import { ConnectNotFoundError, ConnectResponseError, rql, USER_AGENT } from '../../../lib/connect';
import { buildFulfillmentRequest } from '../../support/builders';
import { json } from './fake-fetch';
import { API_KEY, setup } from './harness';

const page = (count: number, from: number) =>
  Array.from({ length: count }, (_, index) =>
    buildFulfillmentRequest({ id: `PR-0000-0000-${String(from + index).padStart(4, '0')}-001` }),
  );

describe('requests.get', () => {
  it('sends an authenticated GET and parses the request', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest())]);

    // Act
    const request = await client.requests.get('PR-4412-0097-3381-001');

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('GET');
    expect(calls[0]?.target).toBe('/requests/PR-4412-0097-3381-001');
    expect(calls[0]?.headers.get('authorization')).toBe(`ApiKey ${API_KEY}`);
    expect(calls[0]?.headers.get('accept')).toBe('application/json');
    expect(calls[0]?.headers.get('user-agent')).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^connect-fulfillment-functions\/\d+\.\d+\.\d+/);
    expect(calls[0]?.headers.get('content-type')).toBeNull();
    expect(request.id).toBe('PR-4412-0097-3381-001');
    expect(request.asset.items[0]?.quantity).toBe('12');
  });

  it('keeps an ApiKey prefix that is already there and encodes the id in the path', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest({ id: 'PR 1/2' }))], {
      apiKey: `ApiKey ${API_KEY}`,
    });

    // Act
    await client.requests.get('PR 1/2');

    // Assess
    expect(calls[0]?.headers.get('authorization')).toBe(`ApiKey ${API_KEY}`);
    expect(calls[0]?.url.pathname).toBe('/public/v1/requests/PR%201%2F2');
  });

  it('maps 404 to ConnectNotFoundError without retrying', async () => {
    // Prepare
    const { client, calls } = setup([json({ error_code: 'REQ_404', errors: ['Not found.'] }, 404)]);

    // Act
    const result = client.requests.get('PR-0000-0000-0000-001');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectNotFoundError);
    expect(calls).toHaveLength(1);
  });

  it('rejects a malformed request with an error naming the field', async () => {
    // Prepare
    const { client } = setup([json({ ...buildFulfillmentRequest(), status: 'teleported' })]);

    // Act
    const result = client.requests.get('PR-4412-0097-3381-001');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectResponseError);
    await expect(result).rejects.toThrow(/GET \/requests\/PR-4412-0097-3381-001 .*status/);
  });

  it('rejects a 200 whose body is not JSON', async () => {
    // Prepare
    const { client } = setup([{ status: 200, text: '<html>maintenance</html>' }]);

    // Act
    const result = client.requests.get('PR-1');

    // Assess
    await expect(result).rejects.toThrow(/body is not JSON/);
  });
});

describe('requests.list', () => {
  it('walks every page using Content-Range and renders filter, select, ordering, limit, offset', async () => {
    // Prepare
    const { client, calls } = setup([
      json(page(2, 0), 200, { 'Content-Range': 'items 0-1/5' }),
      json(page(2, 2), 200, { 'Content-Range': 'items 2-3/5' }),
      json(page(1, 4), 200, { 'Content-Range': 'items 4-4/5' }),
    ]);
    const filter = rql.and(rql.eq('status', 'pending'), rql.in('asset.product.id', ['PRD-276-104-559']));

    // Act
    const ids: string[] = [];
    for await (const request of client.requests.list({
      filter,
      select: ['-activation_key', '-template'],
      ordering: ['created'],
      pageSize: 2,
    })) {
      ids.push(request.id);
    }

    // Assess
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(calls.map((call) => call.target)).toEqual([
      '/requests?and(eq(status,pending),in(asset.product.id,(PRD-276-104-559)))&select(-activation_key,-template)&ordering(created)&limit=2&offset=0',
      '/requests?and(eq(status,pending),in(asset.product.id,(PRD-276-104-559)))&select(-activation_key,-template)&ordering(created)&limit=2&offset=2',
      '/requests?and(eq(status,pending),in(asset.product.id,(PRD-276-104-559)))&select(-activation_key,-template)&ordering(created)&limit=2&offset=4',
    ]);
  });

  it('stops when offset reaches the total even if the last page is full', async () => {
    // Prepare
    const { client, calls } = setup([
      json(page(2, 0), 200, { 'Content-Range': 'items 0-1/4' }),
      json(page(2, 2), 200, { 'Content-Range': 'items 2-3/4' }),
    ]);

    // Act
    let count = 0;
    for await (const _ of client.requests.list({ pageSize: 2 })) count++;

    // Assess
    expect(count).toBe(4);
    expect(calls).toHaveLength(2);
  });

  it('stops on a short page when Content-Range is missing, with the default page size of 100', async () => {
    // Prepare
    const { client, calls } = setup([json(page(3, 0))]);

    // Act
    let count = 0;
    for await (const _ of client.requests.list()) count++;

    // Assess
    expect(count).toBe(3);
    expect(calls[0]?.target).toBe('/requests?limit=100&offset=0');
  });

  it('keeps paging when the server serves fewer than the limit, as long as Content-Range says there is more', async () => {
    // Prepare: limit 1000 asked, 2 served per page, 5 in all.
    const { client, calls } = setup([
      json(page(2, 0), 200, { 'Content-Range': 'items 0-1/5' }),
      json(page(2, 2), 200, { 'Content-Range': 'items 2-3/5' }),
      json(page(1, 4), 200, { 'Content-Range': 'items 4-4/5' }),
    ]);

    // Act
    const ids: string[] = [];
    for await (const request of client.requests.list({ pageSize: 1000 })) ids.push(request.id);

    // Assess
    expect(ids).toHaveLength(5);
    expect(calls.map((call) => call.target)).toEqual([
      '/requests?limit=1000&offset=0',
      '/requests?limit=1000&offset=2',
      '/requests?limit=1000&offset=4',
    ]);
  });

  it('leaves out, and reports, an object that fails its schema; the rest of the list goes on', async () => {
    // Prepare: the middle request has a type this version does not know.
    const [first, odd, last] = page(3, 0);
    const invalid: unknown[] = [];
    const { client } = setup(
      [json([first, { ...odd, type: 'teleport' }, last], 200, { 'Content-Range': 'items 0-2/3' })],
      { onInvalidItem: (event) => invalid.push(event) },
    );

    // Act
    const ids: string[] = [];
    for await (const request of client.requests.list()) ids.push(request.id);

    // Assess
    expect(ids).toEqual([first?.id, last?.id]);
    expect(invalid).toEqual([
      {
        path: '/requests',
        id: odd?.id,
        type: 'teleport',
        updated: odd?.updated,
        issues: [expect.stringContaining('type')],
      },
    ]);
  });

  it('caps the page size at 1000', async () => {
    // Prepare
    const { client, calls } = setup([json([], 200, { 'Content-Range': 'items 0-0/0' })]);

    // Act
    for await (const _ of client.requests.list({ pageSize: 5000 })) {
      // no items
    }

    // Assess
    expect(calls[0]?.target).toBe('/requests?limit=1000&offset=0');
  });

  it('rejects a page size below 1', async () => {
    // Prepare
    const { client, calls } = setup([]);

    // Act
    const iterate = async () => {
      for await (const _ of client.requests.list({ pageSize: 0 })) {
        // never reached
      }
    };

    // Assess
    await expect(iterate()).rejects.toBeInstanceOf(RangeError);
    expect(calls).toHaveLength(0);
  });
});

describe('requests.updateParams', () => {
  it('PUTs {asset:{params}, note} as JSON and parses the updated request', async () => {
    // Prepare
    const updated = buildFulfillmentRequest({ note: 'tenant created' });
    const { client, calls } = setup([json(updated)]);

    // Act
    const result = await client.requests.updateParams(
      'PR-4412-0097-3381-001',
      [
        { id: 'tenant_id', value: 'tn-8812' },
        { id: 'admin_email', value_error: 'Please provide an e-mail' },
      ],
      'tenant created',
    );

    // Assess
    expect(calls[0]?.method).toBe('PUT');
    expect(calls[0]?.target).toBe('/requests/PR-4412-0097-3381-001');
    expect(calls[0]?.headers.get('content-type')).toBe('application/json');
    expect(calls[0]?.body).toEqual({
      asset: {
        params: [
          { id: 'tenant_id', value: 'tn-8812' },
          { id: 'admin_email', value_error: 'Please provide an e-mail' },
        ],
      },
      note: 'tenant created',
    });
    expect(result.note).toBe('tenant created');
  });

  it('omits note when not given', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest())]);

    // Act
    await client.requests.updateParams('PR-1', [{ id: 'tenant_id', value: 'x' }]);

    // Assess
    expect(calls[0]?.body).toEqual({ asset: { params: [{ id: 'tenant_id', value: 'x' }] } });
  });
});

describe('requests actions', () => {
  it('approve POSTs the template id and effective date and returns the approved request', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest({ status: 'approved' }))]);

    // Act
    const result = await client.requests.approve('PR-1', {
      template_id: 'TL-602-118-330',
      effective_date: '2024-03-05T00:00:00+00:00',
    });

    // Assess
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.target).toBe('/requests/PR-1/approve');
    expect(calls[0]?.body).toEqual({
      template_id: 'TL-602-118-330',
      effective_date: '2024-03-05T00:00:00+00:00',
    });
    expect(result.status).toBe('approved');
  });

  it('approve with an activation tile', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest({ status: 'approved' }))]);

    // Act
    await client.requests.approve('PR-1', { activation_tile: '# Welcome' });

    // Assess
    expect(calls[0]?.body).toEqual({ activation_tile: '# Welcome' });
  });

  it('inquire sends {template_id} or {}', async () => {
    // Prepare
    const inquiring = buildFulfillmentRequest({ status: 'inquiring' });
    const { client, calls } = setup([json(inquiring), json(inquiring)]);

    // Act
    await client.requests.inquire('PR-1', { template_id: 'TL-900-100-200' });
    await client.requests.inquire('PR-1');

    // Assess
    expect(calls.map((call) => [call.target, call.body])).toEqual([
      ['/requests/PR-1/inquire', { template_id: 'TL-900-100-200' }],
      ['/requests/PR-1/inquire', {}],
    ]);
  });

  it('fail sends {reason}', async () => {
    // Prepare
    const { client, calls } = setup([
      json(buildFulfillmentRequest({ status: 'failed', reason: 'Out of stock' })),
    ]);

    // Act
    const result = await client.requests.fail('PR-1', 'Out of stock');

    // Assess
    expect(calls[0]?.target).toBe('/requests/PR-1/fail');
    expect(calls[0]?.body).toEqual({ reason: 'Out of stock' });
    expect(result.reason).toBe('Out of stock');
  });

  it('pend sends no body', async () => {
    // Prepare
    const { client, calls } = setup([json(buildFulfillmentRequest({ status: 'pending' }))]);

    // Act
    await client.requests.pend('PR-1');

    // Assess
    expect(calls[0]?.target).toBe('/requests/PR-1/pend');
    expect(calls[0]?.rawBody).toBeUndefined();
    expect(calls[0]?.headers.get('content-type')).toBeNull();
  });
});
