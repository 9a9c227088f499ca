/**
 * Section `cpu`: CPU time per request of the type-function path against the executor alone, and where the
 * type-function path spends it.
 *
 * - type-function path: `createTypeFunction` (lib/lambda: middy, the Powertools logger, the payload's
 *   schema, the task record completed on dynalite) around the executor and the real client, invoked with the
 *   event a dispatch sends: the request as listed and its claim (taken before the measurement, as the
 *   dispatch function takes it).
 * - executor alone: `execute` (lib/engine) with the same purchase handler and the real client, and a Powertools
 *   logger of the same settings: the executor's own INFO lines (the handler's, the parameter update, the
 *   end) are its own CPU in both subjects, not the path's. (Until issue 13's last stop it logged nothing,
 *   which charged those lines to the path: about 0.2 ms a request.)
 *
 * Each subject runs in a child process (bundled as the functions are), one request at a time, on its own
 * pending purchases (PUT the ActivationKey param, approve). The emulator and dynalite run here in the parent,
 * so their CPU is not counted. The child reads every request and takes every claim first, warms up, then
 * runs a measured pass (`process.cpuUsage()` around the loop: user + system, V8's helper threads included)
 * and a profiled pass (the V8 sampling profiler through `node:inspector`, the same profiler as
 * `node --cpu-prof`, started around that loop only); the profile's frames are mapped back to the sources
 * through the child bundle's source map, and the profiles are left in bench/.out/cpu-*.cpuprofile.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmulatorHandle } from '../emulator';
import { TASK_DEFAULTS } from '../lib/config';
import { createConnectClient, type FulfillmentRequest } from '../lib/connect';
import { execute } from '../lib/engine';
import type { TypeFunctionDeps } from '../lib/lambda';
import { FULFILLMENT_REQUEST } from '../lib/object-classes';
import { connectHooks, createLogger, logger } from '../lib/observability';
import type { Scheduler } from '../lib/scheduler';
import { type Claim, createTaskStore } from '../lib/tasks';
import { startLocalDynamo } from '../scripts/local-stack/dynamo';
import { fakeLambdaContext } from '../test/support/lambda-context';
import { purchaseHandler } from './calls';
import { SLS_ESBUILD } from './esbuild-options';
import { seedPurchases, silentLogger, typeFunctionChildEnv } from './setup';
import { round } from './stats';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', '.out');
const TABLE = 'bench-cpu-tasks';
/** The goal of issue 13: the type-function path at most this many times the executor's own CPU. */
export const CPU_RATIO_GOAL = 2;

export type CpuSubject = 'function' | 'executor';
/**
 * Measured beside the two, not profiled: the executor alone on a silent logger, the floor as this section
 * measured it until issue 13's last stop, so that the ratio by the old method stays visible.
 */
type MeasuredSubject = CpuSubject | 'executorSilent';

/** A function of the profile, by its self time (time on the CPU in that function's own code). */
export type ProfileEntry = { function: string; source: string; selfMs: number; share: number };

export type CpuChildResult = {
  subject: CpuSubject;
  requests: number;
  warmUp: number;
  cpuMsPerRequest: number;
  wallMsPerRequest: number;
  outcomes: Record<string, number>;
  /** The profiled pass: sampled (non-idle) time per request, and its top functions and areas. */
  profiledMsPerRequest: number;
  top: ProfileEntry[];
  byArea: Array<{ area: string; selfMs: number; share: number }>;
};

export type CpuResult = {
  requests: number;
  warmUp: number;
  /** Child runs (each its own process and requests); the figures below are the run of the median ratio. */
  runs: number;
  /** Every run's ratio, in the order run. */
  ratios: number[];
  /** CPU ms per request of the type-function path (createTypeFunction around the executor). */
  functionMsPerRequest: number;
  /** CPU ms per request of the executor alone (execute + the real client). */
  executorMsPerRequest: number;
  ratio: number;
  /** The executor alone on a silent logger (the floor until issue 13's last stop), same run. */
  silentExecutorMsPerRequest: number;
  /** The path against that floor: the ratio by the old method, for comparison (the goal is on `ratio`). */
  ratioToSilentExecutor: number;
  goal: number;
  meetsGoal: boolean;
  /** The type-function path's five functions with the most self time (profiled pass). */
  top: ProfileEntry[];
  /** The same profile by area (a package, a lib/ module, V8's own work). */
  byArea: CpuChildResult['byArea'];
  /** The executor's own top five, for comparison. */
  executorTop: ProfileEntry[];
  function: CpuChildResult;
  executor: CpuChildResult;
};

