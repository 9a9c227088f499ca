/**
 * Section 1, `calls`: Connect calls per processed request for each outcome, through the real executor and
 * client, counted in the emulator's call log; and the listing cost per request for 1,000 pending.
 */
import type { EmulatorHandle } from '../emulator';
import { createPurchaseHandler } from '../functions/automation/purchase';
import { type FulfillmentHandler, Skip } from '../lib/automation';
import { listPending } from '../lib/dispatch';
import { execute } from '../lib/engine';
import { FULFILLMENT_REQUEST } from '../lib/object-classes';
import { apiCalls, benchClient, PRODUCT_ID, type PurchaseShape, seedPurchases, silentLogger } from './setup';
import { round } from './stats';

export type CallsCase = {
  outcome: string;
  /** Connect calls per processed request (average over the sample). */
  callsPerRequest: number;
  /** The calls of one request, as the emulator saw them. */
  example: string[];
  goal?: number;
  meetsGoal?: boolean;
};

export type CallsResult = {
  cases: CallsCase[];
  listing: {
    pending: number;
    listCalls: number;
    listCallsPerRequest: number;
    goal: number;
    meetsGoal: boolean;
  };
};

/** The seed's purchase logic with a provisioner answering at once. */
export const purchaseHandler: FulfillmentHandler = createPurchaseHandler({
  provisioner: { provision: async (request) => ({ activationKey: `KEY-${request.id}` }) },
  activationTemplates: () => undefined,
});

const skipHandler: FulfillmentHandler = async () => {
  throw new Skip('Waiting for the vendor to confirm the order');
};
const silentSkipHandler: FulfillmentHandler = async () => {
  throw new Skip();
};

type Scenario = { outcome: string; shape: PurchaseShape; handler: FulfillmentHandler; goal?: number };

const SCENARIOS: Scenario[] = [
  { outcome: 'approve, 1 param updated', shape: {}, handler: purchaseHandler, goal: 2 },
  {
    outcome: 'approve (nothing to update)',
    shape: { activationKey: 'KEY-1' },
    handler: purchaseHandler,
    goal: 1,
  },
  { outcome: 'inquire (value_error set)', shape: { email: false }, handler: purchaseHandler, goal: 2 },
  { outcome: 'fail', shape: { quantity: 2_000_000 }, handler: purchaseHandler, goal: 1 },
  { outcome: 'skip with a message', shape: {}, handler: skipHandler, goal: 2 },
  { outcome: 'skip without a message', shape: {}, handler: silentSkipHandler, goal: 0 },
];

export async function measureCalls(
  emulator: EmulatorHandle,
  options: { sample: number },
): Promise<CallsResult> {
  const client = benchClient(emulator);
  const cases: CallsCase[] = [];
  for (const scenario of SCENARIOS) {
    const requests = seedPurchases(emulator, options.sample, scenario.shape);
    const perRequest: string[][] = [];
    for (const request of requests) {
      const before = apiCalls(emulator).length;
      await execute(FULFILLMENT_REQUEST, request, scenario.handler, { client, logger: silentLogger });
      perRequest.push(apiCalls(emulator).slice(before));
    }
    const total = perRequest.reduce((sum, calls) => sum + calls.length, 0);
    const callsPerRequest = round(total / requests.length, 3);
    cases.push({
      outcome: scenario.outcome,
      callsPerRequest,
      example: perRequest[0] ?? [],
      ...(scenario.goal === undefined
        ? {}
        : { goal: scenario.goal, meetsGoal: callsPerRequest <= scenario.goal }),
    });
  }

  const pending = 1000;
  seedPurchases(emulator, pending);
  const listed = await listPending(client, FULFILLMENT_REQUEST, PRODUCT_ID);
  if (listed.length !== pending) throw new Error(`listPending found ${listed.length} of ${pending}`);
  const listCalls = apiCalls(emulator).filter(
    (call) => call.startsWith('GET ') && call.includes('/requests'),
  );
  const listCallsPerRequest = round(listCalls.length / pending, 4);
  return {
    cases,
    listing: {
      pending,
      listCalls: listCalls.length,
      listCallsPerRequest,
      goal: 0.01,
      meetsGoal: listCallsPerRequest <= 0.01,
    },
  };
}
