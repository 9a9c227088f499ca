import { describe, expect, it } from 'vitest';
import {
  approveWithTemplate,
  approveWithTile,
  Fail,
  type FulfillmentHandler,
  Inquire,
  Park,
  Reschedule,
  Skip,
} from '../../../lib/automation';
import { ConnectServerError, ConnectValidationError } from '../../../lib/connect';
import { execute } from '../../../lib/engine';
import { FULFILLMENT_REQUEST } from '../../../lib/object-classes';
import { fulfillmentRequest } from '../../support/builders';
import { FakeConnectClient } from '../../support/fake-connect-client';
import { RecordingLogger } from '../../support/recording-logger';

const ID = 'PR-4412-0097-3381-001';

function setup(overrides: Parameters<typeof fulfillmentRequest>[0] = {}) {
  const request = fulfillmentRequest(overrides);
  const client = new FakeConnectClient({ requests: [request] });
  const logger = new RecordingLogger();
  let now = 1_000;
  const clock = () => {
    now += 5;
    return now;
  };
  return { request, client, logger, deps: { client, logger, clock } };
}

describe('execute: approve', () => {
  it('posts approve {template_id} when the handler returns approveWithTemplate', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => approveWithTemplate('TL-111-222-333'),
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.approve', id: ID, body: { template_id: 'TL-111-222-333' } },
    ]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'approved',
      detail: 'template TL-111-222-333',
      calls: [`POST /requests/${ID}/approve`],
    });
    expect(client.fulfillment.get(ID)?.status).toBe('approved');
  });

  it('posts approve {activation_tile} when the handler returns approveWithTile', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      async () => approveWithTile('# Welcome'),
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.approve', id: ID, body: { activation_tile: '# Welcome' } },
    ]);
    expect(result.outcome).toBe('approved');
  });

  it('approves with the tile "Activation succeeded" when the handler returns nothing', async () => {
    // Prepare
    const { request, client, deps } = setup();
    const handler: FulfillmentHandler = async () => {};

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, handler, deps);

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.approve', id: ID, body: { activation_tile: 'Activation succeeded' } },
    ]);
    expect(result).toMatchObject({ outcome: 'approved', detail: 'tile' });
  });

  it('throws on an outcome it does not know, without any call', async () => {
    // Prepare
    const { request, client, deps } = setup();
    const handler = (() => ({
      kind: 'approve-tier-with-template',
      templateId: 'TL-1',
    })) as unknown as FulfillmentHandler;

    // Act
    const run = execute(FULFILLMENT_REQUEST, request, handler, deps);

    // Assess
    await expect(run).rejects.toThrow('Handler returned an unknown outcome: approve-tier-with-template');
    expect(client.calls).toEqual([]);
  });
});

describe('execute: inquire', () => {
  it('PUTs only the params whose value_error changes, then posts inquire {}', async () => {
    // Prepare
    const { request, client, deps } = setup({
      params: [
        { id: 'email', value: '', value_error: '' },
        { id: 'phone', value: '', value_error: 'Already asked' },
      ],
    });
    const handler: FulfillmentHandler = () => {
      throw new Inquire({ email: 'Please provide an email', phone: 'Already asked' });
    };

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, handler, deps);

    // Assess
    expect(client.calls).toEqual([
      {
        op: 'requests.updateParams',
        id: ID,
        body: { params: [{ id: 'email', value_error: 'Please provide an email' }] },
      },
      { op: 'requests.inquire', id: ID, body: {} },
    ]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'inquired',
      detail: 'params email',
      calls: [`PUT /requests/${ID}`, `POST /requests/${ID}/inquire`],
    });
  });

  it('posts inquire {template_id} when the Inquire names a template', async () => {
    // Prepare
    const { request, client, deps } = setup({ params: [{ id: 'email', value: '' }] });
    const handler: FulfillmentHandler = () => {
      throw new Inquire([{ id: 'email', value_error: 'Missing' }], { templateId: 'TL-INQ-0001' });
    };

    // Act
    await execute(FULFILLMENT_REQUEST, request, handler, deps);

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.updateParams', id: ID, body: { params: [{ id: 'email', value_error: 'Missing' }] } },
      { op: 'requests.inquire', id: ID, body: { template_id: 'TL-INQ-0001' } },
    ]);
  });

  it('posts inquire without a PUT when every value_error is already set', async () => {
    // Prepare
    const { request, client, deps } = setup({ params: [{ id: 'email', value: '', value_error: 'Missing' }] });

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Inquire({ email: 'Missing' });
      },
      deps,
    );

    // Assess
    expect(client.ops()).toEqual([`requests.inquire ${ID}`]);
    expect(result.detail).toBe('params (none changed)');
  });
});

describe('execute: fail', () => {
  it('posts fail {reason}', async () => {
    // Prepare
    const { request, client, deps } = setup();

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Fail('Not available in your region');
      },
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'requests.fail', id: ID, body: { reason: 'Not available in your region' } },
    ]);
    expect(result).toMatchObject({ outcome: 'failed', detail: 'Not available in your region' });
  });
});