// ---------------------------------------------------------------------------------------------------------
// The child (bench/.out/cpu-child.js, bundled from `runCpuChild` below)

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

type CpuProfile = {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
};

/**
 * A source path as the report shows it: `lib/…` for ours, `<package>/…` for node_modules. `file` is absolute
 * or relative to the bundle's folder (bench/.out, two levels under the project).
 */
function shortSource(file: string, bundle: string): string {
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules + 'node_modules/'.length);
  const folder = path.dirname(bundle);
  const relative = path.relative(path.resolve(folder, '..', '..'), path.resolve(folder, file));
  return relative.startsWith('..') ? file : relative;
}

/** What a source belongs to: a package (`@smithy/core`), a lib/ module (`lib/connect`), `node:…` or V8. */
function areaOf(source: string): string {
  if (source.startsWith('node:') || source === '') return source || 'V8 / native';
  const parts = source.split('/');
  if (parts[0] === 'lib' || parts[0] === 'functions' || parts[0] === 'bench')
    return parts.slice(0, 2).join('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** Self time per function of a V8 CPU profile, frames of the bundle mapped back through its source map. */
function summarise(profile: CpuProfile, bundle: string) {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const bundleUrl = `file://${bundle}`;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { function: string; source: string; us: number }>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[index] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    const { url, lineNumber, columnNumber } = node.callFrame;
    let { functionName } = node.callFrame;
    // The profiler's own work (the session's calls, building the profile at the stop): not the subject's.
    if (url.startsWith('node:inspector')) return;
    let source: string;
    let area: string;
    if (url === bundleUrl || url === bundle) {
      const entry = map.findEntry(lineNumber, columnNumber);
      const file =
        'originalSource' in entry ? shortSource(entry.originalSource.replace(/^file:\/\//, ''), bundle) : '';
      source = file ? `${file}:${('originalLine' in entry ? entry.originalLine : 0) + 1}` : 'cpu-child.js';
      // The bundle is minified as deployed: the source's name of the function, where the map has it.
      if ('name' in entry && typeof entry.name === 'string' && entry.name !== '') functionName = entry.name;
      area = file ? areaOf(file) : 'bench';
    } else if (url === '') {
      source = '';
      area = functionName.startsWith('(') ? functionName : 'V8 / native';
    } else {
      const file = url.startsWith('file:')
        ? shortSource(fileURLToPath(url), bundle)
        : url.startsWith('/')
          ? shortSource(url, bundle)
          : url;
      source = `${file}:${lineNumber + 1}`;
      area = areaOf(file);
    }
    const key = `${functionName}\u0000${source}`;
    const current = self.get(key) ?? { function: functionName || '(anonymous)', source, us: 0 };
    current.us += us;
    self.set(key, current);
    areas.set(area, (areas.get(area) ?? 0) + us);
    totalUs += us;
  });
  const share = (us: number) => (totalUs === 0 ? 0 : round(us / totalUs, 3));
  return {
    totalUs,
    top: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 5)
      .map((entry) => ({
        function: entry.function,
        source: entry.source,
        selfMs: round(entry.us / 1000, 1),
        share: share(entry.us),
      })),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([area, us]) => ({ area, selfMs: round(us / 1000, 1), share: share(us) })),
  };
}

/** The executor's logger option. */
type ExecuteLogger = Parameters<typeof execute>[3]['logger'];

/** Each subject's runs over its own requests: `run(index)` processes the index-th one. */
type Runner = { run(index: number): Promise<void>; outcomes: Record<string, number> };

