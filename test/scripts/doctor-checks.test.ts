/**
 * `npm run doctor`'s checks with fakes for what they read (scripts/doctor/checks.ts): each check's ✓, and the
 * ✗ with its advice for each way it can go wrong; the CLI's exit codes over a fake target.
 */
import { describe, expect, it } from 'vitest';
import {
  ConnectAuthError,
  ConnectNetworkError,
  type FulfillmentRequest,
  type InvalidItemEvent,
  type ListQuery,
  type Webhook,
} from '../../lib/connect';
import type { TaskRecord } from '../../lib/tasks';
import {
  checkConfiguration,
  checkConnectKey,
  checkDeadLetters,
  checkDeliveries,
  checkParameters,
  checkParked,
  checkWebhooks,
  type DoctorConnect,
  type DoctorReaders,
  formatResults,
  runChecks,
} from '../../scripts/doctor/checks';
import { runCli } from '../../scripts/doctor/cli';
import { localRouterEnv } from '../../scripts/doctor/targets';
import { desiredWebhooks, secretFingerprint } from '../../scripts/webhooks/plan';
import { SettingsError, type SyncSettings } from '../../scripts/webhooks/settings';

const PRODUCT = 'PRD-276-377-545';
const LITE = 'PRD-118-454-903';
const SECRET = 'doctor-secret';
const KEY_PARAMETER = '/connect-fulfillment/prod/api-key';
const SECRETS_PARAMETER = '/connect-fulfillment/prod/webhook-secrets';
const PRODUCTS_PARAMETER = '/connect-fulfillment/prod/products';

const SETTINGS: SyncSettings = {
  service: 'connect-fulfillment',
  stage: 'prod',
  apiUrl: 'https://connect.example/public/v1',
  apiKey: 'ApiKey SU-1:key',
  secret: SECRET,
  baseUrl: 'https://api.example',
  products: [PRODUCT, LITE],
  validationProducts: [],
  source: 'test',
};

/** The webhooks a sync of SETTINGS creates, as Connect lists them. */
function syncedWebhooks(settings: SyncSettings = SETTINGS): Webhook[] {
  return desiredWebhooks(settings, secretFingerprint(settings.secret)).map((want, index) => ({
    id: `WH-000-000-${String(index).padStart(3, '0')}`,
    type: want.type,
    object_class: want.objectClass,
    label: want.label,
    description: want.description,
    product: { id: want.productId, name: null },
    external_url: want.url,
    jwt_secret: null,
    active: true,
    http_method: 'POST',
    data: {},
    headers: {},
  }));
}

/** A Connect client that lists these webhooks and answers the requests listing with `requests` (or throws). */
function fakeConnect(
  webhooks: Webhook[],
  requests: () => FulfillmentRequest[] = () => [],
): DoctorConnect & { queries: ListQuery[] } {
  const queries: ListQuery[] = [];
  return {
    queries,
    requests: {
      async *list(query?: ListQuery) {
        queries.push(query ?? {});
        yield* requests();
      },
    },
    webhooks: {
      async *list() {
        yield* webhooks;
      },
    },
  } as unknown as DoctorConnect & { queries: ListQuery[] };
}

const ROUTER_ENV: NodeJS.ProcessEnv = {
  SERVICE: 'connect-fulfillment',
  STAGE: 'prod',
  CONNECT_API_URL: 'https://connect.example/public/v1',
  CONNECT_API_KEY: '',
  CONNECT_API_KEY_PARAMETER: KEY_PARAMETER,
  CONNECT_WEBHOOK_SECRETS: '',
  CONNECT_WEBHOOK_SECRETS_PARAMETER: SECRETS_PARAMETER,
  CONNECT_PRODUCTS: `${PRODUCT},${LITE}`,
  TASKS_TABLE: 'connect-fulfillment-prod-tasks',
};

const SSM = new Map([
  [KEY_PARAMETER, 'ApiKey SU-1:key'],
  [SECRETS_PARAMETER, `${SECRET},old`],
  [PRODUCTS_PARAMETER, `${PRODUCT},${LITE}`],
]);

const parked = (id: string): TaskRecord =>
  ({ id, state: 'parked', reason: 'handler failed 5 times', outcome: 'failed' }) as TaskRecord;

