import { afterEach, describe, expect, it, vi } from 'vitest';
import { loggingConfig } from '../../../lib/config';
import {
  appendRequestContext,
  createLogger,
  redactingJsonReplacer,
  redactSecrets,
  resetRequestContext,
} from '../../../lib/observability';
import { captureOutput } from '../../support/capture-output';

const API_KEY = 'ApiKey SU-123-456-789:0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ3ZWJob29rX2lkIjoiV0gtMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('redactSecrets', () => {
  it.each([
    [`calling with ${API_KEY} now`, 'calling with ApiKey [REDACTED] now'],
    ['key SU-123-456-789:abcdef0123', 'key ApiKey [REDACTED]'],
    [`Authorization: Bearer ${JWT}`, 'Authorization: Bearer [REDACTED]'],
    [`token ${JWT} leaked`, 'token [REDACTED] leaked'],
    ['{"h":"bearer abc.def"}', '{"h":"Bearer [REDACTED]"}'],
  ])('masks %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text unchanged', () => {
    const text = 'PR-1234-5678-9012-001 approved for PRD-000-000-001 (SUBSCRIPTION)';

    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactingJsonReplacer', () => {
  it('masks secret-named keys and secret-looking strings at any depth', () => {
    const record = {
      message: 'x',
      headers: { Authorization: 'whatever', accept: 'application/json' },
      config: { apiKey: 'plain', nested: [`see ${API_KEY}`] },
    };

    const json = JSON.parse(JSON.stringify(record, redactingJsonReplacer)) as unknown;

    expect(json).toEqual({
      message: 'x',
      headers: { Authorization: '[REDACTED]', accept: 'application/json' },
      config: { apiKey: '[REDACTED]', nested: ['see ApiKey [REDACTED]'] },
    });
  });
});

describe('logger', () => {
  it('redacts secrets in messages, attributes and errors of the emitted JSON', () => {
    // Prepare
    const output = captureOutput();
    const logger = createLogger(loggingConfig({ POWERTOOLS_SERVICE_NAME: 'svc-test' }));

    // Act
    logger.error(`request failed with ${API_KEY}`, {
      error: new Error(`upstream said Bearer ${JWT}`),
      header: `Bearer ${JWT}`,
    });

    // Assess
    const [line] = output.lines();
    const text = JSON.stringify(line);
    expect(text).not.toContain('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(text).not.toContain(JWT);
    expect(line).toMatchObject({
      level: 'ERROR',
      service: 'svc-test',
      message: 'request failed with ApiKey [REDACTED]',
      header: 'Bearer [REDACTED]',
      error: { message: 'upstream said Bearer [REDACTED]' },
    });
  });

  it('defaults the service name to connect-fulfillment', () => {
    const output = captureOutput();
    const logger = createLogger(loggingConfig({}));

    logger.info('hello');

    expect(output.lines()[0]).toMatchObject({ service: 'connect-fulfillment', message: 'hello' });
  });

  it('logs DEBUG only when POWERTOOLS_LOG_LEVEL asks for it', () => {
    // Prepare
    const output = captureOutput();
    const quiet = createLogger(loggingConfig({}));
    const verbose = createLogger(loggingConfig({ POWERTOOLS_LOG_LEVEL: 'debug' }));

    // Act
    quiet.debug('hidden');
    verbose.debug('shown');

    // Assess
    expect(output.lines().map((line) => line.message)).toEqual(['shown']);
  });

  it('appends request context in snake_case and resets it', () => {
    // Prepare
    const output = captureOutput();
    const logger = createLogger(loggingConfig({}));

    // Act
    appendRequestContext(
      {
        requestId: 'PR-1',
        assetId: 'AS-1',
        productId: 'PRD-1',
        requestType: 'purchase',
        correlationId: 'c-1',
      },
      logger,
    );
    logger.info('with context');
    resetRequestContext(logger);
    logger.info('without context');

    // Assess
    const [first, second] = output.lines();
    expect(first).toMatchObject({
      request_id: 'PR-1',
      asset_id: 'AS-1',
      product_id: 'PRD-1',
      request_type: 'purchase',
      correlation_id: 'c-1',
    });
    expect(second).not.toHaveProperty('request_id');
    expect(second).not.toHaveProperty('correlation_id');
  });
});
