/**
 * `npm run doctor` against the local stack's own parts over loopback HTTP: the Connect emulator and dynalite
 * with the task table, the webhooks synced by `npm run webhooks -- sync`, and at the webhook URL a small
 * router that verifies Connect's JWT with lib/webhook's verifier (202, or 401 as the real router answers a
 * wrong secret). Healthy, every line is ✓ and the command exits 0 (run as a user runs it); with one thing
 * broken, that line is ✗ with its advice and the exit code is 1.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../emulator';
import { createTaskStore } from '../../lib/tasks';
import { createWebhookVerifier } from '../../lib/webhook';
import { runCli } from '../../scripts/doctor/cli';
import { doctorTarget } from '../../scripts/doctor/targets';
import { LOCAL_TASKS_TABLE } from '../../scripts/local-stack';
import { type LocalDynamo, startLocalDynamo } from '../../scripts/local-stack/dynamo';
import { runCli as runWebhooksCli } from '../../scripts/webhooks/cli';
import { freePorts } from '../support/free-ports';

const FALLBALL = 'PRD-276-377-545';
const LITE = 'PRD-118-454-903';
const SECRET = 'doctor-local-secret';
const root = path.resolve(import.meta.dirname, '..', '..');

let emulator: EmulatorHandle;
let dynamo: LocalDynamo;
let router: Server;
let env: NodeJS.ProcessEnv;
/** What the router answered, per delivery. */
const answered: number[] = [];

