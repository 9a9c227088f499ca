/**
 * Rate limits: half of all Connect calls answer 429 with `Retry-After: 1`. Every request still completes,
 * none is failed because of a 429, and the client waits at least the second Connect asked for before it
 * calls again (from the retry log lines and from the emulator's own log of each call, with its timing).
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
  retriedLines,
  type Seeded,
  type StackRun,
  sampleProducts,
  secretsOf,
  seedMixed,
  signToken,
  wrongTerminalActions,
} from './support';

const REQUESTS = 65;
const FAULTS = { rateLimitRate: 0.5, seed: 429 };

type LoggedCall = { method: string; path: string; status: number; startedAt: number; endedAt: number };

describe('rate limits', () => {
  let run: StackRun;
  let seeded: Seeded[];
  let result: DriveResult;
  let mark: number;

  beforeAll(async () => {
    const products = await sampleProducts();
    run = await bootStack({ CONNECT_PRODUCTS: products.join(',') });
    seeded = await seedMixed(run.stack, REQUESTS);
    mark = run.stack.emulator.calls().length;
    run.emulatorLogs.length = 0;
    run.stack.emulator.setFaults(FAULTS);
    // No emulator webhook: one delivery per product and object class, then sweeps only when all is quiet,
    // so that no two invocations work on the same request at once and each 429 has one follow-up call.
    const headers = { authorization: `Bearer ${await signToken(run.stack.webhookSecret)}` };
    for (const productId of products) {
      for (const objectClass of ['tier_config_request', 'fulfillment_request']) {
        await deliverWebhook(
          run.stack,
          JSON.stringify(envelope(productId, objectClass, run.stack.apiUrl)),
          headers,
        );
      }
    }
    result = await driveUntilSettled(run, seeded, {
      timeoutMs: 150_000,
      quietMs: 3_000,
      sweepEveryMs: 150_000,
    });
    const { injected } = (await (await fetch(`${run.stack.emulator.origin}/__emulator/faults`)).json()) as {
      injected: unknown;
    };
    process.stdout.write(
      `\nrate limits: ${seeded.length} requests, injected ${JSON.stringify(injected)}, ${retriedLines(run).length} retries, ` +
        `${result.sweeps} sweeps, ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  }, 240_000);

  afterAll(async () => {
    await run?.stop();
  });

  it('completes every request', () => {
    expect(result.unsettled.map((request) => `${request.id} ${request.kind} `)).toEqual([]);
  });

  it('fails none because of a 429: exactly the expected terminal action per request', () => {
    expect(wrongTerminalActions(seeded, run.stack.emulator.calls().slice(mark))).toEqual([]);
  });

  it('honours Retry-After: every retry after a 429 waits at least 1 s', () => {
    // From the client's own retry log lines.
    const rateLimited = retriedLines(run).filter((line) => line.reason === 'rate limited (429)');
    expect(rateLimited.length).toBeGreaterThan(20);
    expect(rateLimited.filter((line) => Number(line.delayMs) < 1_000)).toEqual([]);

    // From the emulator's log: the next call on the same request path starts >= 1 s after the 429 answered.
    const calls: LoggedCall[] = run.emulatorLogs.flatMap(({ at, line }) => {
      const match = /^(GET|PUT|POST) (\S+) (\d+) (\d+)ms$/.exec(line);
      if (!match) return [];
      const [, method, path, status, ms] = match as unknown as [string, string, string, string, string];
      return [{ method, path, status: Number(status), startedAt: at - Number(ms), endedAt: at }];
    });
    const gaps: number[] = [];
    calls.forEach((call, index) => {
      if (call.status !== 429 || !/\/(PR|TCR)-/.test(call.path)) return;
      const next = calls
        .slice(index + 1)
        .find((later) => later.method === call.method && later.path === call.path);
      if (next) gaps.push(next.startedAt - call.endedAt);
    });
    process.stdout.write(
      `rate limits: ${gaps.length} follow-up calls after a 429, shortest wait ${Math.min(...gaps)} ms\n`,
    );
    expect(gaps.length).toBeGreaterThan(20);
    // 20 ms of slack for the log's whole-millisecond durations.
    expect(gaps.filter((gap) => gap < 980)).toEqual([]);
  });

  it('logs no API key, webhook secret or bearer token', () => {
    expect(leakingLines(allLogLines(run), secretsOf(run.stack))).toEqual([]);
  });
});