/** A healthy deployed stage; each test breaks one part. */
function healthyStage(overrides: Partial<DoctorReaders> = {}): DoctorReaders {
  const webhooks = syncedWebhooks();
  return {
    name: 'stage prod (test)',
    stage: 'prod',
    routerEnv: async () => ({ ...ROUTER_ENV }),
    parameters: async (names) =>
      new Map(names.flatMap((name) => (SSM.has(name) ? [[name, SSM.get(name) ?? '']] : []))),
    otherParameters: [PRODUCTS_PARAMETER],
    webhookSettings: async () => SETTINGS,
    connect: () => fakeConnect(webhooks),
    deadLetters: async () => ({ visible: 0, inFlight: 0, url: 'https://sqs.example/dlq' }),
    parked: async () => [],
    ...overrides,
  };
}

describe('the SSM check', () => {
  it('says "local values, no SSM" for the local stack, and reads nothing', async () => {
    // Act
    const { result, resolved } = await checkParameters({ A: '1' }, undefined, [], undefined);

    // Assess
    expect(result).toEqual({ name: 'SSM parameters', ok: true, summary: 'local values, no SSM' });
    expect(resolved).toEqual({ A: '1' });
  });

  it('reads the parameters the router names, and fills the variables they stand for', async () => {
    // Prepare
    const asked: string[][] = [];
    const reader = async (names: readonly string[]) => {
      asked.push([...names]);
      return SSM;
    };

    // Act
    const { result, resolved } = await checkParameters(ROUTER_ENV, reader, [PRODUCTS_PARAMETER], 'prod');

    // Assess
    expect(result.ok).toBe(true);
    expect(asked).toEqual([[KEY_PARAMETER, SECRETS_PARAMETER, PRODUCTS_PARAMETER]]);
    expect(resolved?.CONNECT_API_KEY).toBe('ApiKey SU-1:key');
    expect(resolved?.CONNECT_WEBHOOK_SECRETS).toBe(`${SECRET},old`);
    expect(result.summary).not.toContain('SU-1:key');
  });

  it('names a missing parameter, and one that names no secret', async () => {
    // Act
    const { result, resolved } = await checkParameters(
      ROUTER_ENV,
      async () => new Map([[SECRETS_PARAMETER, ' , ']]),
      [PRODUCTS_PARAMETER],
      'prod',
    );

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toBe(
      `missing or empty: ${KEY_PARAMETER}, ${PRODUCTS_PARAMETER}; ${SECRETS_PARAMETER} names no secret`,
    );
    expect(result.advice).toContain('aws ssm put-parameter');
    expect(resolved).toBeUndefined();
  });

  it('tells an unreadable parameter (access denied) from a missing one, with the permission to ask for', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform ssm:GetParameters'), {
      name: 'AccessDeniedException',
    });

    // Act
    const { result } = await checkParameters(
      ROUTER_ENV,
      async () => {
        throw denied;
      },
      [],
      'prod',
    );

    // Assess
    expect(result.summary).toBe(
      'could not be read: AccessDeniedException: User is not authorized to perform ssm:GetParameters',
    );
    expect(result.advice).toMatch(/ssm:GetParameters .* kms:Decrypt/);
  });

  it('fails a deployed stage whose secrets are in its configuration instead of SSM', async () => {
    // Act
    const { result } = await checkParameters(
      { ...ROUTER_ENV, CONNECT_WEBHOOK_SECRETS_PARAMETER: '' },
      async () => SSM,
      [],
      'dev',
    );

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toContain('no CONNECT_WEBHOOK_SECRETS_PARAMETER');
    expect(result.advice).toContain('stage dev');
  });
});

describe('the configuration check', () => {
  it("parses the router's configuration with the router's requirements", () => {
    // Act
    const { result, config } = checkConfiguration(
      ROUTER_ENV,
      { ...ROUTER_ENV, CONNECT_API_KEY: 'k', CONNECT_WEBHOOK_SECRETS: 's' },
      'prod',
    );

    // Assess
    expect(result.ok).toBe(true);
    expect(result.summary).toContain(`products ${PRODUCT}, ${LITE}, 1 webhook secret`);
    expect(config?.connect.apiKey).toBe('k');
  });

  it('fails on an empty product list, naming the variable, with advice for the stage', () => {
    // Act
    const { result, config } = checkConfiguration(
      { ...ROUTER_ENV, CONNECT_PRODUCTS: '' },
      { ...ROUTER_ENV, CONNECT_PRODUCTS: '', CONNECT_API_KEY: 'k', CONNECT_WEBHOOK_SECRETS: 's' },
      'prod',
    );

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toContain('CONNECT_PRODUCTS: names no product');
    expect(result.advice).toContain('deploy stage prod again');
    expect(config).toBeUndefined();
  });

  it('still checks the rest when the secrets could not be read from SSM', () => {
    // Act
    const unread = checkConfiguration(ROUTER_ENV, undefined, 'prod');
    const broken = checkConfiguration({ ...ROUTER_ENV, DISPATCH_CONCURRENCY: 'many' }, undefined, 'prod');

    // Assess
    expect(unread.result.ok).toBe(true);
    expect(unread.config).toBeUndefined();
    expect(broken.result.summary).toContain('DISPATCH_CONCURRENCY: must be a whole number');
  });

  it("takes npm start's defaults for the local stack: every product, the local key and secret", () => {
    // Act
    const { result } = checkConfiguration(localRouterEnv({}), localRouterEnv({}), undefined);

    // Assess
    expect(result.ok).toBe(true);
    expect(result.summary).toContain('Connect http://127.0.0.1:4010/public/v1, products every product (*)');
  });
});

