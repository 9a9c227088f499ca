/**
 * Section 4, `bundles`: per function, the bytes of its handler bundle, its cold init (a fresh node process
 * requiring the bundle, minus a bare `node -e 0`, medians), and the first use of what it loads lazily.
 *
 * Bundles are built with esbuild and the options of serverless.yml `custom.esbuild` (what `sls package`
 * runs through serverless-esbuild), into bench/.out/ so that the excluded packages resolve from
 * node_modules as they resolve from the Lambda runtime. `--sls` measures the handler .js inside the
 * `.serverless/*.zip` files of a previous `npm run package` instead of building.
 *
 * The AWS SDK is in the bundle (tree-shaken); what serverless.yml excludes is what a function loads on a
 * rare path only. Init is the bundle's require in a fresh process; a check lists any excluded package that
 * loads during it (there should be none). Two first uses are measured apart, as the extra time of that first
 * call: the deployed stages' first invocation, which reads the secrets from SSM (the SSM client, bundled and
 * loaded at init, built on that call), and a type function's first reschedule (the Scheduler client,
 * excluded: the runtime's).
 *
 * The split of init into own code and AWS SDK: the same entry built with `@aws-sdk/*` and `@smithy/*` left
 * out, required in a process that has already loaded them, is the own code; the AWS SDK is the rest.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { automation } from '../functions/automation';
import { typeFunctionNames } from '../lib/dispatch';
import { SLS_ESBUILD } from './esbuild-options';
import { median, round } from './stats';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', '.out');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** The goal of issue 13: every bundle's cold init at most this much over bare node, its AWS SDK included. */
export const COLD_INIT_GOAL_MS = 100;
/**
 * A separate check: the handler bundle's size, the tree-shaken AWS SDK included (300-450 KB of it, the SSM
 * client's schemas about 150 KB). Past this, look at what grew.
 */
export const SIZE_GOAL_KB = 1024;

/**
 * Every bundle of serverless.yml: the router's, the sweep's, the dispatch function's, the validation
 * route's, and the one every type function deploys (`functions/type-function`), with the functions that run
 * each.
 */
export const BUNDLES: Record<string, readonly string[]> = {
  router: ['router'],
  sweep: ['sweep'],
  dispatch: ['dispatch'],
  validate: ['validate'],
  'type-function': typeFunctionNames(
    automation({ templates: { activation: () => undefined, tier: undefined } }),
  ),
};
export const FUNCTIONS = Object.keys(BUNDLES);

/** The own-code build: the same entry without the AWS SDK (required from node_modules, preloaded). */
const WITHOUT_SDK = ['@aws-sdk/*', '@smithy/*'];

/**
 * Environment the handlers would find in Lambda (none of it is read at load time, but be safe). NODE_OPTIONS
 * as a deployed stage has it (serverless.yml `nodeOptions` of `prod`: none); the local stages' source maps
 * (`--enable-source-maps`) are measured apart.
 */
const ENV = {
  CONNECT_API_URL: 'http://127.0.0.1:9/public/v1',
  CONNECT_API_KEY: 'ApiKey SU-000-000-000:bench',
  CONNECT_WEBHOOK_SECRETS: 'bench-secret',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  NODE_OPTIONS: '',
};
/** serverless.yml `nodeOptions` of the default stage (local, dev, CI): stack traces through the .map. */
const SOURCE_MAPS = { NODE_OPTIONS: '--enable-source-maps' };

/** The first use of a package the bundle loads lazily, in a fresh process right after the bundle's init. */
export type FirstUse = {
  package: string;
  /** What triggers the load. */
  use: string;
  /** The first call, the package's load and its client's first request included. */
  firstCallMs: number;
  /** The same call once more (the round trip to a local stub alone). */
  nextCallMs: number;
  /** `firstCallMs - nextCallMs`: what the first use adds. */
  extraMs: number;
};

