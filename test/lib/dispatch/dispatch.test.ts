import { describe, expect, it } from 'vitest';
import type { ConnectClient } from '../../../lib/connect';
import {
  createDispatcher,
  type DispatchPayload,
  type DispatchRequest,
  type Invoker,
} from '../../../lib/dispatch';
import type { Logger } from '../../../lib/observability';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { fakeConnectClient, fakeLogger, TABLE } from './fakes';

/** One dispatch through a dispatcher built for it (concurrency 8 unless given). */
async function dispatchPending(
  options: DispatchRequest & {
    client: ConnectClient;
    invoker: Invoker;
    logger: Logger;
    concurrency?: number;
  },
) {
  const dispatcher = createDispatcher({
    ...options,
    automation: TABLE,
    concurrency: options.concurrency ?? 8,
  });
  return dispatcher.dispatch(options);
}

/** An invoker that records calls and in-flight counts; each call settles after a few event-loop turns. */
function recordingInvoker(options: { failFor?: (payload: DispatchPayload) => boolean } = {}) {
  const calls: { functionName: string; payload: DispatchPayload }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const invoker: Invoker = {
    async invoke(functionName, payload) {
      const typed = payload as DispatchPayload;
      calls.push({ functionName, payload: typed });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        if (options.failFor?.(typed)) throw new Error('ServiceException');
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { invoker, calls, maxInFlight: () => maxInFlight };
}

describe('the dispatcher', () => {
  it('invokes one function per pending request and summarises per function', async () => {
    // Prepare
    const { client } = fakeConnectClient({
      requests: [
        fulfillmentRequest({ id: 'PR-1', type: 'purchase' }),
        fulfillmentRequest({ id: 'PR-2', type: 'purchase' }),
        fulfillmentRequest({ id: 'PR-3', type: 'cancel' }),
        fulfillmentRequest({ id: 'PR-4', type: 'renew' }),
      ],
    });
    const { invoker, calls } = recordingInvoker();
    const { logger } = fakeLogger();

    // Act
    const summary = await dispatchPending({
      client,
      invoker,
      logger,
      productId: 'PRD-000-000-001',
      objectClass: 'fulfillment_request',
      correlationId: 'corr-1',
      webhookId: 'WH-1',
    });

    // Assess
    expect(summary).toEqual({
      productId: 'PRD-000-000-001',
      objectClass: 'fulfillment_request',
      listed: 4,
      dispatched: { purchase: 2, cancel: 1, unsupported: 1 },
      failed: 0,
    });
    expect(calls.map((call) => call.functionName).sort()).toEqual([
      'cancel',
      'purchase',
      'purchase',
      'unsupported',
    ]);
    expect(calls[0]?.payload).toEqual({
      objectClass: 'fulfillment_request',
      request: fulfillmentRequest({ id: 'PR-1', type: 'purchase' }),
      correlationId: 'corr-1',
      webhookId: 'WH-1',
      listedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('sends tier config requests to tier-config and omits an absent webhook id', async () => {
    const { client } = fakeConnectClient({ tierConfigRequests: [tierConfigRequest({ id: 'TCR-1' })] });
    const { invoker, calls } = recordingInvoker();

    const summary = await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-000-000-001',
      objectClass: 'tier_config_request',
      correlationId: 'sweep-1',
    });

    expect(summary.dispatched).toEqual({ 'tier-config': 1 });
    expect(calls[0]?.payload).toEqual({
      objectClass: 'tier_config_request',
      request: tierConfigRequest({ id: 'TCR-1' }),
      correlationId: 'sweep-1',
      listedAt: expect.any(String),
    });
  });

  it.each([1, 3, 8])('keeps at most %i invocations in flight', async (concurrency) => {
    // Prepare
    const requests = Array.from({ length: 25 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client } = fakeConnectClient({ requests, pageSize: 10 });
    const { invoker, calls, maxInFlight } = recordingInvoker();

    // Act
    await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      concurrency,
    });

    // Assess
    expect(calls).toHaveLength(25);
    expect(maxInFlight()).toBe(concurrency);
  });

  it('counts and logs a failed invoke without aborting the others', async () => {
    // Prepare
    const requests = Array.from({ length: 6 }, (_, i) => fulfillmentRequest({ id: `PR-${i}` }));
    const { client } = fakeConnectClient({ requests });
    const { invoker, calls } = recordingInvoker({ failFor: (payload) => payload.request.id === 'PR-2' });
    const { logger, entries } = fakeLogger();

    // Act
    const summary = await dispatchPending({
      client,
      invoker,
      logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
      concurrency: 2,
    });

    // Assess
    expect(calls).toHaveLength(6);
    expect(summary).toMatchObject({ listed: 6, dispatched: { purchase: 5 }, failed: 1 });
    const errors = entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extra[0]).toMatchObject({ request_id: 'PR-2', function: 'purchase' });
  });

  it('returns an empty summary when nothing is pending', async () => {
    const { client } = fakeConnectClient({});
    const { invoker, calls } = recordingInvoker();

    const summary = await dispatchPending({
      client,
      invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    expect(summary).toEqual({
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      listed: 0,
      dispatched: {},
      failed: 0,
    });
    expect(calls).toHaveLength(0);
  });

  it('lets a listing failure propagate', async () => {
    const { client } = fakeConnectClient({});
    client.requests.list = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('Connect down')) }),
    });

    const result = dispatchPending({
      client,
      invoker: recordingInvoker().invoker,
      logger: fakeLogger().logger,
      productId: 'PRD-1',
      objectClass: 'fulfillment_request',
      correlationId: 'c',
    });

    await expect(result).rejects.toThrow('Connect down');
  });

  it.each([0, -1, 1.5])('refuses concurrency %s', async (concurrency) => {
    const { client } = fakeConnectClient({});

    await expect(
      dispatchPending({
        client,
        invoker: recordingInvoker().invoker,
        logger: fakeLogger().logger,
        productId: 'PRD-1',
        objectClass: 'fulfillment_request',
        correlationId: 'c',
        concurrency,
      }),
    ).rejects.toThrow(RangeError);
  });
});
