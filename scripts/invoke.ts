/**
 * `npm run invoke -- <function> <event file>`: one function, once, through `sls invoke local` (the real
 * bundle, esbuild included).
 *
 * With CONNECT_API_URL unset it embeds a Connect emulator and a local DynamoDB, and:
 * - a sample request file (events/requests/*.json) is created in the emulator first (with its
 *   subscription), and the function receives it as the router would send it;
 * - an HTTP event (events/http/*.json) goes to the router as it is.
 * With CONNECT_API_URL set, the event file is passed unchanged to the function, against that Connect.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../emulator';
import { LOCAL_DEFAULTS, LOCAL_TASKS_TABLE } from './local-stack';
import { startLocalDynamo } from './local-stack/dynamo';
import { connectHttp, createSampleRequests, SampleSchema, seedSubscriptions } from './local-stack/samples';

const [functionName, eventFile] = process.argv.slice(2);
const projectRoot = path.resolve(import.meta.dirname, '..');

function usage(): never {
  process.stderr.write(
    'Usage: npm run invoke -- <function> <event file>\n' +
      '  npm run invoke -- purchase events/requests/purchase-approved-tile.json\n' +
      '  npm run invoke -- router events/http/webhook-fulfillment-request.json\n',
  );
  process.exit(2);
}

function slsInvoke(fn: string, file: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      path.join(projectRoot, 'node_modules', '.bin', 'sls'),
      ['invoke', 'local', '-f', fn, '-p', file],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
        stdio: 'inherit',
      },
    );
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main() {
  if (!functionName || !eventFile) usage();
  const event: unknown = JSON.parse(await readFile(eventFile, 'utf8'));
  if (process.env.CONNECT_API_URL) {
    process.exit(await slsInvoke(functionName, eventFile, {}));
  }

  const apiKey = process.env.CONNECT_API_KEY || LOCAL_DEFAULTS.apiKey;
  const emulator = await startEmulator({ port: Number(process.env.CONNECT_EMULATOR_PORT || 0), apiKey });
  const dynamo = await startLocalDynamo(Number(process.env.DYNAMODB_PORT || 0), LOCAL_TASKS_TABLE);
  try {
    let payloadFile = eventFile;
    let requestId: string | undefined;
    const sample = SampleSchema.safeParse(event);
    if (sample.success) {
      const call = connectHttp(emulator.url, apiKey);
      const samples = [{ ...sample.data, name: path.basename(eventFile, '.json') }];
      const [seeded] = await createSampleRequests(call, samples, await seedSubscriptions(call, samples));
      requestId = seeded?.id;
      const collection =
        sample.data.object_class === 'tier_config_request' ? '/tier/config-requests' : '/requests';
      const request = await call('GET', `${collection}/${requestId}`);
      payloadFile = path.join(await mkdtemp(path.join(tmpdir(), 'invoke-')), 'payload.json');
      await writeFile(
        payloadFile,
        JSON.stringify({
          objectClass: sample.data.object_class,
          request,
          correlationId: `invoke-${Date.now()}`,
        }),
      );
      process.stdout.write(`Created ${requestId} in the embedded Connect emulator (${emulator.url}).\n`);
    }
    const code = await slsInvoke(functionName, payloadFile, {
      CONNECT_API_URL: emulator.url,
      CONNECT_API_KEY: apiKey,
      CONNECT_ACTIVATION_TEMPLATE_ID:
        process.env.CONNECT_ACTIVATION_TEMPLATE_ID ?? LOCAL_DEFAULTS.activationTemplates,
      CONNECT_TIER_TEMPLATE_ID: process.env.CONNECT_TIER_TEMPLATE_ID ?? LOCAL_DEFAULTS.tierTemplate,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    });
    if (requestId) {
      const status = requestId.startsWith('TCR-')
        ? emulator.store.getTierConfigRequest(requestId).status
        : emulator.store.getRequest(requestId).status;
      const calls = emulator
        .calls()
        .filter((call) => call.path.includes(requestId as string) && call.method !== 'GET')
        .map((call) => `${call.method} ${call.path.replace('/public/v1', '')} → ${call.status}`);
      process.stdout.write(`\n${requestId} is now ${status}. Calls on it: ${calls.join(', ') || 'none'}\n`);
    }
    process.exitCode = code;
  } finally {
    await emulator.stop();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
