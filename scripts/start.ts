/**
 * `npm start`: the whole flow on one machine. Starts the Connect emulator, dynalite and serverless-offline,
 * registers the webhooks, seeds events/requests/*.json and shows each request's journey live.
 * Runs until Ctrl-C / SIGTERM. `npm run demo` (`--demo`) is the same, one shot: it exits 0 only when every
 * seeded request reached its expected status with its expected Connect calls.
 */
import { styleText } from 'node:util';
import { type LocalStack, loadSamples, startLocalStack } from './local-stack';
import { startSampleRun } from './local-stack/sample-run';
import { actionOf, type EmulatorCall, renderTable } from './local-stack/tracker';
import { validateUrl } from './local-stack/validation';

const demo = process.argv.includes('--demo');
const verbose = process.argv.includes('--verbose');
const demoTimeoutMs = Number(process.env.DEMO_TIMEOUT_MS || 120_000);
const interactive = Boolean(process.stdout.isTTY) && !demo;
const print = (line: string) => process.stdout.write(`${line}\n`);

function envPort(name: string): number | undefined {
  const value = process.env[name];
  return value ? Number(value) : undefined;
}

function describeCalls(calls: readonly EmulatorCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = actionOf(call)?.action ?? (call.method === 'GET' ? 'list' : `${call.method} ${call.path}`);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key} ${count}`).join(', ');
}

let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stack?.stop();
  }
  process.exit(code);
}

async function main() {
  const samples = await loadSamples();
  print(styleText('bold', 'Starting the Connect emulator, dynalite and serverless-offline…'));
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  stack = await startLocalStack({
    ports: {
      http: envPort('OFFLINE_HTTP_PORT'),
      lambda: envPort('LAMBDA_INVOKE_PORT'),
      emulator: envPort('CONNECT_EMULATOR_PORT'),
      dynamo: envPort('DYNAMODB_PORT'),
    },
    onFunctionLog: verbose ? (line) => print(styleText('dim', `  fn | ${line}`)) : undefined,
    onEmulatorLog: verbose ? (line) => print(styleText('dim', `  connect | ${line}`)) : undefined,
  });
  print(`Connect emulator   ${stack.apiUrl}   (API key: ${stack.apiKey.replace(/:.*/, ':…')})`);
  print(`Webhook            POST ${stack.webhookUrl}`);
  print(`Validation         POST ${validateUrl(stack)}   (docs/validation.md)`);
  print(`Lambda invoke API  ${stack.lambdaEndpoint}`);
  print(`Local DynamoDB     ${stack.dynamoEndpoint}`);

  const run = await startSampleRun(stack, samples);
  print(`Webhooks registered for ${run.products.join(', ')}; ${samples.length} sample requests created.\n`);
  const started = Date.now();

  if (demo) {
    const ok = await run.waitUntilSettled(demoTimeoutMs);
    const calls = run.functionSetCalls();
    print(renderTable(run.tracker));
    print(
      `\n${ok ? styleText('green', 'All requests reached their expected status.') : styleText('red', 'Some requests did not reach their expected status.')}`,
    );
    print(`Connect calls by the function set: ${calls.length} (${describeCalls(calls)})`);
    print(`Time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await shutdown(ok ? 0 : 1);
  }

  // npm start: follow live until Ctrl-C. A redrawn table on a terminal, one line per change otherwise.
  let drawnLines = 0;
  let announced = false;
  let settledAt: number | undefined;
  for (;;) {
    const changes = await run.poll();
    if (run.settled()) settledAt ??= Date.now();
    const summary =
      settledAt === undefined
        ? ''
        : `\nAll samples settled in ${((settledAt - started) / 1000).toFixed(1)} s. Still listening: create requests in the emulator (see README), Ctrl-C to stop.`;
    if (interactive) {
      if (changes.length > 0 || drawnLines === 0 || (summary && !announced)) {
        const screen = `${renderTable(run.tracker)}\n${summary}`;
        if (drawnLines) process.stdout.write(`\x1b[${drawnLines}F\x1b[J`);
        process.stdout.write(`${screen}\n`);
        drawnLines = screen.split('\n').length;
        announced = Boolean(summary);
      }
    } else {
      for (const change of changes) print(change);
      if (summary && !announced) {
        announced = true;
        print(`\n${renderTable(run.tracker)}\n${summary}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
});
