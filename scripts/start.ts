/**
 * `npm start`: the whole flow on one machine. Starts the Connect emulator, dynalite and serverless-offline,
 * registers the webhooks, seeds events/requests/*.json and shows each request's journey live.
 * Runs until Ctrl-C / SIGTERM. `npm run demo` (`--demo`) is the same, one shot: it exits 0 only when every
 * seeded request reached its expected status with its expected Connect calls.
 */
import { styleText } from 'node:util';
import { type LocalStack, loadSamples, startLocalStack } from './local-stack';
import { createSampleRequests, seedSubscriptions } from './local-stack/samples';
import { actionOf, createTracker, type EmulatorCall, renderTable, type Tracker } from './local-stack/tracker';

const demo = process.argv.includes('--demo');
const verbose = process.argv.includes('--verbose');
const demoTimeoutMs = Number(process.env.DEMO_TIMEOUT_MS || 120_000);
const interactive = Boolean(process.stdout.isTTY) && !demo;
const print = (line: string) => process.stdout.write(`${line}\n`);

function envPort(name: string): number | undefined {
  const value = process.env[name];
  return value ? Number(value) : undefined;
}

/**
 * Reads the in-process emulator's state directly: following the requests adds no Connect call, so the
 * emulator's call log holds only what the function set did (plus the seeding, before the mark).
 */
function poll(stack: LocalStack, tracker: Tracker, mark: number): string[] {
  const changes: string[] = [];
  for (const request of tracker.requests()) {
    const status = request.id.startsWith('TCR-')
      ? stack.emulator.store.getTierConfigRequest(request.id).status
      : stack.emulator.store.getRequest(request.id).status;
    if (tracker.observe(request.id, status)) changes.push(`${request.id} → ${status}`);
  }
  tracker.setCalls(functionSetCalls(stack, mark));
  return changes;
}

/** Calls since the mark, less the creation of the sample requests (the function set never creates). */
function functionSetCalls(stack: LocalStack, mark: number): EmulatorCall[] {
  return stack.emulator
    .calls()
    .slice(mark)
    .filter((call) => !(call.method === 'POST' && /\/(requests|tier\/config-requests)$/.test(call.path)));
}

async function main() {
  const samples = await loadSamples();
  print(styleText('bold', 'Starting the Connect emulator, dynalite and serverless-offline…'));
  const stack = await startLocalStack({
    ports: {
      http: envPort('OFFLINE_HTTP_PORT'),
      lambda: envPort('LAMBDA_INVOKE_PORT'),
      emulator: envPort('CONNECT_EMULATOR_PORT'),
      dynamo: envPort('DYNAMODB_PORT'),
    },
    onFunctionLog: verbose ? (line) => print(styleText('dim', `  fn | ${line}`)) : undefined,
    onEmulatorLog: verbose ? (line) => print(styleText('dim', `  connect | ${line}`)) : undefined,
  });
  stackToStop = stack;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  print(`Connect emulator   ${stack.apiUrl}`);
  print(`Webhook            POST ${stack.webhookUrl}`);
  print(`Lambda invoke API  ${stack.lambdaEndpoint}`);
  print(`Local DynamoDB     ${stack.dynamoEndpoint}`);

  const assetBySample = await seedSubscriptions(stack.call, samples);
  const products = [...new Set(samples.map((sample) => productOf(sample.request)))].filter(
    Boolean,
  ) as string[];
  for (const productId of products) {
    await stack.registerWebhook(productId, 'tier_config_request');
    await stack.registerWebhook(productId, 'fulfillment_request');
  }
  const mark = stack.emulator.calls().length;
  print(`Webhooks registered for ${products.join(', ')}; seeding ${samples.length} requests…\n`);
  const seeded = await createSampleRequests(stack.call, samples, assetBySample);
  const tracker = createTracker(seeded);

  const started = Date.now();
  let drawnLines = 0;
  for (;;) {
    const changes = poll(stack, tracker, mark);
    const table = renderTable(tracker);
    if (interactive) {
      if (drawnLines) process.stdout.write(`\x1b[${drawnLines}F\x1b[J`);
      process.stdout.write(`${table}\n`);
      drawnLines = table.split('\n').length;
    } else if (!demo) {
      for (const change of changes) print(change);
    }
    const verdicts = tracker.requests().map((request) => tracker.verdict(request));
    const settled = verdicts.every((verdict) => verdict !== 'waiting');
    if (demo && (settled || Date.now() - started > demoTimeoutMs)) {
      // A short grace period so that a late extra call would still show up as a mismatch.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      poll(stack, tracker, mark);
      const calls = functionSetCalls(stack, mark);
      const ok = tracker.requests().every((request) => tracker.verdict(request) === 'ok');
      print(renderTable(tracker));
      print(
        `\n${ok ? styleText('green', 'All requests reached their expected status.') : styleText('red', 'Some requests did not reach their expected status.')}`,
      );
      print(`Connect calls by the function set: ${calls.length} (${describeCalls(calls)})`);
      print(`Time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await shutdown(ok ? 0 : 1);
      return;
    }
    if (!demo && settled && !interactive && changes.length === 0 && drawnLines === 0) {
      drawnLines = -1;
      print(
        `\n${renderTable(tracker)}\n\nAll samples settled. Still listening: create requests in the emulator, Ctrl-C to stop.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

function productOf(request: { type: string } & Record<string, unknown>): string | undefined {
  const asset = request.asset as { product?: { id?: string } } | undefined;
  const configuration = request.configuration as { product?: { id?: string } } | undefined;
  return asset?.product?.id ?? configuration?.product?.id;
}

function describeCalls(calls: readonly EmulatorCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = actionOf(call)?.action ?? (call.method === 'GET' ? 'list' : `${call.method} ${call.path}`);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key} ${count}`).join(', ');
}

let stackToStop: LocalStack | undefined;

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stackToStop?.stop();
  process.exit(1);
});