beforeAll(async () => {
  const verifier = createWebhookVerifier({ secrets: [SECRET] });
  router = createServer((req, res) => {
    req.resume().on('end', () => {
      verifier.verify(req.headers as Record<string, string | undefined>).then(
        () => {
          answered.push(202);
          res.writeHead(202).end();
        },
        () => {
          answered.push(401);
          res.writeHead(401).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  emulator = await startEmulator({ port: 0, webhookCoalesceMs: 0, webhookRetry: { maxAttempts: 1 } });
  dynamo = await startLocalDynamo(0, LOCAL_TASKS_TABLE);
  env = {
    CONNECT_API_URL: emulator.url,
    CONNECT_PRODUCTS: `${FALLBALL},${LITE}`,
    CONNECT_VALIDATION_PRODUCTS: LITE,
    CONNECT_WEBHOOK_SECRETS: SECRET,
    DYNAMODB_PORT: String(dynamo.port),
    OFFLINE_HTTP_PORT: String((router.address() as AddressInfo).port),
  };
});

afterAll(async () => {
  await emulator?.stop();
  await dynamo?.stop();
  await new Promise<void>((resolve) => (router ? router.close(() => resolve()) : resolve()));
});

const eventWebhooks = () => emulator.store.listWebhooks().filter((webhook) => webhook.type === 'event');

/** Connect delivers once through every event webhook, and the deliveries are over. */
async function deliverAll(): Promise<void> {
  for (const webhook of eventWebhooks()) {
    const response = await fetch(`${emulator.url}/notifications/webhooks/${webhook.id}/trigger`, {
      method: 'POST',
      headers: { Authorization: 'ApiKey SU-000-000-000:local-emulator-key' },
    });
    expect(response.status).toBe(200);
  }
  await emulator.webhooksIdle();
}

// Every test starts from the synced, delivered, healthy stack.
beforeEach(async () => {
  emulator.reset();
  answered.length = 0;
  const out: string[] = [];
  const code = await runWebhooksCli(
    ['sync'],
    env,
    { out: (line) => out.push(line), err: (line) => out.push(line) },
    {
      aws: () => {
        throw new Error('no AWS here');
      },
    },
  );
  expect(out.join('\n')).toContain('20 created, 0 unchanged.');
  expect(code).toBe(0);
  await deliverAll();
  expect(answered).toEqual([202, 202, 202, 202]);
});

async function doctor(extraEnv: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const code = await runCli(
    [],
    { ...env, ...extraEnv },
    { out: (line) => lines.push(line), err: (line) => lines.push(line) },
    { target: doctorTarget },
  );
  return { code, out: lines.join('\n') };
}

/** A check's line and the lines under it (details, advice), up to the next check. */
function section(out: string, name: string): string {
  const lines = out.split('\n');
  const start = lines.findIndex((line) => line.slice(2).startsWith(`${name} `));
  if (start < 0) throw new Error(`no ${name} line in:\n${out}`);
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('    '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('the doctor on the local stack', () => {
  it('is all ✓ and exits 0 once the webhooks are synced, run as npm run doctor runs it', async () => {
    // Act
    const { stdout, code } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['scripts/doctor.ts'],
      { cwd: root, env: { ...process.env, ...env } },
    ).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }),
    );

    // Assess
    expect(stdout).toContain('Doctor of connect-fulfillment, the local stack (npm start):');
    const checks = stdout.split('\n').filter((line) => /^[✓✗] /.test(line));
    expect(checks.map((line) => line.split(/ {2,}/)[0])).toEqual([
      '✓ configuration',
      '✓ SSM parameters',
      '✓ Connect API key',
      '✓ webhooks',
      '✓ last deliveries',
      '✓ dead-letter queue',
      '✓ parked requests',
    ]);
    expect(stdout).toContain('local values, no SSM');
    expect(stdout).toContain(
      `✓ webhooks           all 20 webhooks of 2 products exist, are active and point at http://127.0.0.1:${env.OFFLINE_HTTP_PORT}\n`,
    );
    expect(stdout).toMatch(
      /✓ last deliveries +4 of 20 last delivered successfully \(latest \S+Z\); 16 not called yet\n/,
    );
    expect(stdout).toContain('All 7 checks passed.');
    expect(code).toBe(0);
  });

  it('fails the webhooks line for a webhook deactivated in Connect, and advises the sync', async () => {
    // Prepare
    const [webhook] = eventWebhooks();
    emulator.store.updateWebhook(webhook?.id ?? '', { active: false });

    // Act
    const { code, out } = await doctor();

    // Assess
    expect(code).toBe(1);
    expect(section(out, 'webhooks')).toBe(
      [
        `✗ webhooks           1 of 20 not as they should be (products ${FALLBALL}, ${LITE}, base URL ` +
          `http://127.0.0.1:${env.OFFLINE_HTTP_PORT})`,
        `    ${FALLBALL} fulfillment_request event: ${webhook?.id} inactive`,
        '    → npm run webhooks -- sync puts them right (add --dry-run to see its plan first)',
      ].join('\n'),
    );
    expect(out).toMatch(/✓ Connect API key/);
    expect(out).toContain('1 of 7 checks failed.');
  });

  it('fails the Connect line on a wrong API key, with the advice for the local stack', async () => {
    // Act
    const { code, out } = await doctor({ CONNECT_API_KEY: 'ApiKey SU-000-000-000:wrong' });

    // Assess
    expect(code).toBe(1);
    const connect = section(out, 'Connect API key');
    expect(connect).toMatch(/^✗ Connect API key +Connect at .* refused the key: .*401/);
    expect(connect).toContain("→ CONNECT_API_KEY must be the emulator's key");
    expect(out).not.toContain(':wrong');
  });

  it('sees, in the last deliveries, a secret changed by hand in Connect, which the webhooks line cannot', async () => {
    // Prepare
    const [webhook] = eventWebhooks();
    emulator.store.updateWebhook(webhook?.id ?? '', { jwt_secret: 'changed-in-the-portal' });
    await deliverAll();

    // Act
    const { code, out } = await doctor();

    // Assess
    expect(answered.slice(4)).toEqual([401, 202, 202, 202]);
    expect(code).toBe(1);
    expect(out).toMatch(/✓ webhooks/);
    const deliveries = section(out, 'last deliveries');
    expect(deliveries).toMatch(/^✗ last deliveries +1 of 20 webhooks failed their last delivery/);
    expect(deliveries).toMatch(
      new RegExp(`${webhook?.id} \\(${FALLBALL} fulfillment_request event\\): failed at \\S+Z, HTTP 401\\n`),
    );
    expect(deliveries).toContain('--force');
  });

  it('fails the parked line while a request is parked, and passes again once it is released', async () => {
    // Prepare
    const store = createTaskStore({ table: LOCAL_TASKS_TABLE, endpoint: dynamo.endpoint });
    await store.park({
      id: 'PR-7777-0000-0001-001',
      objectClass: 'fulfillment_request',
      type: 'purchase',
      productId: FALLBALL,
      fn: 'purchase',
      version: 'v1',
      reason: 'Connect refused the parameter update',
      now: Date.now(),
    });

    // Act
    const whileParked = await doctor();
    await store.release('PR-7777-0000-0001-001', Date.now());
    const released = await doctor();

    // Assess
    expect(whileParked.code).toBe(1);
    expect(section(whileParked.out, 'parked requests')).toBe(
      [
        '✗ parked requests    1 parked',
        '    PR-7777-0000-0001-001 (Connect refused the parameter update)',
        '    → npm run tasks -- list --state parked, fix the cause, then npm run tasks -- release <id> ' +
          '(docs/operations.md#a-parked-request)',
      ].join('\n'),
    );
    expect(released.code).toBe(0);
  });

  it('says so when no local stack is running', async () => {
    // Prepare
    const [closedConnect, closedDynamo] = await freePorts(2);

    // Act
    const { code, out } = await doctor({
      CONNECT_API_URL: `http://127.0.0.1:${closedConnect}/public/v1`,
      DYNAMODB_PORT: String(closedDynamo),
    });

    // Assess
    expect(code).toBe(1);
    expect(section(out, 'Connect API key')).toContain('→ start the local stack (npm start)');
    expect(section(out, 'parked requests')).toBe(
      [
        `✗ parked requests    the task records could not be read: no local stack at http://127.0.0.1:${closedDynamo}`,
        '    → start the local stack (npm start), or set DYNAMODB_PORT to its port',
      ].join('\n'),
    );
  });
});
