/**
 * `npm run bench [-- --quick] [-- --only=calls,throughput,router,bundles,memory] [-- --sls]`
 *
 * Runs the benchmark sections on loopback against the in-process emulator (0 ms and 5 ms of injected
 * latency), prints a table per section and writes bench/results.json. `--quick` shrinks every sample to fit
 * in under a minute (the numbers are noisier); `--sls` measures the bundles of a previous `npm run package`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { version } from '../package.json';
import { measureBundles } from './bundles';
import { measureCalls } from './calls';
import { measureMemory } from './memory';
import { measureRouter } from './router';
import { startBenchEmulator } from './setup';
import { formatTable } from './stats';
import { measureThroughput } from './throughput';

const SECTIONS = ['calls', 'throughput', 'router', 'bundles', 'memory'] as const;
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

const yes = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : 'NO');
const log = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size = args.quick
    ? {
        calls: 5,
        throughput: 300,
        rounds: 1,
        routerScale: 0.2,
        bundleRuns: 3,
        memExecutor: 1000,
        memFunction: 300,
      }
    : {
        calls: 20,
        throughput: 2000,
        rounds: 3,
        routerScale: 1,
        bundleRuns: 7,
        memExecutor: 10_000,
        memFunction: 2000,
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
      log('\n== router: webhook handler latency in process vs the list-and-invoke I/O alone');
      const router = await measureRouter(emulator, {
        pendings: [0, 100, 1000],
        latencies: [0, 5],
        iterations: (pending) =>
          Math.max(5, Math.round((pending >= 1000 ? 30 : pending >= 100 ? 100 : 300) * size.routerScale)),
      });
      results.router = router;
      log(
        formatTable([
          ['latency', 'pending', 'runs', 'handler p50/p99 ms', 'I/O only p50/p99 ms', 'overhead', 'ok'],
          ...router.cases.map((c) => [
            `${c.latencyMs} ms`,
            String(c.pending),
            String(c.iterations),
            `${c.handler.p50Ms} / ${c.handler.p99Ms}`,
            `${c.ioOnly.p50Ms} / ${c.ioOnly.p99Ms}`,
            `${(c.overhead * 100).toFixed(1)}% (<= 10%)`,
            yes(c.meetsGoal),
          ]),
        ]),
      );
    }

    if (args.only.has('bundles')) {
      log(`\n== bundles: handler bundle size and cold init (median of ${size.bundleRuns} fresh processes)`);
      const bundles = await measureBundles({
        runs: size.bundleRuns,
        sls: args.sls,
      });
      results.bundles = bundles;
      log(
        formatTable([
          [
            'function',
            'KB',
            'cold init ms',
            'bare node ms',
            'over bare',
            'of which AWS SDK',
            'own code ms',
            'ok',
            'ok w/o SDK',
          ],
          ...bundles.cases.map((c) => [
            c.function,
            String(c.kilobytes),
            String(c.coldInitMs),
            String(c.bareNodeMs),
            String(c.overBareNodeMs),
            `${c.awsSdkMs} (${c.awsSdk.map((name) => name.replace('@aws-sdk/', '')).join(', ')})`,
            String(c.ownCodeMs),
            yes(c.meetsGoal),
            yes(c.meetsGoalWithoutAwsSdk),
          ]),
        ]),
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
