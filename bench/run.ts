/**
 * `npm run bench [-- --quick] [-- --only=calls,throughput,router,bundles,memory,validate,cpu] [-- --sls]`
 *
 * Runs the benchmark sections on loopback against the in-process emulator (0 ms and 5 ms of injected
 * latency), prints a table per section and writes bench/results.json. `--quick` shrinks every sample to fit
 * in under a minute (the numbers are noisier); `--sls` measures the bundles of a previous `npm run package`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { version } from '../package.json';
import { measureAwsModel } from './aws-model';
import { measureBundles } from './bundles';
import { measureCalls } from './calls';
import { measureCpu } from './cpu';
import { measureEndToEnd } from './end-to-end';
import { measureMemory } from './memory';
import { measureRouter } from './router';
import { startBenchEmulator } from './setup';
import { formatTable } from './stats';
import { measureThroughput } from './throughput';
import { measureValidate } from './validate';

const SECTIONS = [
  'calls',
  'throughput',
  'router',
  'endToEnd',
  'awsModel',
  'bundles',
  'memory',
  'validate',
  'cpu',
] as const;
type Section = (typeof SECTIONS)[number];

type Args = { quick: boolean; sls: boolean; only: Set<Section>; out: string };

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    sls: false,
    only: new Set(SECTIONS),
    out: path.resolve(__dirname, 'results.json'),
  };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--sls') args.sls = true;
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',');
      for (const name of wanted) {
        if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}`);
      }
      args.only = new Set(wanted as Section[]);
    } else if (arg.startsWith('--out=')) args.out = path.resolve(arg.slice('--out='.length));
    else throw new Error(`unknown argument ${arg} (known: --quick, --sls, --only=a,b, --out=file)`);
  }
  return args;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const yes = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : 'NO');
const log = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size = args.quick
    ? {
        calls: 5,
        throughput: 300,
        rounds: 1,
        routerAnswers: 300,
        routerRounds: 3,
        dispatchPendings: [1000],
        bundleRuns: 3,
        memExecutor: 1000,
        memFunction: 300,
        validate: 300,
        validateStack: 30,
        cpuRequests: 200,
        cpuWarmUp: 50,
        cpuRuns: 1,
        oneRequestRuns: 3,
        // A full run's burst is 500; the floors follow the size.
        burst: 200,
      }
    : {
        calls: 20,
        throughput: 2000,
        rounds: 3,
        routerAnswers: 2000,
        routerRounds: 5,
        dispatchPendings: [1000, 10_000],
        bundleRuns: 15,
        memExecutor: 10_000,
        memFunction: 2000,
        validate: 3000,
        validateStack: 200,
        cpuRequests: 1000,
        cpuWarmUp: 200,
        cpuRuns: 3,
        oneRequestRuns: 10,
        burst: 500,
      };
  const results: Record<string, unknown> = {
    meta: {
      product: version,
      date: new Date().toISOString(),
      quick: args.quick,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      // Other work on the machine skews every timing: read the numbers against it.
      loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    },
  };
  const startedAt = performance.now();
  const emulator = await startBenchEmulator();
  try {
    if (args.only.has('calls')) {
      log('\n== calls: Connect calls per processed request (real executor + client, emulator call log)');
      const calls = await measureCalls(emulator, { sample: size.calls });
      results.calls = calls;
      log(
        formatTable([
          ['outcome', 'calls/request', 'goal', 'ok', 'calls'],
          ...calls.cases.map((c) => [
            c.outcome,
            String(c.callsPerRequest),
            c.goal === undefined ? '' : `<= ${c.goal}`,
            yes(c.meetsGoal),
            c.example
              .map((call) => call.replace(/\/public\/v1/, '').replace(/[A-Z]{2}-[\d-]+/g, ':id'))
              .join(', '),
          ]),
          [
            `list ${calls.listing.pending} pending`,
            String(calls.listing.listCallsPerRequest),
            `<= ${calls.listing.goal}`,
            yes(calls.listing.meetsGoal),
            `${calls.listing.listCalls} GET /requests`,
          ],
        ]),
      );
    }

    if (args.only.has('throughput')) {
      log(
        `\n== throughput: pending purchases, PUT param + approve (best of ${size.rounds} interleaved rounds)`,
      );
      const throughput = await measureThroughput(emulator, {
        // Latency-bound at 5 ms and one at a time (≥ 10 ms a request whatever the client): fewer requests.
        requests: (latencyMs, concurrency) =>
          latencyMs > 0 && concurrency === 1 ? Math.round(size.throughput / 4) : size.throughput,
        latencies: [0, 5],
        concurrencies: [1, 16],
        rounds: size.rounds,
      });
      results.throughput = throughput;
      log(
        formatTable([
          [
            'latency',
            'conc.',
            'requests',
            'executor req/s',
            'fetch req/s',
            'sdk req/s',
            'time vs fetch',
            'req/s vs sdk',
            'CPU vs fetch / sdk',
            'ok',
          ],
          ...throughput.ratios.map((r) => {
            const rps = (variant: string) =>
              String(
                throughput.runs.find(
                  (run) =>
                    run.variant === variant &&
                    run.latencyMs === r.latencyMs &&
                    run.concurrency === r.concurrency,
                )?.requestsPerSecond,
              );
            return [
              `${r.latencyMs} ms`,
              String(r.concurrency),
              String(
                throughput.runs.find(
                  (run) => run.latencyMs === r.latencyMs && run.concurrency === r.concurrency,
                )?.requests,
              ),
              rps('executor'),
              rps('fetch'),
              rps('sdk'),
              `${r.executorTimeOverFetch}x (<= 1.15)`,
              `${r.executorThroughputOverSdk}x (>= 1.5)`,
              `${r.executorCpuOverFetch}x / ${r.executorCpuOverSdk}x`,
              yes(r.meetsGoals),
            ];
          }),
        ]),
      );
    }

    if (args.only.has('router')) {
      log("\n== router: the webhook's answer against the queue's depth, and the dispatch behind it");
      const router = await measureRouter(emulator, {
        pendings: [0, 1000, 10_000],
        iterations: size.routerAnswers,
        rounds: size.routerRounds,
        dispatchLatencyMs: 5,
        dispatchPendings: size.dispatchPendings,
      });
      results.router = router;
      log(
        formatTable([
          ['pending', 'answers', 'answer p50 ms', 'answer p99 ms (median of rounds)', 'p99 of each round'],
          ...router.cases.map((c) => [
            String(c.pending),
            `${c.rounds} x ${c.iterations}`,
            String(c.p50Ms),
            String(c.p99Ms),
            c.roundP99Ms.join(' / '),
          ]),
        ]),
      );
      log(
        `p99 at ${router.cases.at(-1)?.pending} pending over p99 at 0: ${router.p99DeepOverEmpty}x (<= 1.5) ${yes(router.meetsGoal)}`,
      );
      log(
        formatTable([
          [
            'dispatch',
            'latency',
            'seconds',
            'req/s',
            'pages',
            'invocations',
            'DynamoDB calls/req',
            'invocations for 100k',
          ],
          ...router.dispatch.map((c) => [
            `${c.pending} pending`,
            `${c.latencyMs} ms`,
            String(c.seconds),
            String(c.requestsPerSecond),
            String(c.pages),
            String(c.invocations),
            String(c.dynamoCallsPerRequest),
            `${c.invocationsFor100k} (<= 10 hops)`,
          ]),
        ]),
      );
    }

    if (args.only.has('endToEnd')) {
      log('\n== endToEnd: the local stack, Connect at 50 ms a call, webhook coalescing 0 and 100 ms');
      const endToEnd = await measureEndToEnd({
        oneRequestRuns: size.oneRequestRuns,
        burst: size.burst,
        coalesce: [0, 100],
      });
      results.endToEnd = endToEnd;
      log(
        formatTable([
          [
            'case',
            'coalescing',
            'seconds',
            'floor',
            'ratio',
            'invocations/req',
            'DynamoDB/req',
            'Connect/req',
          ],
          ...endToEnd.cases.map((c) => [
            c.case === 'burst' ? `burst of ${c.requests}` : `one request (median of ${c.runs})`,
            `${c.coalesceMs} ms`,
            String(c.seconds),
            String(c.floorSeconds),
            `${c.ratio}x`,
            `${c.invocationsPerRequest} (<= 1.05)`,
            String(c.dynamoCallsPerRequest),
            String(c.connectCallsPerRequest),
          ]),
        ]),
      );
    }

    if (args.only.has('awsModel')) {
      log(
        '\n== awsModel: a burst under Lambda limits (reserved concurrency 10), the real code in one process',
      );
      const model = await measureAwsModel(emulator, { requests: size.burst });
      results.awsModel = model;
      log(
        formatTable([
          ['metric', 'floor', 'measured', 'ratio', 'ok'],
          [
            'type-function invocations per request',
            '1',
            String(model.invocationsPerRequest),
            `${model.invocationsPerRequest}x`,
            yes(model.invocationsPerRequest <= 1.05),
          ],
          [
            'task-record writes per request',
            '2',
            String(model.recordWritesPerRequest),
            `${round2(model.recordWritesPerRequest / 2)}x`,
            yes(model.recordWritesPerRequest <= 2),
          ],
          [
            'DynamoDB calls per request (all)',
            '2',
            String(model.dynamoCallsPerRequest),
            `${round2(model.dynamoCallsPerRequest / 2)}x`,
            '',
          ],
          [
            'throttled invocations',
            '0',
            String(model.throttledRetries),
            '',
            yes(model.throttledRetries === 0),
          ],
          [
            `burst of ${model.requests} until approved (s)`,
            String(model.floorSeconds),
            String(model.seconds),
            `${model.ratio}x`,
            '',
          ],
        ]),
      );
      log(
        `dispatch invocations ${model.dispatchInvocations} for ${model.webhookDeliveries} webhook deliveries ` +
          `(${model.dispatchesQueued} queued on the running one); CPU ${model.cpuSeconds} s of ${model.seconds} s`,
      );
    }

    if (args.only.has('bundles')) {
      log(`\n== bundles: handler bundle size and cold init (median of ${size.bundleRuns} fresh processes)`);
      const bundles = await measureBundles({
        runs: size.bundleRuns,
        sls: args.sls,
      });
      results.bundles = bundles;
      const short = (name: string) => name.replace('@aws-sdk/', '');
      log(
        formatTable([
          [
            'function',
            'KB',
            'cold init ms',
            'bare node ms',
            'over bare',
            `ok (<= ${bundles.goalOverBareNodeMs})`,
            'with source maps (+)',
            'of which AWS SDK (excluded, at init)',
            'own code ms',
            'first use, lazy (extra ms)',
            'KB ok',
          ],
          ...bundles.cases.map((c) => [
            c.function,
            String(c.kilobytes),
            String(c.coldInitMs),
            String(c.bareNodeMs),
            String(c.overBareNodeMs),
            yes(c.meetsGoal),
            `${c.withSourceMapsOverBareNodeMs} (+${c.sourceMapsMs})`,
            `${c.awsSdkMs} (${c.awsSdk.map(short).join(', ') || 'none'})`,
            String(c.ownCodeMs),
            c.lazy.map((l) => `${short(l.package)} +${l.extraMs}`).join(', '),
            yes(c.meetsSizeGoal),
          ]),
        ]),
      );
      log(
        "over bare: as deployed (no --enable-source-maps); with source maps: the local stages' NODE_OPTIONS. " +
          'First use: client-ssm = the first invocation with SSM secrets (a deployed stage), client-scheduler = ' +
          'the first reschedule; each in a fresh process after the init, against a local stub',
      );
    }

    if (args.only.has('memory')) {
      log('\n== memory: one process, sequential executions, heap and RSS after forced GC');
      const executor = await measureMemory(emulator, { executions: size.memExecutor, subject: 'executor' });
      const fn = await measureMemory(emulator, { executions: size.memFunction, subject: 'function' });
      results.memory = { executor, function: fn };
      log(
        formatTable([
          [
            'subject',
            'runs',
            's',
            'peak RSS MB',
            'heap MB warm -> end',
            'heap growth',
            'RSS MB warm -> end',
            'ok',
          ],
          ...[
            ['executor + client', executor],
            ['type function + dynalite', fn],
          ].map(([name, m]) => {
            const r = m as typeof executor;
            return [
              name as string,
              String(r.executions),
              String(r.seconds),
              String(r.peakRssMb),
              `${r.heapAfterWarmUpMb} -> ${r.heapAtEndMb}`,
              `${(r.heapGrowth * 100).toFixed(1)}% (<= 5%)`,
              `${r.rssAfterWarmUpMb} -> ${r.rssAtEndMb}`,
              yes(r.meetsGoal),
            ];
          }),
        ]),
      );
    }
    if (args.only.has('validate')) {
      log('\n== validate: the validation route, warm p50/p99 (in process; over the local stack), cold init');
      const validate = await measureValidate({
        iterations: size.validate,
        stackIterations: size.validateStack,
        bundleRuns: size.bundleRuns,
      });
      results.validate = validate;
      log(
        formatTable([
          ['where', 'case', 'runs', 'p50 ms', 'p99 ms', 'goal p99', 'ok'],
          ...[
            ...validate.inProcess.map((c) => ['in process', c] as const),
            ...validate.overStack.map((c) => ['local stack', c] as const),
          ].map(([where, c]) => [
            where,
            c.name,
            String(c.runs),
            String(c.p50Ms),
            String(c.p99Ms),
            `<= ${c.goalMs} ms`,
            yes(c.meetsGoal),
          ]),
        ]),
      );
      const cold = validate.coldInit;
      log(
        `validate bundle: ${cold.kilobytes} KB, cold init ${cold.coldInitMs} ms (${cold.overBareNodeMs} ms over bare node, own code ${cold.ownCodeMs} ms)`,
      );
    }
    if (args.only.has('cpu')) {
      log(
        `\n== cpu: CPU ms per request, type-function path vs executor alone (${size.cpuRequests} requests each, after ${size.cpuWarmUp}; the median of ${size.cpuRuns} runs)`,
      );
      const cpu = await measureCpu(emulator, {
        requests: size.cpuRequests,
        warmUp: size.cpuWarmUp,
        runs: size.cpuRuns,
      });
      results.cpu = cpu;
      log(
        formatTable([
          ['subject', 'CPU ms/request', 'wall ms/request', 'outcomes'],
          ...[
            ['type function (createTypeFunction)', cpu.function],
            ['executor alone (execute)', cpu.executor],
          ].map(([name, r]) => {
            const c = r as typeof cpu.function;
            return [
              name as string,
              String(c.cpuMsPerRequest),
              String(c.wallMsPerRequest),
              Object.entries(c.outcomes)
                .map(([outcome, count]) => `${outcome} ${count}`)
                .join(', '),
            ];
          }),
        ]),
      );
      log(
        `ratio ${cpu.ratio}x (<= ${cpu.goal}x) ${yes(cpu.meetsGoal)}, runs ${cpu.ratios.join(', ')}; by the ` +
          `method before issue 13's last stop (the executor alone on a silent logger, ` +
          `${cpu.silentExecutorMsPerRequest} ms): ${cpu.ratioToSilentExecutor}x; type-function path, top self time:`,
      );
      log(
        formatTable([
          ['function', 'source', 'self ms', 'share'],
          ...cpu.top.map((t) => [t.function, t.source, String(t.selfMs), `${(t.share * 100).toFixed(1)}%`]),
        ]),
      );
      log(`by area: ${cpu.byArea.map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ')}`);
    }
  } finally {
    await emulator.stop();
  }
  (results.meta as Record<string, unknown>).seconds = Math.round((performance.now() - startedAt) / 1000);
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  log(
    `\nwrote ${path.relative(process.cwd(), args.out)} in ${(results.meta as { seconds: number }).seconds} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