/** The child's whole run; the parent bundles an entry that calls it. */
export async function runCpuChild(): Promise<void> {
  const requests = Number(required('BENCH_REQUESTS'));
  const warmUp = Number(required('BENCH_WARM_UP'));
  const ids = JSON.parse(readFileSync(required('BENCH_IDS_FILE'), 'utf8')) as Record<
    MeasuredSubject,
    string[]
  >;
  const total = warmUp + 2 * requests;
  const bundle = path.resolve(process.argv[1] ?? '');

  const options = { apiUrl: required('CONNECT_API_URL'), apiKey: required('CONNECT_API_KEY') };
  const client = createConnectClient(options);
  // As functions/type-function/handler.ts builds it: the client with the logger's hooks.
  const functionClient = createConnectClient({ ...options, ...connectHooks(logger) });
  const table = required('TASKS_TABLE');
  const tasks = createTaskStore({ table, endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1' });
  // Every request approves: nothing is rescheduled, the scheduler is never called.
  const scheduler: Scheduler = {
    async at() {
      throw new Error('the cpu bench schedules nothing');
    },
  };
  const deps: TypeFunctionDeps = {
    client: functionClient,
    handlerFor: () => purchaseHandler as never,
    tasks,
    scheduler,
    settings: { table, ...TASK_DEFAULTS },
    functionPrefix: 'connect-fulfillment-bench',
  };
  // Loaded here, not at the top: the parent (tsx, CommonJS) cannot require @middy/core, which is ESM-only.
  const { createTypeFunction } = await import('../lib/lambda');
  const typeFunction = createTypeFunction({ deps: () => deps, logger });
  // The executor's own logger: the function set's settings, to the same standard output.
  const executorLogger = createLogger();

  /** Before anything is measured: every request read, and (type-function path) claimed as a dispatch does. */
  const prepare = async (subject: MeasuredSubject) => {
    const listed: FulfillmentRequest[] = [];
    const claims: Claim[] = [];
    const mine = ids[subject];
    if (mine.length < total) throw new Error(`${subject}: only ${mine.length} pending of ${total}`);
    for (const id of mine.slice(0, total)) {
      const request = await client.requests.get(id);
      listed.push(request);
      if (subject !== 'function') continue;
      const now = Date.now();
      const claim = await tasks.claim({
        id: request.id,
        version: request.updated ?? '',
        listedAt: now,
        now,
        token: randomUUID(),
        objectClass: FULFILLMENT_REQUEST.name,
        type: request.type,
        productId: request.asset.product.id,
        fn: 'purchase',
        leaseSeconds: TASK_DEFAULTS.leaseSeconds,
      });
      if (!claim) throw new Error(`${request.id}: not claimable`);
      claims.push(claim);
    }
    return { listed, claims };
  };
  const forExecutor = await prepare('executor');
  const forSilent = await prepare('executorSilent');
  const forFunction = await prepare('function');

  /** The executor alone over its own requests, logging through `logger`. */
  const executorRunner = (listed: FulfillmentRequest[], log: ExecuteLogger): Runner => ({
    outcomes: {},
    async run(index) {
      const request = listed[index] as FulfillmentRequest;
      const result = await execute(FULFILLMENT_REQUEST, request, purchaseHandler, { client, logger: log });
      this.outcomes[result.outcome] = (this.outcomes[result.outcome] ?? 0) + 1;
    },
  });
  const runners: Record<MeasuredSubject, Runner> = {
    executorSilent: executorRunner(forSilent.listed, silentLogger),
    executor: executorRunner(forExecutor.listed, executorLogger),
    function: {
      outcomes: {},
      async run(index) {
        const result = await typeFunction(
          {
            objectClass: FULFILLMENT_REQUEST.name,
            request: forFunction.listed[index],
            correlationId: `bench-${index}`,
            // Listed just now, as a fresh dispatch's payload (an older one is read again from Connect).
            listedAt: new Date().toISOString(),
            claim: forFunction.claims[index],
          },
          fakeLambdaContext({
            functionName: 'connect-fulfillment-bench-purchase',
            requestId: `bench-${index}`,
            remainingMs: 120_000,
          }),
        );
        this.outcomes[result.outcome] = (this.outcomes[result.outcome] ?? 0) + 1;
      },
    },
  };

  for (let index = 0; index < warmUp; index++) {
    await runners.executor.run(index);
    await runners.executorSilent.run(index);
    await runners.function.run(index);
  }

  // Measured: the subjects alternate request by request, so that the machine's load weighs on all alike.
  const spent = {
    executor: { cpuUs: 0, wallMs: 0 },
    executorSilent: { cpuUs: 0, wallMs: 0 },
    function: { cpuUs: 0, wallMs: 0 },
  };
  for (let index = warmUp; index < warmUp + requests; index++) {
    for (const subject of ['executor', 'executorSilent', 'function'] as const) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await runners[subject].run(index);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      spent[subject].cpuUs += cpu.user + cpu.system;
      spent[subject].wallMs += wallMs;
    }
  }

  // Profiled: each subject alone over its remaining requests.
  const profiled = async (subject: CpuSubject) => {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    for (let index = warmUp + requests; index < total; index++) await runners[subject].run(index);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    // For a closer look: open it in Chrome DevTools (Performance) or VS Code.
    writeFileSync(path.join(path.dirname(bundle), `cpu-${subject}.cpuprofile`), JSON.stringify(profile));
    return summarise(profile as unknown as CpuProfile, bundle);
  };
  const summaries = { executor: await profiled('executor'), function: await profiled('function') };

  const result = (subject: CpuSubject): CpuChildResult => ({
    subject,
    requests,
    warmUp,
    cpuMsPerRequest: round(spent[subject].cpuUs / 1000 / requests, 3),
    wallMsPerRequest: round(spent[subject].wallMs / requests, 3),
    outcomes: runners[subject].outcomes,
    profiledMsPerRequest: round(summaries[subject].totalUs / 1000 / requests, 3),
    top: summaries[subject].top,
    byArea: summaries[subject].byArea,
  });
  process.send?.({
    executor: result('executor'),
    function: result('function'),
    silentExecutorMsPerRequest: round(spent.executorSilent.cpuUs / 1000 / requests, 3),
  });
}

// ---------------------------------------------------------------------------------------------------------
// The parent

/** The child, bundled as the functions are (esbuild, CJS, `@aws-sdk/*` external), with a source map. */
async function bundleChild(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = path.join(OUT, 'cpu-child.js');
  await build({
    stdin: {
      contents: "import { runCpuChild } from './bench/cpu';\nvoid runCpuChild();\n",
      resolveDir: ROOT,
      sourcefile: 'cpu-child.ts',
      loader: 'ts',
    },
    // As the functions deploy (the AWS SDK bundled from its ES modules, minified), with a source map for the
    // profile's frames.
    ...SLS_ESBUILD,
    sourcemap: true,
    sourcesContent: false,
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

type ChildResult = Record<CpuSubject, CpuChildResult> & { silentExecutorMsPerRequest: number };

function runChild(script: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      execPath: path.join(ROOT, 'node_modules', '.bin', 'node'),
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let result: ChildResult | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('message', (message) => {
      result = message as ChildResult;
      child.disconnect();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`cpu child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export async function measureCpu(
  emulator: EmulatorHandle,
  options: { requests: number; warmUp: number; runs?: number },
): Promise<CpuResult> {
  const runs = options.runs ?? 1;
  const perSubject = options.warmUp + 2 * options.requests;
  const subjects: MeasuredSubject[] = ['executor', 'executorSilent', 'function'];
  const dynamo = await startLocalDynamo(0, TABLE);
  try {
    const script = await bundleChild();
    const idsFile = path.join(OUT, 'cpu-ids.json');
    const measured: Array<{
      ratio: number;
      ratioToSilent: number;
      silentMs: number;
      executor: CpuChildResult;
      fn: CpuChildResult;
    }> = [];
    // Each run a fresh child on its own pending purchases; the run of the median ratio is the one reported.
    for (let run = 0; run < runs; run++) {
      const ids = seedPurchases(emulator, subjects.length * perSubject).map((request) => request.id);
      writeFileSync(
        idsFile,
        JSON.stringify(
          Object.fromEntries(
            subjects.map((subject, index) => [
              subject,
              ids.slice(index * perSubject, (index + 1) * perSubject),
            ]),
          ),
        ),
      );
      const {
        executor,
        function: fn,
        silentExecutorMsPerRequest,
      } = await runChild(script, {
        BENCH_REQUESTS: String(options.requests),
        BENCH_WARM_UP: String(options.warmUp),
        BENCH_IDS_FILE: idsFile,
        ...typeFunctionChildEnv(emulator, { table: TABLE, endpoint: dynamo.endpoint }),
      });
      measured.push({
        ratio: round(fn.cpuMsPerRequest / executor.cpuMsPerRequest, 2),
        ratioToSilent: round(fn.cpuMsPerRequest / silentExecutorMsPerRequest, 2),
        silentMs: silentExecutorMsPerRequest,
        executor,
        fn,
      });
    }
    const sorted = [...measured].sort((a, b) => a.ratio - b.ratio);
    const { ratio, ratioToSilent, silentMs, executor, fn } = sorted[
      Math.floor((sorted.length - 1) / 2)
    ] as (typeof measured)[number];
    return {
      requests: options.requests,
      warmUp: options.warmUp,
      runs,
      ratios: measured.map((m) => m.ratio),
      functionMsPerRequest: fn.cpuMsPerRequest,
      executorMsPerRequest: executor.cpuMsPerRequest,
      ratio,
      silentExecutorMsPerRequest: silentMs,
      ratioToSilentExecutor: ratioToSilent,
      goal: CPU_RATIO_GOAL,
      meetsGoal: ratio <= CPU_RATIO_GOAL,
      top: fn.top,
      byArea: fn.byArea,
      executorTop: executor.top,
      function: fn,
      executor,
    };
  } finally {
    await dynamo.stop();
  }
}
