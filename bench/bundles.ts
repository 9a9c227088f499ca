/**
 * Section 4, `bundles`: per function, the bytes of its handler bundle and its cold init (a fresh node process
 * requiring the bundle, minus a bare `node -e 0`, medians).
 *
 * Bundles are built with esbuild and the options of serverless.yml `custom.esbuild` (what `sls package`
 * runs through serverless-esbuild), into bench/.out/ so that the excluded `@aws-sdk/*` packages resolve
 * from node_modules as they resolve from the Lambda runtime. `--sls` measures the handler .js inside the
 * `.serverless/*.zip` files of a previous `npm run package` instead of building.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { automation } from '../functions/automation';
import { typeFunctionNames } from '../lib/dispatch';
import { median, round } from './stats';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', '.out');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/**
 * Every bundle of serverless.yml: the router's, the sweep's, and the one every type function deploys
 * (`functions/type-function`), with the functions that run each.
 */
export const BUNDLES: Record<string, readonly string[]> = {
  router: ['router'],
  sweep: ['sweep'],
  'type-function': typeFunctionNames(
    automation({ templates: { activation: () => undefined, tier: undefined } }),
  ),
};
export const FUNCTIONS = Object.keys(BUNDLES);

/** serverless.yml custom.esbuild, as serverless-esbuild passes it to esbuild. */
const SLS_ESBUILD = {
  bundle: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  keepNames: true,
  target: 'node24',
  platform: 'node',
  format: 'cjs',
  external: ['@aws-sdk/*'],
} satisfies BuildOptions;

/** Environment the handlers would find in Lambda (none of it is read at load time, but be safe). */
const ENV = {
  CONNECT_API_URL: 'http://127.0.0.1:9/public/v1',
  CONNECT_API_KEY: 'ApiKey SU-000-000-000:bench',
  CONNECT_WEBHOOK_SECRETS: 'bench-secret',
  IDEMPOTENCY_TABLE: 'bench-idempotency',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  // As serverless.yml sets it for every function.
  NODE_OPTIONS: '--enable-source-maps',
};

export type BundleCase = {
  function: string;
  bytes: number;
  kilobytes: number;
  /** Largest contributors to the minified output, in bytes. */
  topInputs: Array<{ input: string; bytes: number }>;
  coldInitMs: number;
  bareNodeMs: number;
  overBareNodeMs: number;
  /** The `@aws-sdk/*` packages the bundle requires (the runtime provides them; not in the bundle). */
  awsSdk: string[];
  /** Time to require those packages, measured inside a fresh process. */
  awsSdkMs: number;
  /** Time to require the bundle once they are loaded, inside the same process: the bundle's own cost. */
  ownCodeMs: number;
  /** ≤ 300 KB and ≤ 50 ms over bare node, the runtime's AWS SDK included. */
  meetsGoal: boolean;
  /** The same with the AWS SDK's share left out. */
  meetsGoalWithoutAwsSdk: boolean;
};

export type BundlesResult = { source: 'esbuild' | 'sls package'; runs: number; cases: BundleCase[] };

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
function timeNode(args: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(NODE, args, { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: 'pipe' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return { ms, stdout: result.stdout.toString() };
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

export async function measureBundles(options: {
  runs: number;
  sls: boolean;
  functions?: readonly string[];
}): Promise<BundlesResult> {
  mkdirSync(OUT, { recursive: true });
  const built: Array<{ name: string; file: string; metafile?: Metafile }> = [];
  for (const name of options.functions ?? FUNCTIONS) {
    if (options.sls) {
      built.push({ name, file: slsBundle(name) });
      continue;
    }
    const file = path.join(OUT, name, 'handler.js');
    const result = await build({
      ...SLS_ESBUILD,
      entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
      outfile: file,
      metafile: true,
      logLevel: 'error',
    });
    built.push({ name, file, metafile: result.metafile });
  }

  // Warm the file cache, then alternate bare and bundle runs.
  timeNode(['-e', '0']);
  const cases: BundleCase[] = [];
  for (const { name, file, metafile } of built) {
    const awsSdk = [
      ...new Set(
        [...readFileSync(file, 'utf8').matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map(
          (m) => m[1] as string,
        ),
      ),
    ].sort();
    const load = ['-e', `require(${JSON.stringify(file)})`];
    // In one fresh process: the runtime's AWS SDK packages first, then the bundle, each timed inside.
    const split = [
      '-e',
      `const t0 = performance.now(); for (const name of ${JSON.stringify(awsSdk)}) require(name);` +
        `const t1 = performance.now(); require(${JSON.stringify(file)}); const t2 = performance.now();` +
        'process.stdout.write(JSON.stringify([t1 - t0, t2 - t1]));',
    ];
    timeNode(load);
    const bare: number[] = [];
    const cold: number[] = [];
    const sdkMs: number[] = [];
    const ownMs: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      bare.push(timeNode(['-e', '0']).ms);
      cold.push(timeNode(load).ms);
      const [sdk, own] = JSON.parse(timeNode(split).stdout) as [number, number];
      sdkMs.push(sdk);
      ownMs.push(own);
    }
    const bytes = statSync(file).size;
    const coldInitMs = round(median(cold), 1);
    const bareNodeMs = round(median(bare), 1);
    const overBareNodeMs = round(coldInitMs - bareNodeMs, 1);
    const ownCodeMs = round(median(ownMs), 1);
    cases.push({
      function: name,
      bytes,
      kilobytes: round(bytes / 1024, 1),
      topInputs: metafile ? topInputs(metafile) : [],
      coldInitMs,
      bareNodeMs,
      overBareNodeMs,
      awsSdk,
      awsSdkMs: round(median(sdkMs), 1),
      ownCodeMs,
      meetsGoal: bytes <= 300 * 1024 && overBareNodeMs <= 50,
      meetsGoalWithoutAwsSdk: bytes <= 300 * 1024 && ownCodeMs <= 50,
    });
  }
  return { source: options.sls ? 'sls package' : 'esbuild', runs: options.runs, cases };
}