describe('execute: skip', () => {
  it('posts the message to the request conversation and changes no status', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.addConversation(ID, 'CO-000-000-001');

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Skip('Waiting for the vendor system');
      },
      deps,
    );

    // Assess
    expect(client.calls).toEqual([
      { op: 'conversations.findByInstanceId', id: ID },
      {
        op: 'conversations.postMessage',
        id: 'CO-000-000-001',
        body: { text: 'Waiting for the vendor system' },
      },
    ]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'skipped',
      detail: 'Waiting for the vendor system',
      calls: [`GET /conversations?instance_id=${ID}`, 'POST /conversations/CO-000-000-001/messages'],
    });
    expect(client.fulfillment.get(ID)?.status).toBe('pending');
  });

  it('makes no call at all when the Skip has no message', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.addConversation(ID);

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Skip();
      },
      deps,
    );

    // Assess
    expect(client.calls).toEqual([]);
    expect(result).toEqual({ requestId: ID, outcome: 'skipped', calls: [] });
  });

  it('cuts a long message to 540 characters', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.addConversation(ID);
    const long = `${'x'.repeat(600)}END`;

    // Act
    await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Skip(long);
      },
      deps,
    );

    // Assess
    const posted = client.messages[0]?.text ?? '';
    expect(posted).toHaveLength(540);
    expect(posted.startsWith('x'.repeat(539))).toBe(true);
    expect(posted.endsWith('…')).toBe(true);
  });

  it('posts nothing and logs a warning when the request has no conversation', async () => {
    // Prepare
    const { request, client, logger, deps } = setup();

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Skip('Later');
      },
      deps,
    );

    // Assess
    expect(client.ops()).toEqual([`conversations.findByInstanceId ${ID}`]);
    expect(result.outcome).toBe('skipped');
    expect(logger.at('warn').map((entry) => entry.message)).toEqual([
      'Skipped: no conversation found for the request, message not posted',
    ]);
  });

  it('still skips when posting the message fails', async () => {
    // Prepare
    const { request, client, logger, deps } = setup();
    client.addConversation(ID);
    client.failNext(
      'conversations.postMessage',
      new ConnectServerError({ method: 'POST', path: '/x', status: 503 }),
    );

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Skip('Later');
      },
      deps,
    );

    // Assess
    expect(result.outcome).toBe('skipped');
    expect(logger.at('warn')[0]?.message).toBe('Skipped: could not post the message to the conversation');
  });
});

describe('execute: errors and state', () => {
  it('rethrows any other error and logs only its name and message', async () => {
    // Prepare
    const { request, client, logger, deps } = setup();
    const boom = new RangeError('vendor system down');

    // Act
    const run = execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw boom;
      },
      deps,
    );

    // Assess
    await expect(run).rejects.toBe(boom);
    expect(client.calls).toEqual([]);
    const [line] = logger.at('error');
    expect(line?.message).toBe('Handler failed');
    expect(line?.attributes.error).toEqual({ name: 'RangeError', message: 'vendor system down' });
    expect(logger.text()).not.toContain('buyer@example.com');
    expect(logger.text()).not.toContain('stack');
  });

  it('does nothing for a request that is not pending', async () => {
    // Prepare
    const { request, client, deps } = setup({ status: 'inquiring' });
    let ran = false;

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        ran = true;
      },
      deps,
    );

    // Assess
    expect(result).toEqual({ requestId: ID, outcome: 'skipped', detail: 'not pending', calls: [] });
    expect(ran).toBe(false);
    expect(client.calls).toEqual([]);
  });

  it('rethrows a Connect 5xx on the action (left to Lambda retries)', async () => {
    // Prepare
    const { request, client, deps } = setup();
    const unavailable = new ConnectServerError({
      method: 'POST',
      path: `/requests/${ID}/approve`,
      status: 503,
    });
    client.failNext('requests.approve', unavailable);

    // Act
    const run = execute(FULFILLMENT_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    await expect(run).rejects.toBe(unavailable);
    expect(client.ops()).toEqual([`requests.approve ${ID}`]);
  });

  it('never changes the request object it was given', async () => {
    // Prepare
    const { request, deps } = setup({ params: [{ id: 'email', value: '' }] });
    const before = structuredClone(request);

    // Act
    await execute(
      FULFILLMENT_REQUEST,
      request,
      async (_request, ctx) => {
        await ctx.updateParameters([{ id: 'email', value: 'new@example.com' }]);
      },
      deps,
    );

    // Assess
    expect(request).toEqual(before);
  });
});

