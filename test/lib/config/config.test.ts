import { describe, expect, it } from 'vitest';
import {
  acceptsProduct,
  ConfigError,
  loadConfig,
  OFFLINE_CONNECT_API_URL,
  parseActivationTemplates,
  TASK_DEFAULTS,
} from '../../../lib/config';

const API_KEY = 'ApiKey SU-111-222-333:9a8b7c6d5e4f';
const SECRET = 'whsec-super-secret-value';

function baseEnv(): NodeJS.ProcessEnv {
  return { CONNECT_API_URL: 'https://api.example.test/public/v1/', CONNECT_API_KEY: API_KEY };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses every variable', () => {
    // Prepare
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(),
      CONNECT_WEBHOOK_SECRETS: ` ${SECRET} , ,old-secret,`,
      CONNECT_PRODUCTS: 'PRD-1, PRD-2',
      CONNECT_ACTIVATION_TEMPLATE_ID: 'TL-111',
      CONNECT_TIER_TEMPLATE_ID: 'TL-222',
      TASKS_TABLE: 'connect-fulfillment-dev-tasks',
      TASK_LEASE_SECONDS: '600',
      MAX_HANDLER_FAILURES: '3',
      SCHEDULE_GROUP: 'connect-fulfillment-dev',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
      DISPATCH_FUNCTION: 'dispatch',
      DISPATCH_CONCURRENCY: '16',
      CONNECT_TIMEOUT_MS: '2500',
    };

    // Act
    const config = loadConfig(env, {
      requireWebhookSecrets: true,
      requireTasksTable: true,
      requireProducts: true,
    });

    // Assess
    const { templates, ...rest } = config;
    expect(rest).toEqual({
      connect: { apiUrl: 'https://api.example.test/public/v1', apiKey: API_KEY, timeoutMs: 2500 },
      webhookSecrets: [SECRET, 'old-secret'],
      products: ['PRD-1', 'PRD-2'],
      dispatch: {
        concurrency: 16,
        functionPrefix: undefined,
        listingBudgetMs: 20_000,
        dispatcherFunction: 'dispatch',
      },
      tasks: {
        table: 'connect-fulfillment-dev-tasks',
        leaseSeconds: 600,
        skipRetrySeconds: 120,
        maxFailures: 3,
        failureRetrySeconds: 30,
        outageRetrySeconds: 60,
        maxReschedules: 1000,
        maxRescheduleDays: 30,
        retentionDays: 30,
      },
      scheduler: {
        group: 'connect-fulfillment-dev',
        roleArn: 'arn:aws:iam::123456789012:role/scheduler',
        deadLetterArn: undefined,
        endpoint: undefined,
      },
      validation: { onError: 'open', deadlineMs: 5000 },
      aws: { region: 'us-east-1', lambdaEndpoint: undefined, dynamoEndpoint: undefined },
    });
    expect(templates.activation('PRD-ANY')).toBe('TL-111');
    expect(templates.tier).toBe('TL-222');
  });

  it('applies defaults for the optional variables', () => {
    const config = loadConfig({ ...baseEnv(), CONNECT_PRODUCTS: '', CONNECT_ACTIVATION_TEMPLATE_ID: ' ' });

    expect(config).toMatchObject({
      webhookSecrets: [],
      products: [],
      templates: { tier: undefined },
      tasks: { table: undefined, ...TASK_DEFAULTS },
      dispatch: { concurrency: 8, dispatcherFunction: 'dispatch' },
      connect: { timeoutMs: 15_000 },
    });
    expect(config.templates.activation('PRD-ANY')).toBeUndefined();
  });

  it('refuses a function that acts per product when CONNECT_PRODUCTS is unset or empty', () => {
    for (const value of [undefined, '', ' , ']) {
      const error = configError(() =>
        loadConfig({ ...baseEnv(), CONNECT_PRODUCTS: value }, { requireProducts: true }),
      );
      expect(error.issues).toEqual([
        'CONNECT_PRODUCTS: names no product; list the products (comma list), or * for every product',
      ]);
    }
    expect(loadConfig({ ...baseEnv(), CONNECT_PRODUCTS: '*' }, { requireProducts: true }).products).toEqual([
      '*',
    ]);
  });

  it.each([
    ['TASK_LEASE_SECONDS', '120', 'must be at least 180'],
    ['TASK_LEASE_SECONDS', '86401', 'must be at most 86400'],
    ['MAX_HANDLER_FAILURES', 'five', 'must be a whole number'],
    ['MAX_RESCHEDULE_DAYS', '366', 'must be at most 365'],
  ])('rejects %s=%s', (name, value, message) => {
    const error = configError(() => loadConfig({ ...baseEnv(), [name]: value }));

    expect(error.issues).toEqual([`${name}: ${message}`]);
  });

  it('defaults the API URL to the local emulator only under serverless-offline', () => {
    const env = { CONNECT_API_KEY: API_KEY };

    expect(loadConfig({ ...env, IS_OFFLINE: 'true' }).connect.apiUrl).toBe(OFFLINE_CONNECT_API_URL);
    expect(configError(() => loadConfig(env)).issues).toEqual(['CONNECT_API_URL: is required']);
  });

  it('refuses plain http to anything but this machine: the API key must not travel in clear', () => {
    const base = { CONNECT_API_KEY: API_KEY };
    expect(
      configError(() => loadConfig({ ...base, CONNECT_API_URL: 'http://connect.example.test/public/v1' }))
        .issues,
    ).toEqual(['CONNECT_API_URL: must use https (plain http only to localhost)']);
    expect(loadConfig({ ...base, CONNECT_API_URL: 'http://127.0.0.1:4010/public/v1' }).connect.apiUrl).toBe(
      'http://127.0.0.1:4010/public/v1',
    );
    expect(loadConfig({ ...base, CONNECT_API_URL: 'http://localhost:4010/public/v1' }).connect.apiUrl).toBe(
      'http://localhost:4010/public/v1',
    );
    expect(loadConfig({ ...base, CONNECT_API_URL: 'http://[::1]:4010/public/v1' }).connect.apiUrl).toBe(
      'http://[::1]:4010/public/v1',
    );
  });

  it('lists every problem, each naming its variable', () => {
    const error = configError(() =>
      loadConfig(
        { CONNECT_API_URL: 'ftp://example.test', DISPATCH_CONCURRENCY: 'many' },
        { requireWebhookSecrets: true, requireTasksTable: true, requireProducts: true },
      ),
    );

    expect(error.name).toBe('ConfigError');
    expect(error.issues).toEqual([
      'CONNECT_API_URL: must be an http(s) URL',
      'CONNECT_API_KEY: is required',
      'CONNECT_WEBHOOK_SECRETS: needs at least one secret',
      'TASKS_TABLE: is required',
      'CONNECT_PRODUCTS: names no product; list the products (comma list), or * for every product',
      'DISPATCH_CONCURRENCY: must be a whole number',
    ]);
  });

  it.each([
    ['0', 'must be at least 1'],
    ['2.5', 'must be a whole number'],
    ['101', 'must be at most 100'],
  ])('rejects DISPATCH_CONCURRENCY=%s', (value, message) => {
    const error = configError(() => loadConfig({ ...baseEnv(), DISPATCH_CONCURRENCY: value }));

    expect(error.issues).toEqual([`DISPATCH_CONCURRENCY: ${message}`]);
  });

  it.each([
    ['0', 'must be at least 1'],
    ['1.5', 'must be a whole number of milliseconds'],
    ['soon', 'must be a whole number of milliseconds'],
  ])('rejects CONNECT_TIMEOUT_MS=%s', (value, message) => {
    const error = configError(() => loadConfig({ ...baseEnv(), CONNECT_TIMEOUT_MS: value }));

    expect(error.issues).toEqual([`CONNECT_TIMEOUT_MS: ${message}`]);
  });

  it('never echoes a secret or a bad value in the error', () => {
    // Prepare
    const badUrl = `https://user:${SECRET}@[broken`;

    // Act
    const error = configError(() =>
      loadConfig(
        { CONNECT_API_URL: badUrl, CONNECT_API_KEY: API_KEY, CONNECT_WEBHOOK_SECRETS: ' , ' },
        { requireWebhookSecrets: true },
      ),
    );

    // Assess
    const rendered = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(rendered).not.toContain(SECRET);
    expect(rendered).not.toContain('9a8b7c6d5e4f');
    expect(error.issues).toEqual([
      'CONNECT_API_URL: must be an http(s) URL',
      'CONNECT_WEBHOOK_SECRETS: needs at least one secret',
    ]);
  });
});

