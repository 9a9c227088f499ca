/**
 * Duplicate storm: the same webhook (same body, same token) delivered 20 times at once with 200 requests
 * pending: 20 dispatches race over 200 requests, and still exactly one successful terminal action per
 * request; the task records show one type-function invocation each (a duplicate costs none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allLogLines,
  bootStack,
  type DriveResult,
  deliverWebhook,
  driveUntilSettled,
  envelope,
  leakingLines,
  type Seeded,
  type StackRun,
  secretsOf,
  seedMixed,
  signToken,
  wrongTerminalActions,
} from './support';

const PRODUCT = 'PRD-276-377-545';
const PENDING = 200;
const DELIVERIES = 20;
/** Every fulfillment request kind of the product: purchases (approve, inquire, fail) and the other types. */
const KINDS = [
  'purchase-approved-template',
  'purchase-fail-quantity',
  'purchase-inquire-missing-email',
  'change-items',
  'suspend',
  'resume',
  'cancel',
  'adjustment',
  'renew-unsupported',
];

describe('duplicate storm', () => {
  let run: StackRun;
  let seeded: Seeded[];
  let answers: Array<{ status: number; text: string }>;
  let result: DriveResult;
  let attempts: Map<string, number>;

  beforeAll(async () => {
    run = await bootStack({ CONNECT_PRODUCTS: PRODUCT });
    seeded = await seedMixed(run.stack, PENDING, KINDS);
    const payload = JSON.stringify(envelope(PRODUCT, 'fulfillment_request', run.stack.apiUrl));
    const headers = { authorization: `Bearer ${await signToken(run.stack.webhookSecret)}` };
    const started = Date.now();
    answers = await Promise.all(
      Array.from({ length: DELIVERIES }, () => deliverWebhook(run.stack, payload, headers)),
    );
    // No sweep while the storm is processed: the deliveries alone must settle every request.
    result = await driveUntilSettled(run, seeded, {
      timeoutMs: 120_000,
      quietMs: 30_000,
      sweepEveryMs: 120_000,
    });
    // Each claim is one invocation of a type function: the record counts them.
    attempts = new Map((await run.stack.tasks.list()).map((record) => [record.id, record.attempts]));
    const dispatched = [...attempts.values()].reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      `\nduplicate storm: ${DELIVERIES} concurrent deliveries, ${seeded.length} pending, ${dispatched} invocations, ` +
        `${(Date.now() - started) / 1000} s\n`,
    );
  }, 240_000);

  afterAll(async () => {
    await run?.stop();
  });

  it('accepts every delivery', () => {
    expect(answers.map((answer) => answer.status)).toEqual(Array(DELIVERIES).fill(202));
  });

  it('brings every request to its expected status', () => {
    expect(result.unsettled.map((request) => `${request.id} ${request.kind}`)).toEqual([]);
  });

  it('makes exactly one successful terminal action per request', () => {
    expect(wrongTerminalActions(seeded, run.stack.emulator.calls())).toEqual([]);
  });

  it('invokes one type function per request: the duplicate deliveries cost no invocation', () => {
    expect(seeded.filter((request) => attempts.get(request.id) !== 1).map((request) => request.id)).toEqual(
      [],
    );
  });

  it('logs no API key, webhook secret or bearer token', () => {
    expect(leakingLines(allLogLines(run), secretsOf(run.stack))).toEqual([]);
  });
});
