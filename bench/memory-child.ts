/**
 * Section 5's measured process (run by memory.ts with `--expose-gc`): the real purchase type function
 * (createTypeFunction from lib/lambda, its task record on the parent's dynalite, the real client on the
 * parent's emulator) runs N times in this one process, one invocation at a time, as in Lambda.
 * Each request is read (GET) just before its invocation. Heap and RSS are sampled after a forced GC; the results go back over IPC. Logs go to stdout (ignored).
 */
import { readFileSync } from 'node:fs';
import { TASK_DEFAULTS } from '../lib/config';
import { createConnectClient, type FulfillmentRequest } from '../lib/connect';
import { execute } from '../lib/engine';
import { createTypeFunction, type TypeFunctionDeps } from '../lib/lambda';
import { FULFILLMENT_REQUEST } from '../lib/object-classes';
import type { Scheduler } from '../lib/scheduler';
import { createTaskStore } from '../lib/tasks';
import { fakeLambdaContext } from '../test/support/lambda-context';
import { purchaseHandler } from './calls';
import { silentLogger } from './setup';

export type MemorySample = { executions: number; heapUsedBytes: number; rssBytes: number };
export type MemoryChildResult = {
  executions: number;
  seconds: number;
  samples: MemorySample[];
  maxRssBytes: number;
  outcomes: Record<string, number>;
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function sample(executions: number): MemorySample {
  globalThis.gc?.();
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { executions, heapUsedBytes: usage.heapUsed, rssBytes: usage.rss };
}

const lambdaContext = (index: number) =>
  fakeLambdaContext({
    functionName: 'connect-fulfillment-bench-purchase',
    requestId: `bench-${index}`,
    remainingMs: 120_000,
  });

async function main(): Promise<void> {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const executions = Number(required('BENCH_EXECUTIONS'));
  const sampleEvery = Number(required('BENCH_SAMPLE_EVERY'));
  const client = createConnectClient({
    apiUrl: required('CONNECT_API_URL'),
    apiKey: required('CONNECT_API_KEY'),
  });
  const table = required('TASKS_TABLE');
  // A purchase with its email and quantity approves: nothing is rescheduled, the scheduler is never called.
  const scheduler: Scheduler = {
    async at() {
      throw new Error('the memory bench schedules nothing');
    },
  };
  const deps: TypeFunctionDeps = {
    client,
    handlerFor: () => purchaseHandler as never,
    tasks: createTaskStore({ table, endpoint: process.env.DYNAMODB_ENDPOINT }),
    scheduler,
    settings: { table, ...TASK_DEFAULTS },
    functionPrefix: undefined,
  };
  const typeFunction = createTypeFunction({ deps: () => deps });
  // `function`: the whole Lambda handler; `executor`: the executor and client alone (no task record).
  const run =
    process.env.BENCH_SUBJECT === 'executor'
      ? (request: FulfillmentRequest) =>
          execute(FULFILLMENT_REQUEST, request, purchaseHandler, { client, logger: silentLogger })
      : (request: FulfillmentRequest, index: number) =>
          typeFunction(
            { objectClass: 'fulfillment_request', request, correlationId: `bench-${index}` },
            lambdaContext(index),
          );

  // The parent wrote the ids of the pending requests; each request is read (GET) just before its
  // invocation, as the router's payload would bring it, so only the function's own state stays on the heap.
  const ids = JSON.parse(readFileSync(required('BENCH_IDS_FILE'), 'utf8')) as string[];
  if (ids.length < executions) throw new Error(`only ${ids.length} pending of ${executions}`);

  const outcomes: Record<string, number> = {};
  const samples: MemorySample[] = [sample(0)];
  const started = performance.now();
  const lanes = 1;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < executions) {
      const index = next;
      next += 1;
      const request = await client.requests.get(ids[index] as string);
      const result = await run(request, index);
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
      if ((index + 1) % sampleEvery === 0) samples.push(sample(index + 1));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const seconds = (performance.now() - started) / 1000;
  const result: MemoryChildResult = {
    executions,
    seconds,
    samples,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    outcomes,
  };
  process.send?.(result);
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