export type BundleCase = {
  function: string;
  bytes: number;
  kilobytes: number;
  /** Largest contributors to the minified output, in bytes. */
  topInputs: Array<{ input: string; bytes: number }>;
  /** As a deployed stage runs it (no `--enable-source-maps`). */
  coldInitMs: number;
  bareNodeMs: number;
  overBareNodeMs: number;
  /** The same with `--enable-source-maps` (the default stage's `nodeOptions`), and what that adds. */
  withSourceMapsOverBareNodeMs: number;
  sourceMapsMs: number;
  /** Excluded packages (the runtime's) that the bundle requires at load time: none is expected. */
  awsSdk: string[];
  /** The AWS SDK's part of the init: `overBareNodeMs - ownCodeMs`. */
  awsSdkMs: number;
  /**
   * The bundle's own code: the entry built without the AWS SDK, required in a fresh process that has
   * already loaded the SDK packages it names.
   */
  ownCodeMs: number;
  /** The `@aws-sdk/*` packages the bundle names but loads on first use only, with that first use's cost. */
  lazy: FirstUse[];
  /**
   * ≤ {@link COLD_INIT_GOAL_MS} ms over bare node as deployed, the runtime's AWS SDK (what loads at init)
   * included.
   */
  meetsGoal: boolean;
  /** ≤ {@link SIZE_GOAL_KB} KB. */
  meetsSizeGoal: boolean;
};

export type BundlesResult = {
  source: 'esbuild' | 'sls package';
  runs: number;
  goalOverBareNodeMs: number;
  cases: BundleCase[];
};

function topInputs(metafile: Metafile): Array<{ input: string; bytes: number }> {
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match?.[1] ?? input.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([input, bytes]) => ({ input, bytes }));
}