describe('acceptsProduct', () => {
  it('accepts nothing when the list is empty: fail closed, never every product by omission', () => {
    expect(acceptsProduct({ products: [] }, 'PRD-9')).toBe(false);
  });

  it('accepts every product only when the list says * explicitly', () => {
    expect(acceptsProduct({ products: ['*'] }, 'PRD-9')).toBe(true);
    expect(acceptsProduct({ products: ['PRD-1', '*'] }, 'PRD-9')).toBe(true);
  });

  it('accepts only the listed products otherwise', () => {
    expect(acceptsProduct({ products: ['PRD-1'] }, 'PRD-1')).toBe(true);
    expect(acceptsProduct({ products: ['PRD-1'] }, 'PRD-9')).toBe(false);
  });
});

describe('parseActivationTemplates', () => {
  it('reads one template for all products', () => {
    const templates = parseActivationTemplates(' TL-1-2-3 ');
    expect(templates('PRD-A')).toBe('TL-1-2-3');
  });

  it('reads per-product templates with a wildcard default', () => {
    const templates = parseActivationTemplates('PRD-A:TL-A, PRD-B:TL-B, *:TL-DEFAULT');
    expect([templates('PRD-A'), templates('PRD-B'), templates('PRD-C')]).toEqual([
      'TL-A',
      'TL-B',
      'TL-DEFAULT',
    ]);
  });

  it('has no template when unset or empty', () => {
    expect(parseActivationTemplates(undefined)('PRD-A')).toBeUndefined();
    expect(parseActivationTemplates('')('PRD-A')).toBeUndefined();
  });

  it('refuses a value that is not a template id, naming the variable', () => {
    expect(() => parseActivationTemplates('PRD-A:oops')).toThrow(/CONNECT_ACTIVATION_TEMPLATE_ID/);
  });
});

describe('the validation section', () => {
  const base = { CONNECT_API_URL: 'https://api.example.test/public/v1', CONNECT_API_KEY: 'ApiKey SU-1:k' };

  it('reads the failure policy and the deadline', () => {
    expect(
      loadConfig({ ...base, VALIDATION_ON_ERROR: 'Closed', VALIDATION_DEADLINE_MS: '800' }).validation,
    ).toEqual({
      onError: 'closed',
      deadlineMs: 800,
    });
  });

  it('refuses an unknown policy and a deadline API Gateway would not wait for', () => {
    expect(() => loadConfig({ ...base, VALIDATION_ON_ERROR: 'ajar' })).toThrow(
      'VALIDATION_ON_ERROR: must be open or closed',
    );
    expect(() => loadConfig({ ...base, VALIDATION_DEADLINE_MS: '30000' })).toThrow(
      'VALIDATION_DEADLINE_MS: must be at most 25000',
    );
  });
});
