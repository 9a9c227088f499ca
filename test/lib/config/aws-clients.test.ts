import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
      AWS_SDK_LOGGER.warn('socket usage at capacity=50');
      AWS_SDK_LOGGER.info({ commandName: 'UpdateItemCommand' });
      AWS_SDK_LOGGER.error({ commandName: 'UpdateItemCommand', error: 'ConditionalCheckFailedException' });
    } finally {
      console.warn = original;
    }

    // Assess
    expect(warned).toEqual([['socket usage at capacity=50']]);
  });

  it('is the logger a client built with it hands on (not the SDK no-op logger)', () => {
    const client = new DynamoDBClient(awsClientConfig({ endpoint: 'http://127.0.0.1:1' }));
    expect(client.config.logger).toBe(AWS_SDK_LOGGER);
  });
});