describe('the Connect API key check', () => {
  const config = {
    connect: { apiUrl: 'https://connect.example/public/v1', apiKey: 'k', timeoutMs: 1 },
    products: [PRODUCT],
  };

  it('reads one request of the configured products', async () => {
    // Prepare
    const connect = fakeConnect([], () => [
      { id: 'PR-1' } as FulfillmentRequest,
      { id: 'PR-2' } as FulfillmentRequest,
    ]);

    // Act
    const result = await checkConnectKey(connect, config, 'prod', KEY_PARAMETER);

    // Assess
    expect(result).toMatchObject({ ok: true, summary: expect.stringContaining('read 1 request') });
    expect(connect.queries).toEqual([{ filter: `in(asset.product.id,(${PRODUCT}))`, pageSize: 1 }]);
  });

  it('fails on a refused key, and says where the key lives', async () => {
    // Prepare
    const refused = new ConnectAuthError({
      method: 'GET',
      path: '/requests',
      status: 401,
      errorCode: 'AUTH_001',
    });
    const connect = fakeConnect([], () => {
      throw refused;
    });

    // Act
    const stage = await checkConnectKey(connect, config, 'prod', KEY_PARAMETER);
    const local = await checkConnectKey(connect, config, undefined, 'CONNECT_API_KEY');

    // Assess
    expect(stage.ok).toBe(false);
    expect(stage.summary).toContain('refused the key: Connect GET /requests failed with 401 AUTH_001');
    expect(stage.advice).toContain(`put a valid key in ${KEY_PARAMETER}`);
    expect(local.advice).toContain("CONNECT_API_KEY must be the emulator's key");
  });

  it('fails on an unreachable Connect, advising to start the local stack', async () => {
    // Prepare
    const down = new ConnectNetworkError({ method: 'GET', path: '/requests', message: 'fetch failed' });

    // Act
    const result = await checkConnectKey(
      fakeConnect([], () => {
        throw down;
      }),
      config,
      undefined,
      'CONNECT_API_KEY',
    );

    // Assess
    expect(result).toMatchObject({
      ok: false,
      summary: expect.stringContaining('did not answer: fetch failed'),
    });
    expect(result.advice).toContain('npm start');
  });

  it('is not tried without a configuration', async () => {
    // Act
    const result = await checkConnectKey(undefined, undefined, 'prod', KEY_PARAMETER);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/^not tried/);
  });
});

