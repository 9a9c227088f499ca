import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loggerMiddleware } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { AWS_SDK_LOGGER, awsClientConfig, LOCAL_AWS_CREDENTIALS } from '../../../lib/config';

describe('awsClientConfig', () => {
  it('points a client at a local endpoint with dummy credentials and a default region', () => {
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:4567' })).toEqual({
      cacheMiddleware: true,
      logger: AWS_SDK_LOGGER,
      endpoint: 'http://127.0.0.1:4567',
      region: 'us-east-1',
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:4567', region: 'eu-west-1' }).region).toBe(
      'eu-west-1',
    );
  });

  it("leaves region and credentials to the runtime without an endpoint, and sets no account's keys", () => {
    expect(awsClientConfig()).toEqual({ cacheMiddleware: true, logger: AWS_SDK_LOGGER });
    expect(awsClientConfig({ region: 'eu-west-1' })).toEqual({
      cacheMiddleware: true,
      logger: AWS_SDK_LOGGER,
      region: 'eu-west-1',
    });
    expect(awsClientConfig({ endpoint: '', region: 'eu-west-1' })).not.toHaveProperty('credentials');
  });

  it('hands each client a copy of the local credentials, never the shared object', () => {
    const first = awsClientConfig({ endpoint: 'http://127.0.0.1:1' }).credentials;
    expect(first).not.toBe(LOCAL_AWS_CREDENTIALS);
  });

  it("passes the SDK's warnings to standard error and keeps its info and error lines out", () => {
    const warned: unknown[][] = [];
    const original = console.warn;
    console.warn = (...content: unknown[]) => {
      warned.push(content);
    };
    try {
      // Act: the HTTP handler's warning, then what the SDK's logger middleware writes on every call.
      const sdk: Record<'warn' | 'info' | 'error', (...content: unknown[]) => void> = AWS_SDK_LOGGER;
      sdk.warn('socket usage at capacity=50');
      sdk.info({ commandName: 'UpdateItemCommand' });
      sdk.error({ commandName: 'UpdateItemCommand', error: 'ConditionalCheckFailedException' });
    } finally {
      console.warn = original;
    }

    // Assess
    expect(warned).toEqual([['socket usage at capacity=50']]);
  });

  it("keeps the SDK's logger middleware from building each call's log entry (the input and output filtered)", async () => {
    // Arrange: the SDK's own middleware, with filters that count their calls.
    const filtered: string[] = [];
    const context = (logger: unknown) => ({
      logger,
      clientName: 'DynamoDBClient',
      commandName: 'UpdateItemCommand',
      inputFilterSensitiveLog: (input: unknown) => {
        filtered.push('input');
        return input;
      },
      outputFilterSensitiveLog: (output: unknown) => {
        filtered.push('output');
        return output;
      },
    });
    const next = async () => ({ output: { $metadata: {}, Attributes: {} }, response: {} });
    const call = (logger: unknown) =>
      loggerMiddleware()(next as never, context(logger) as never)({ input: { TableName: 't' } } as never);

    // Act
    await call(AWS_SDK_LOGGER);
    const ours = [...filtered];
    await call({ ...AWS_SDK_LOGGER, info: () => undefined });

    // Assess: nothing for ours; a logger of the same methods that is not the SDK's no-op pays for both.
    expect(ours).toEqual([]);
    expect(filtered).toEqual(['input', 'output']);
  });

  it('is the logger a client built with it hands on (not the SDK no-op logger)', () => {
    // The SDK hands its HTTP handler any logger whose class is not named NoOpLogger.
    expect(AWS_SDK_LOGGER.constructor.name).not.toBe('NoOpLogger');
    const client = new DynamoDBClient(awsClientConfig({ endpoint: 'http://127.0.0.1:1' }));
    expect(client.config.logger).toBe(AWS_SDK_LOGGER);
  });
});
