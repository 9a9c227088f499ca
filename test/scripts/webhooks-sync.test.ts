/**
 * `npm run webhooks -- sync` against the real emulator, through the CLI's own entry (runCli), with the local
 * settings (no --stage) pointed at the emulator: create, unchanged, foreign webhooks, a changed URL or
 * secret, a dry run, and a registered webhook that really delivers to the URL with the secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../emulator';
import { runCli } from '../../scripts/webhooks/cli';

const FALLBALL = 'PRD-276-377-545';
const LITE = 'PRD-118-454-903';
const SECRET = 'JWT-sync-test-secret';
let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, webhookCoalesceMs: 0 });
});
afterAll(() => emulator.stop());
afterEach(() => emulator.reset());

async function sync(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['sync', ...args],
    {
      CONNECT_API_URL: emulator.url,
      CONNECT_PRODUCTS: `${FALLBALL},${LITE}`,
      CONNECT_VALIDATION_PRODUCTS: LITE,
      CONNECT_WEBHOOK_SECRETS: SECRET,
      ...env,
    },
    { out: (line) => out.push(line), err: (line) => err.push(line) },
    {
      aws: () => {
        throw new Error('no AWS in these tests');
      },
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const webhooks = () => emulator.store.listWebhooks();
const secretOf = (id: string) => emulator.store.webhookForDelivery(id)?.jwt_secret;
const changesSent = () =>
  emulator.calls().filter((call) => call.method !== 'GET' && call.path.includes('/notifications/webhooks'));

describe('webhooks sync against the emulator', () => {
  it('creates the event webhooks of every product and the validators of the validation products', async () => {
    // Act
    const { code, out } = await sync();

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('20 created, 0 unchanged.');
    const all = webhooks();
    expect(all).toHaveLength(20);
    const events = all.filter((webhook) => webhook.type === 'event');
    expect(events.map((webhook) => [webhook.product.id, webhook.object_class, webhook.label])).toEqual([
      [FALLBALL, 'fulfillment_request', 'connect-fulfillment:local:fulfillment_request:event'],
      [FALLBALL, 'tier_config_request', 'connect-fulfillment:local:tier_config_request:event'],
      [LITE, 'fulfillment_request', 'connect-fulfillment:local:fulfillment_request:event'],
      [LITE, 'tier_config_request', 'connect-fulfillment:local:tier_config_request:event'],
    ]);
    expect(new Set(events.map((webhook) => webhook.external_url))).toEqual(
      new Set(['http://127.0.0.1:3000/connect/webhook']),
    );
    const validators = all.filter((webhook) => webhook.type !== 'event');
    expect(new Set(validators.map((webhook) => webhook.product.id))).toEqual(new Set([LITE]));
    expect(new Set(validators.map((webhook) => webhook.external_url))).toEqual(
      new Set(['http://127.0.0.1:3000/connect/validate']),
    );
    expect(all.every((webhook) => webhook.active && secretOf(webhook.id) === SECRET)).toBe(true);
    expect(all[0]?.description).toMatch(/^Managed by connect-fulfillment .*Secret fingerprint [\w-]{22}\.$/);
  });

  it('changes nothing on a second run, and says so', async () => {
    // Prepare
    await sync();
    const before = structuredClone(webhooks());
    const sentBefore = changesSent().length;

    // Act
    const { code, out } = await sync();

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('Nothing to change: 20 webhooks up to date.');
    expect(changesSent()).toHaveLength(sentBefore);
    expect(webhooks()).toEqual(before);
  });

  it('leaves a foreign webhook of the same product alone, and lists it', async () => {
    // Prepare
    const foreign = emulator.store.createWebhook({
      label: 'Fallball (set up by hand)',
      description: 'ops',
      object_class: 'fulfillment_request',
      product_id: FALLBALL,
      external_url: 'https://hooks.example.com/fallball',
      jwt_secret: 'their-secret',
      active: true,
    });

    // Act
    await sync();
    const { out } = await sync(['--url', 'http://127.0.0.1:3999'], { CONNECT_WEBHOOK_SECRETS: 'rotated' });

    // Assess
    expect(emulator.store.getWebhook(foreign.id)).toEqual(foreign);
    expect(secretOf(foreign.id)).toBe('their-secret');
    expect(out).toContain('Left alone (not created by this sync):');
    expect(out).toMatch(new RegExp(`${FALLBALL} +fulfillment_request +event +${foreign.id} +yes`));
  });

  it('updates a changed URL and a changed secret (the first of the list), in place', async () => {
    // Prepare
    await sync();
    const ids = webhooks().map((webhook) => webhook.id);

    // Act
    const moved = await sync(['--url', 'http://127.0.0.1:3999/']);
    const rotated = await sync(['--url', 'http://127.0.0.1:3999'], { CONNECT_WEBHOOK_SECRETS: 'new,old' });
    const again = await sync(['--url', 'http://127.0.0.1:3999'], { CONNECT_WEBHOOK_SECRETS: 'new,old' });

    // Assess
    expect(moved.out).toContain('20 updated, 0 unchanged.');
    expect(moved.out).toMatch(/fulfillment_request +event +update +WH-[\d-]+ +url\n/);
    expect(rotated.out).toMatch(/tier_config_request +event +update +WH-[\d-]+ +secret\n/);
    expect(again.out).toContain('Nothing to change: 20 webhooks up to date.');
    expect(webhooks().map((webhook) => webhook.id)).toEqual(ids);
    expect(webhooks().find((webhook) => webhook.type === 'event')?.external_url).toBe(
      'http://127.0.0.1:3999/connect/webhook',
    );
    expect(ids.every((id) => secretOf(id) === 'new')).toBe(true);
  });

  it('cannot see a secret changed by hand in Connect; --force writes the stage secret again', async () => {
    // Prepare
    await sync();
    const [first] = webhooks();
    emulator.store.updateWebhook(first?.id ?? '', { jwt_secret: 'changed-in-the-portal' });

    // Act
    const plain = await sync();
    const forced = await sync(['--force']);

    // Assess
    expect(plain.out).toContain('Nothing to change: 20 webhooks up to date.');
    expect(forced.out).toMatch(/fulfillment_request +event +update +WH-[\d-]+ +forced\n/);
    expect(forced.out).toContain('20 updated, 0 unchanged.');
    expect(secretOf(first?.id ?? '')).toBe(SECRET);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    // Prepare
    await sync(['--url', 'http://127.0.0.1:3000']);
    const before = structuredClone(webhooks());
    const sentBefore = changesSent().length;

    // Act
    const first = await sync(['--dry-run'], { CONNECT_PRODUCTS: `${FALLBALL},${LITE},PRD-000-000-001` });
    const moved = await sync(['--dry-run', '--url', 'http://127.0.0.1:3999']);

    // Assess
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Webhooks of connect-fulfillment, stage local, .*\(dry run\)\./);
    expect(first.out).toMatch(/PRD-000-000-001 +fulfillment_request +event +create +-/);
    expect(first.out).toContain('Dry run, nothing changed: 2 to create, 20 unchanged.');
    expect(moved.out).toContain('Dry run, nothing changed: 20 to update, 0 unchanged.');
    expect(changesSent()).toHaveLength(sentBefore);
    expect(webhooks()).toEqual(before);
  });

  it('fails with exit code 1 and a message when the configuration is incomplete, 2 on bad usage', async () => {
    // Act
    // (Without CONNECT_PRODUCTS the local sync takes the samples' products, as npm start does.)
    const noProducts = await sync([], { CONNECT_PRODUCTS: '*' });
    const badKey = await sync([], { CONNECT_API_KEY: 'ApiKey SU-000-000-000:wrong' });
    const usage = await sync(['--stag', 'prod']);

    // Assess
    expect(noProducts).toMatchObject({ code: 1, err: expect.stringContaining('every product') });
    expect(badKey.code).toBe(1);
    expect(badKey.err).not.toContain('wrong');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Usage: npm run webhooks -- sync');
    expect(webhooks()).toEqual([]);
  });
});

describe('a synced webhook', () => {
  let server: Server;
  const tokens: string[] = [];
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      tokens.push(String(req.headers.authorization ?? ''));
      req.resume().on('end', () => res.writeHead(202).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers to <base>/connect/webhook with a JWT signed by the synced secret', async () => {
    // Prepare
    await sync(['--url', base], { CONNECT_PRODUCTS: FALLBALL, CONNECT_VALIDATION_PRODUCTS: '' });
    const [webhook] = webhooks();

    // Act
    await fetch(`${emulator.url}/notifications/webhooks/${webhook?.id}/trigger`, {
      method: 'POST',
      headers: { Authorization: 'ApiKey SU-000-000-000:local-emulator-key' },
    });
    await emulator.webhooksIdle();

    // Assess
    expect(tokens).toHaveLength(1);
    const token = tokens[0]?.replace(/^Bearer /, '') ?? '';
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(payload.webhook_id).toBe(webhook?.id);
  });
});
