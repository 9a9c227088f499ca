/**
 * Section 5, `memory`: a type function's peak RSS and heap growth over N executions in one process.
 * The function runs in a child node process (memory-child.ts, `--expose-gc`); the emulator and dynalite run
 * here, in the parent, so that their growing state (10,000 requests, task records) is not counted.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { EmulatorHandle } from '../emulator';
import { startLocalDynamo } from '../scripts/local-stack/dynamo';
import { SLS_ESBUILD } from './esbuild-options';
import type { MemoryChildResult, MemorySample } from './memory-child';
import { seedPurchases, typeFunctionChildEnv } from './setup';
import { growth, round } from './stats';

const ROOT = path.resolve(__dirname, '..');
const TABLE = 'bench-tasks';

export type MemoryResult = {
  subject: string;
  executions: number;
  warmUpExecutions: number;
  seconds: number;
  outcomes: Record<string, number>;
  peakRssMb: number;
  heapAfterWarmUpMb: number;
  heapAtEndMb: number;
  /** Heap growth from the end of the warm-up to the end, after forced GCs (goal ≤ 0.05). */
  heapGrowth: number;
  rssAfterWarmUpMb: number;
  rssAtEndMb: number;
  rssGrowth: number;
  samples: Array<{ executions: number; heapUsedMb: number; rssMb: number }>;
  meetsGoal: boolean;
};

const mb = (bytes: number) => round(bytes / (1024 * 1024), 2);

/**
 * The child is bundled as the functions are (serverless.yml's esbuild options, without minifying or a source
 * map): @middy/core is ESM-only and the deployed code is a bundle anyway.
 */
async function bundleChild(): Promise<string> {
  const outfile = path.join(ROOT, 'bench', '.out', 'memory-child.js');
  await build({
    ...SLS_ESBUILD,
    minify: false,
    sourcemap: false,
    entryPoints: [path.join(ROOT, 'bench', 'memory-child.ts')],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

function runChild(script: string, env: Record<string, string>): Promise<MemoryChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'node'), ['--expose-gc', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let result: MemoryChildResult | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('message', (message) => {
      result = message as MemoryChildResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`memory child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export type MemorySubject = 'function' | 'executor';

const SUBJECTS: Record<MemorySubject, string> = {
  function:
    'purchase type function: createTypeFunction (middy, Powertools logger, task record on dynalite) + executor + real client',
  executor: 'executeFulfillmentRequest with the purchase handler and the real client (no task record)',
};

export async function measureMemory(
  emulator: EmulatorHandle,
  options: { executions: number; subject: MemorySubject },
): Promise<MemoryResult> {
  const ids = seedPurchases(emulator, options.executions).map((request) => request.id);
  const idsFile = path.join(ROOT, 'bench', '.out', 'memory-ids.json');
  writeFileSync(idsFile, JSON.stringify(ids));
  const dynamo = await startLocalDynamo(0, TABLE);
  try {
    const sampleEvery = Math.max(1, Math.floor(options.executions / 20));
    const child = await runChild(await bundleChild(), {
      BENCH_EXECUTIONS: String(options.executions),
      BENCH_SAMPLE_EVERY: String(sampleEvery),
      BENCH_SUBJECT: options.subject,
      BENCH_IDS_FILE: idsFile,
      ...typeFunctionChildEnv(emulator, { table: TABLE, endpoint: dynamo.endpoint }),
    });
    // Warm-up: the first 20 % (JIT, pools, lazily built schemas and clients).
    const warmUpExecutions = Math.floor(options.executions / 5);
    const warm = child.samples.find((entry) => entry.executions >= warmUpExecutions) as MemorySample;
    const last = child.samples.at(-1) as MemorySample;
    const heapGrowth = round(growth(warm.heapUsedBytes, last.heapUsedBytes), 4);
    return {
      subject: SUBJECTS[options.subject],
      executions: child.executions,
      warmUpExecutions: warm.executions,
      seconds: round(child.seconds, 1),
      outcomes: child.outcomes,
      peakRssMb: mb(child.maxRssBytes),
      heapAfterWarmUpMb: mb(warm.heapUsedBytes),
      heapAtEndMb: mb(last.heapUsedBytes),
      heapGrowth,
      rssAfterWarmUpMb: mb(warm.rssBytes),
      rssAtEndMb: mb(last.rssBytes),
      rssGrowth: round(growth(warm.rssBytes, last.rssBytes), 4),
      samples: child.samples.map((entry) => ({
        executions: entry.executions,
        heapUsedMb: mb(entry.heapUsedBytes),
        rssMb: mb(entry.rssBytes),
      })),
      meetsGoal: heapGrowth <= 0.05,
    };
  } finally {
    await dynamo.stop();
  }
}