describe('execute: an action refused because the request moved on', () => {
  it('treats a refused approve as success when the request is already approved', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.fulfillment.set(ID, { ...request, status: 'approved' });

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    expect(client.ops()).toEqual([`requests.approve ${ID}`, `requests.get ${ID}`]);
    expect(result).toEqual({
      requestId: ID,
      outcome: 'approved',
      detail: 'already-approved',
      calls: [`POST /requests/${ID}/approve`, `GET /requests/${ID}`],
    });
  });

  it('treats a refused inquire as success when the request is already inquiring', async () => {
    // Prepare
    const { request, client, deps } = setup({ params: [{ id: 'email', value: '' }] });
    client.failNext(
      'requests.inquire',
      new ConnectValidationError({ method: 'POST', path: '/x', status: 400 }),
    );
    client.fulfillment.set(ID, { ...request, status: 'inquiring' });

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Inquire({ email: 'Missing' });
      },
      deps,
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'inquired', detail: 'already-inquiring' });
  });

  it('treats a refused fail as success when the request is already failed', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.fulfillment.set(ID, { ...request, status: 'failed' });

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Fail('No');
      },
      deps,
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', detail: 'already-failed' });
  });

  it('skips with a warning when the request moved on to another state', async () => {
    // Prepare
    const { request, client, logger, deps } = setup();
    client.fulfillment.set(ID, { ...request, status: 'failed' });

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    expect(client.ops()).toEqual([`requests.approve ${ID}`, `requests.get ${ID}`]);
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'moved on: failed' });
    expect(logger.at('warn')[0]?.attributes).toMatchObject({ status: 'failed' });
  });

  it('skips when the request is gone (not found on the action and on the re-read)', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.fulfillment.delete(ID);

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, () => approveWithTemplate('TL-1'), deps);

    // Assess
    expect(client.ops()).toEqual([`requests.approve ${ID}`, `requests.get ${ID}`]);
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'request not found' });
  });

  it('parks the request when the refusal is real (still pending): a permanent error, never sent again', async () => {
    // Prepare
    const { request, client, deps, logger } = setup();
    const refusal = new ConnectValidationError({
      method: 'POST',
      path: `/requests/${ID}/approve`,
      status: 400,
      errorCode: 'VAL_001',
      errors: ['Template not found.'],
    });
    client.failNext('requests.approve', refusal);

    // Act
    const result = await execute(FULFILLMENT_REQUEST, request, () => approveWithTemplate('TL-BAD'), deps);

    // Assess
    expect(result).toMatchObject({
      outcome: 'parked',
      reason: 'Connect refused the approve action: Template not found. (VAL_001)',
      error: { code: 'VAL_001', message: 'Template not found.' },
    });
    expect(client.ops()).toEqual([`requests.approve ${ID}`, `requests.get ${ID}`]);
    expect(logger.at('warn').map((line) => line.message)).toEqual([
      'Connect refused a write on a pending request: it is parked',
    ]);
    expect(logger.at('error')).toEqual([]);
  });

  it('parks a purchase whose parameter update Connect refuses (a product without the parameter)', async () => {
    // Prepare
    const { request, client, deps } = setup();
    client.failNext(
      'requests.updateParams',
      new ConnectValidationError({
        method: 'PUT',
        path: `/requests/${ID}`,
        status: 400,
        errorCode: 'VAL_001',
        errors: ['Parameter email does not exist'],
      }),
    );

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      async () => {
        throw new Inquire({ email: 'Please provide it' });
      },
      deps,
    );

    // Assess: nothing after the refused PUT but the re-read; no inquire.
    expect(result).toMatchObject({
      outcome: 'parked',
      reason: 'Connect refused the parameter update: Parameter email does not exist (VAL_001)',
    });
    expect(client.ops()).toEqual([`requests.updateParams ${ID}`, `requests.get ${ID}`]);
  });

  it('reschedules without a call, and parks without a call, when the handler says so', async () => {
    const { request, client, deps } = setup();

    const later = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Reschedule(45);
      },
      deps,
    );
    const stop = await execute(
      FULFILLMENT_REQUEST,
      request,
      () => {
        throw new Park('the product has no parameter `email`');
      },
      deps,
    );

    expect(later).toMatchObject({ outcome: 'rescheduled', rescheduleSeconds: 45 });
    expect(stop).toMatchObject({ outcome: 'parked', reason: 'the product has no parameter `email`' });
    expect(client.calls).toEqual([]);
  });

  it('skips when a parameter update inside the handler is refused because the request moved on', async () => {
    // Prepare
    const { request, client, deps } = setup({ params: [{ id: 'email', value: '' }] });
    client.failNext(
      'requests.updateParams',
      new ConnectValidationError({ method: 'PUT', path: '/x', status: 400 }),
    );
    client.fulfillment.set(ID, { ...request, status: 'approved' });

    // Act
    const result = await execute(
      FULFILLMENT_REQUEST,
      request,
      async (_request, ctx) => {
        await ctx.updateParameters([{ id: 'email', value: 'a@b.c' }]);
      },
      deps,
    );

    // Assess
    expect(client.ops()).toEqual([`requests.updateParams ${ID}`, `requests.get ${ID}`]);
    expect(result).toMatchObject({ outcome: 'skipped', detail: 'moved on: approved' });
  });
});