/** Wall time of one fresh node process running `args`, in ms, and what it printed. */
function timeNode(args: string[], env: Record<string, string> = {}): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(NODE, args, { cwd: ROOT, env: { ...process.env, ...ENV, ...env }, stdio: 'pipe' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return { ms, stdout: result.stdout.toString() };
}

/** Where `measureBundles` writes a function's bundle (esbuild, the options of serverless.yml). */
export function bundleFile(name: string): string {
  return path.join(OUT, name, 'handler.js');
}

function slsBundle(name: string): string {
  // Every type function's zip holds the same bundle: read the first one's.
  const zip = path.join(ROOT, '.serverless', `${BUNDLES[name]?.[0] ?? name}.zip`);
  const dir = path.join(OUT, 'sls', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-q', zip, '-d', dir]);
  return path.join(dir, 'functions', name, 'handler.js');
}

/** The `@aws-sdk/*` and `@smithy/*` packages the bundle requires while it loads, seen in a fresh process. */
function requiredAtInit(file: string): string[] {
  const { stdout } = timeNode([
    '-e',
    "const Module = require('node:module'); const seen = new Set(); const load = Module._load;" +
      `Module._load = function (request, parent) { if (parent?.filename === ${JSON.stringify(file)} && ` +
      '/^@(aws-sdk|smithy)\\//.test(request)) seen.add(request); return load.apply(this, arguments); };' +
      `require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify([...seen]));`,
  ]);
  return (JSON.parse(stdout) as string[]).sort();
}

/** Every `@aws-sdk/*` package the bundle names, in a `require("…")` or an `import("…")`. */
function namedInBundle(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names = [...text.matchAll(/(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1] as string);
  return [...new Set(names)].sort();
}

/**
 * The code paths behind the first uses. A function bundle exports only its handler, so each function gets a
 * probe: its handler module and these paths in one bundle (the same options), so that they share the
 * bundle's SDK code as they do in the function. Each is called twice against a local stub of the AWS API,
 * right after the probe's init.
 */
const FIRST_USES: Record<string, { use: string; call: string }> = {
  '@aws-sdk/client-ssm': {
    use: 'first invocation with SSM secrets (the SSM client built, one GetParameter)',
    call: "probe.readSsmParameter('/bench/parameter-' + n)",
  },
  '@aws-sdk/client-scheduler': {
    use: 'first reschedule (Scheduler client, one CreateSchedule)',
    call:
      "probe.scheduler.at({ name: 'bench-' + n, dueAt: Date.now() + 60_000, functionArn: 'arn:aws:lambda:" +
      "us-east-1:000000000000:function:bench', run: { trigger: 'schedule', objectClass: 'fulfillment_request'," +
      " requestId: 'PR-' + n, token: 't', dueAt: 0, correlationId: 'bench' } })",
  },
};

async function buildProbe(name: string): Promise<string> {
  const outfile = path.join(OUT, 'probes', `${name}.js`);
  await build({
    ...SLS_ESBUILD,
    sourcemap: false,
    stdin: {
      contents:
        `export { handler } from './functions/${name}/handler';\n` +
        "export { readSsmParameter } from './lib/config/secrets';\n" +
        "import { createEventBridgeScheduler } from './lib/scheduler';\n" +
        'export const scheduler = createEventBridgeScheduler({ group: "bench", roleArn: ' +
        '"arn:aws:iam::000000000000:role/bench", region: "us-east-1" });\n',
      resolveDir: ROOT,
      sourcefile: 'first-use.ts',
      loader: 'ts',
    },
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/**
 * One fresh process: a stub of the AWS APIs (an answer every client here accepts) on loopback, the SDK's
 * endpoint variables and Lambda-like credentials pointing at it, the function's probe required (its init),
 * then the first use and the next one, timed.
 */
function firstUseScript(probe: string, pkg: string): string {
  const known = FIRST_USES[pkg];
  const call = known ? known.call : `require(${JSON.stringify(pkg)})`;
  return (
    "const http = require('node:http');" +
    'const answer = JSON.stringify({ Parameter: { Name: "p", Type: "SecureString", Value: "bench", Version: 1 },' +
    ' ScheduleArn: "arn:aws:scheduler:us-east-1:000000000000:schedule/bench/s" });' +
    "const server = http.createServer((req, res) => { req.resume(); req.on('end', () => {" +
    " res.setHeader('content-type', 'application/x-amz-json-1.1'); res.end(answer); }); });" +
    "server.listen(0, '127.0.0.1', async () => {" +
    " const url = 'http://127.0.0.1:' + server.address().port;" +
    ' Object.assign(process.env, { AWS_ENDPOINT_URL_SSM: url, AWS_ENDPOINT_URL_SCHEDULER: url,' +
    " AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SESSION_TOKEN: 'bench' });" +
    ` const probe = require(${JSON.stringify(probe)});` +
    ` const time = async (n) => { const t = performance.now(); await ${call}; return performance.now() - t; };` +
    ' const first = await time(1); const next = await time(2);' +
    ' process.stdout.write(JSON.stringify([first, next])); server.close(); });'
  );
}

export async function measureBundles(options: {
  runs: number;
  sls: boolean;
  functions?: readonly string[];
}): Promise<BundlesResult> {
  mkdirSync(OUT, { recursive: true });
  const built: Array<{ name: string; file: string; ownCode: string; metafile?: Metafile }> = [];
  for (const name of options.functions ?? FUNCTIONS) {
    const entryPoints = [path.join(ROOT, 'functions', name, 'handler.ts')];
    const ownCode = path.join(OUT, name, 'own-code.js');
    await build({
      ...SLS_ESBUILD,
      external: [...SLS_ESBUILD.external, ...WITHOUT_SDK],
      sourcemap: false,
      entryPoints,
      outfile: ownCode,
      logLevel: 'error',
    });
    if (options.sls) {
      built.push({ name, file: slsBundle(name), ownCode });
      continue;
    }
    const file = bundleFile(name);
    const result = await build({
      ...SLS_ESBUILD,
      entryPoints,
      outfile: file,
      metafile: true,
      logLevel: 'error',
    });
    built.push({ name, file, ownCode, metafile: result.metafile });
  }

  // Warm the file cache, then alternate bare and bundle runs.
  timeNode(['-e', '0']);
  const cases: BundleCase[] = [];
  for (const { name, file, ownCode, metafile } of built) {
    const awsSdk = requiredAtInit(file);
    // Every function reads SSM secrets in a deployed stage; the Scheduler where the bundle names it. (The
    // credential sources after the environment, also excluded, never load in Lambda.)
    const lazyPackages = [
      '@aws-sdk/client-ssm',
      ...namedInBundle(file).filter((pkg) => !awsSdk.includes(pkg) && pkg in FIRST_USES),
    ];
    const probe = await buildProbe(name);
    const load = ['-e', `require(${JSON.stringify(file)})`];
    // In one fresh process: the SDK packages the own-code build names first, then that build, timed inside.
    const sdkOfOwnCode = requiredAtInit(ownCode);
    const split = [
      '-e',
      `for (const name of ${JSON.stringify(sdkOfOwnCode)}) require(name);` +
        `const t0 = performance.now(); require(${JSON.stringify(ownCode)});` +
        'process.stdout.write(JSON.stringify(performance.now() - t0));',
    ];
    timeNode(load);
    const bare: number[] = [];
    const cold: number[] = [];
    const coldWithMaps: number[] = [];
    const ownMs: number[] = [];
    const lazyMs = lazyPackages.map(() => ({ first: [] as number[], next: [] as number[] }));
    for (let run = 0; run < options.runs; run++) {
      bare.push(timeNode(['-e', '0']).ms);
      cold.push(timeNode(load).ms);
      coldWithMaps.push(timeNode(load, SOURCE_MAPS).ms);
      ownMs.push(JSON.parse(timeNode(split).stdout) as number);
      lazyPackages.forEach((pkg, index) => {
        const [first, next] = JSON.parse(timeNode(['-e', firstUseScript(probe, pkg)]).stdout) as [
          number,
          number,
        ];
        lazyMs[index]?.first.push(first);
        lazyMs[index]?.next.push(next);
      });
    }
    const bytes = statSync(file).size;
    const coldInitMs = round(median(cold), 1);
    const bareNodeMs = round(median(bare), 1);
    const overBareNodeMs = round(coldInitMs - bareNodeMs, 1);
    const withSourceMapsOverBareNodeMs = round(median(coldWithMaps) - bareNodeMs, 1);
    cases.push({
      function: name,
      bytes,
      kilobytes: round(bytes / 1024, 1),
      topInputs: metafile ? topInputs(metafile) : [],
      coldInitMs,
      bareNodeMs,
      overBareNodeMs,
      withSourceMapsOverBareNodeMs,
      sourceMapsMs: round(withSourceMapsOverBareNodeMs - overBareNodeMs, 1),
      awsSdk,
      awsSdkMs: round(overBareNodeMs - median(ownMs), 1),
      ownCodeMs: round(median(ownMs), 1),
      lazy: lazyPackages.map((pkg, index) => {
        const firstCallMs = round(median(lazyMs[index]?.first ?? []), 1);
        const nextCallMs = round(median(lazyMs[index]?.next ?? []), 1);
        return {
          package: pkg,
          use: FIRST_USES[pkg]?.use ?? 'first require',
          firstCallMs,
          nextCallMs,
          extraMs: round(firstCallMs - nextCallMs, 1),
        };
      }),
      meetsGoal: overBareNodeMs <= COLD_INIT_GOAL_MS,
      meetsSizeGoal: bytes <= SIZE_GOAL_KB * 1024,
    });
  }
  return {
    source: options.sls ? 'sls package' : 'esbuild',
    runs: options.runs,
    goalOverBareNodeMs: COLD_INIT_GOAL_MS,
    cases,
  };
}