describe('the webhooks check', () => {
  const readersWith = (webhooks: Webhook[]) => ({
    stage: 'prod',
    webhookSettings: async () => SETTINGS,
    connect: () => fakeConnect(webhooks),
  });

  it('passes when the sync has nothing to do, and returns our webhooks for the delivery check', async () => {
    // Act
    const { result, ours } = await checkWebhooks(readersWith(syncedWebhooks()));

    // Assess
    expect(result).toEqual({
      name: 'webhooks',
      ok: true,
      summary: 'all 4 webhooks of 2 products exist, are active and point at https://api.example',
    });
    expect(ours).toHaveLength(4);
  });

  it('names the missing, the inactive and the misdirected one, and advises the sync of the stage', async () => {
    // Prepare
    const [first, second, third, ...rest] = syncedWebhooks();
    const webhooks = [
      { ...(second as Webhook), active: false },
      { ...(third as Webhook), external_url: 'https://old.example/connect/webhook' },
      ...rest,
    ];

    // Act
    const { result, ours } = await checkWebhooks(readersWith(webhooks));

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toBe(
      '3 of 4 not as they should be (products PRD-276-377-545, PRD-118-454-903, base URL https://api.example)',
    );
    expect(result.details).toEqual([
      `${PRODUCT} fulfillment_request event: missing`,
      `${PRODUCT} tier_config_request event: ${second?.id} inactive`,
      `${LITE} fulfillment_request event: ${third?.id} points at https://old.example/connect/webhook`,
    ]);
    expect(result.advice).toBe(
      'npm run webhooks -- sync --stage prod puts them right (add --dry-run to see its plan first)',
    );
    expect(ours?.map((webhook) => webhook.id)).toEqual([third?.id, rest[0]?.id]);
    expect(first).toBeDefined();
  });

  it('fails with the settings error (no products) and the local advice', async () => {
    // Act
    const { result, ours } = await checkWebhooks({
      stage: undefined,
      webhookSettings: async () => {
        throw new SettingsError('No products configured (CONNECT_PRODUCTS)');
      },
      connect: () => fakeConnect([]),
    });

    // Assess
    expect(result).toMatchObject({ ok: false, summary: 'No products configured (CONNECT_PRODUCTS)' });
    expect(result.advice).toContain('set CONNECT_PRODUCTS');
    expect(ours).toBeUndefined();
  });

  it('fails when Connect lists a webhook it cannot read (it could be ours)', async () => {
    // Act
    const { result } = await checkWebhooks({
      stage: 'prod',
      webhookSettings: async () => SETTINGS,
      connect: (options) => {
        const client = fakeConnect(syncedWebhooks());
        const event: InvalidItemEvent = {
          path: '/notifications/webhooks',
          id: 'WH-9',
          issues: ['active: required'],
        };
        options.onInvalidItem?.(event);
        return client;
      },
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toContain('WH-9 (active: required)');
  });
});

describe('the delivery check', () => {
  const at = (time: string, status_code: number) => ({ time, status: 'x', status_code });
  const [one, two] = syncedWebhooks();
  const webhook = (last: Partial<Webhook>): Webhook => ({ ...(one as Webhook), ...last });

  it('fails a webhook whose last failure is newer than its last success, with the 401 advice', () => {
    // Prepare
    const failing = webhook({
      last_success: at('2026-01-01T10:00:00+00:00', 202),
      last_failure: at('2026-01-01T11:00:00+00:00', 401),
    });

    // Act
    const result = checkDeliveries([failing, two as Webhook], 'prod');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toBe('1 of 2 webhooks failed their last delivery');
    expect(result.details).toEqual([
      `${one?.id} (${PRODUCT} fulfillment_request event): failed at 2026-01-01T11:00:00Z, HTTP 401`,
    ]);
    expect(result.advice).toContain(
      '#a-burst-of-401s-at-the-webhook (npm run webhooks -- sync --stage prod --force)',
    );
  });

  it('fails a webhook that failed and never succeeded, advising the router log otherwise', () => {
    // Act
    const result = checkDeliveries([webhook({ last_failure: at('2026-01-01T11:00:00Z', 503) })], 'prod');

    // Assess
    expect(result.details?.[0]).toMatch(/HTTP 503, never succeeded$/);
    expect(result.advice).toContain("read the router's log");
  });

  it('passes when every last failure is older than a later success, and says when nothing was delivered', () => {
    // Act
    const recovered = checkDeliveries(
      [
        webhook({
          last_success: at('2026-01-01T12:00:00Z', 202),
          last_failure: at('2026-01-01T11:00:00Z', 503),
        }),
        two as Webhook,
      ],
      'prod',
    );
    const none = checkDeliveries([two as Webhook], 'prod');

    // Assess
    expect(recovered).toMatchObject({
      ok: true,
      summary: '1 of 2 last delivered successfully (latest 2026-01-01T12:00:00Z); 1 not called yet',
    });
    expect(none).toMatchObject({ ok: true, summary: 'none of the 1 webhooks called yet (none failed)' });
  });

  it('is a ✗ when the webhooks could not be read', () => {
    expect(checkDeliveries(undefined, 'prod').ok).toBe(false);
  });
});

describe('the dead-letter queue and parked checks', () => {
  it('says the local stack has no SQS, and passes an empty queue', async () => {
    // Act
    const local = await checkDeadLetters(undefined);
    const empty = await checkDeadLetters(async () => ({ visible: 0, inFlight: 0, url: 'u' }));

    // Assess
    expect(local).toMatchObject({ ok: true, summary: expect.stringContaining('no SQS') });
    expect(empty).toMatchObject({ ok: true, summary: 'empty' });
  });

  it('fails on any message, counting those being read, with the runbook', async () => {
    // Act
    const result = await checkDeadLetters(async () => ({
      visible: 2,
      inFlight: 1,
      url: 'https://sqs.example/dlq',
    }));

    // Assess
    expect(result.summary).toBe('3 messages (1 being read) in https://sqs.example/dlq');
    expect(result.advice).toContain('docs/operations.md#a-message-in-the-dead-letter-queue');
  });

  it('fails on parked requests, listing them and how to release them', async () => {
    // Act
    const result = await checkParked(async () => [parked('PR-1'), parked('PR-2')], 'prod');
    const none = await checkParked(async () => [], 'prod');
    const down = await checkParked(async () => {
      throw new Error('no local stack at http://127.0.0.1:4567');
    }, undefined);

    // Assess
    expect(result).toMatchObject({ ok: false, summary: '2 parked' });
    expect(result.details).toEqual(['PR-1 (handler failed 5 times)', 'PR-2 (handler failed 5 times)']);
    expect(result.advice).toContain('npm run tasks -- list --state parked --stage prod');
    expect(none).toMatchObject({ ok: true, summary: 'none' });
    expect(down).toMatchObject({ ok: false, advice: expect.stringContaining('npm start') });
  });
});

describe('all the checks', () => {
  it('pass for a healthy stage, in order, and the report says so', async () => {
    // Act
    const results = await runChecks(healthyStage());
    const report = formatResults(results);

    // Assess
    expect(results.map((result) => [result.name, result.ok])).toEqual([
      ['configuration', true],
      ['SSM parameters', true],
      ['Connect API key', true],
      ['webhooks', true],
      ['last deliveries', true],
      ['dead-letter queue', true],
      ['parked requests', true],
    ]);
    expect(report.at(-1)).toBe('All 7 checks passed.');
    expect(report[0]).toMatch(/^✓ configuration {6}the router's configuration parses/);
  });

  it('use the key read from SSM for the Connect read', async () => {
    // Prepare
    const keys: string[] = [];

    // Act
    await runChecks(
      healthyStage({
        connect: (options) => {
          keys.push(options.apiKey);
          return fakeConnect(syncedWebhooks());
        },
      }),
    );

    // Assess
    expect(keys).toEqual(['ApiKey SU-1:key', SETTINGS.apiKey]);
  });

  it('go on past a check that throws or a router that cannot be read', async () => {
    // Act
    const results = await runChecks(
      healthyStage({
        routerEnv: async () => {
          throw new Error('Function not found: connect-fulfillment-prod-router');
        },
        parked: async () => [parked('PR-1')],
      }),
    );
    const report = formatResults(results);

    // Assess
    expect(results.map((result) => result.ok)).toEqual([false, false, false, true, true, true, false]);
    expect(report).toContain(
      "✗ configuration      the router's configuration could not be read: Function not found: connect-fulfillment-prod-router",
    );
    expect(report).toContain('    → fix the configuration and the SSM parameters first');
    expect(report.at(-1)).toBe('4 of 7 checks failed.');
  });
});

describe('the doctor command', () => {
  async function doctor(argv: string[], readers: DoctorReaders) {
    const out: string[] = [];
    const err: string[] = [];
    const targets: unknown[] = [];
    const code = await runCli(
      argv,
      { AWS_REGION: 'eu-west-1' },
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      {
        target: (options) => {
          targets.push(options);
          return readers;
        },
      },
    );
    return { code, out: out.join('\n'), err: err.join('\n'), targets };
  }

  it('exits 0 when every check passes, 1 when one fails, 2 on bad usage', async () => {
    // Act
    const healthy = await doctor(['--stage', 'prod'], healthyStage());
    const broken = await doctor(
      ['--stage', 'prod'],
      healthyStage({ deadLetters: async () => ({ visible: 1, inFlight: 0, url: 'q' }) }),
    );
    const usage = await doctor(['--stag', 'prod'], healthyStage());
    const badStage = await doctor(['--stage', 'prod;rm'], healthyStage());

    // Assess
    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/^Doctor of connect-fulfillment, stage prod \(test\):\n✓ configuration/);
    expect(healthy.targets).toEqual([
      { stage: 'prod', region: 'eu-west-1', env: { AWS_REGION: 'eu-west-1' } },
    ]);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('✗ dead-letter queue  1 message (0 being read) in q');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Usage: npm run doctor');
    expect(badStage.code).toBe(2);
  });
});
