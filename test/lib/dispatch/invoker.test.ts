import type { InvokeCommand, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { LOCAL_AWS_CREDENTIALS, loadConfig } from '../../../lib/config';
import {
  createLambdaClient,
  createLambdaInvoker,
  InvokeError,
  InvokeThrottledError,
} from '../../../lib/dispatch';

const BASE_ENV = { CONNECT_API_URL: 'https://api.example.test/public/v1', CONNECT_API_KEY: 'ApiKey SU-1:k' };

function fakeLambda(output: Partial<InvokeCommandOutput> | Error = { StatusCode: 202 }) {
  const commands: InvokeCommand[] = [];
  return {
    commands,
    client: {
      async send(command: InvokeCommand): Promise<InvokeCommandOutput> {
        commands.push(command);
        if (output instanceof Error) throw output;
        return { $metadata: {}, ...output };
      },
    },
  };
}

describe('createLambdaInvoker', () => {
  it('invokes <service>-<stage>-<fn> asynchronously with the JSON payload', async () => {
    // Prepare
    const lambda = fakeLambda();
    const { functionPrefix } = loadConfig({ ...BASE_ENV, SERVICE: 'svc', STAGE: 'dev' }).dispatch;
    const invoker = createLambdaInvoker({ client: lambda.client, functionPrefix: functionPrefix ?? '' });

    // Act
    await invoker.invoke('purchase', { request: { id: 'PR-1' }, correlationId: 'c' });

    // Assess
    const input = lambda.commands[0]?.input;
    expect(input?.FunctionName).toBe('svc-dev-purchase');
    expect(input?.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      request: { id: 'PR-1' },
      correlationId: 'c',
    });
  });

  it('uses an explicit prefix', async () => {
    const lambda = fakeLambda();
    const invoker = createLambdaInvoker({ client: lambda.client, functionPrefix: 'other-prod' });

    await invoker.invoke('tier-config', {});

    expect(lambda.commands[0]?.input.FunctionName).toBe('other-prod-tier-config');
  });

  it('refuses to guess function names without SERVICE and STAGE', () => {
    expect(() => loadConfig({ ...BASE_ENV, SERVICE: 'svc' }, { requireFunctionPrefix: true })).toThrow(
      /SERVICE and STAGE/,
    );
  });

  it('wraps an SDK failure in an InvokeError that keeps the cause', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    const invoker = createLambdaInvoker({ client: fakeLambda(cause).client, functionPrefix: 'svc-dev' });

    const error = await invoker.invoke('cancel', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvokeError);
    expect(error).toMatchObject({ functionName: 'svc-dev-cancel', cause });
    expect((error as Error).message).toBe('Invoking svc-dev-cancel failed: TooManyRequestsException');
  });

  it('treats a non-2xx status as a failure', async () => {
    const invoker = createLambdaInvoker({
      client: fakeLambda({ StatusCode: 500 }).client,
      functionPrefix: 'p',
    });

    await expect(invoker.invoke('change', {})).rejects.toThrow(InvokeError);
  });
});

describe('createLambdaInvoker, waiting for the run', () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('runs the function synchronously and returns its answer', async () => {
    const lambda = fakeLambda({ StatusCode: 200, Payload: encode({ outcome: 'approved' }) } as never);
    const invoker = createLambdaInvoker({ client: lambda.client, functionPrefix: 'svc-dev', mode: 'wait' });

    const answer = await invoker.invoke('purchase', { request: { id: 'PR-1' } });

    expect(lambda.commands[0]?.input.InvocationType).toBe('RequestResponse');
    expect(answer).toEqual({ outcome: 'approved' });
  });

  it("turns the function's own unhandled error into an InvokeError that names it", async () => {
    const lambda = fakeLambda({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'Error', errorMessage: 'DynamoDB unavailable' }),
    } as never);
    const invoker = createLambdaInvoker({ client: lambda.client, functionPrefix: 'svc-dev', mode: 'wait' });

    const error = await invoker.invoke('purchase', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvokeError);
    expect((error as Error).message).toBe(
      'Invoking svc-dev-purchase failed: Unhandled error (Error: DynamoDB unavailable)',
    );
  });

  it("tells Lambda's throttle apart: nothing ran, ask again", async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    const invoker = createLambdaInvoker({
      client: fakeLambda(cause).client,
      functionPrefix: 'p',
      mode: 'wait',
    });

    await expect(invoker.invoke('purchase', {})).rejects.toBeInstanceOf(InvokeThrottledError);
  });
});

describe('createLambdaClient', () => {
  it('targets serverless-offline on the configured port when IS_OFFLINE is set', async () => {
    const client = createLambdaClient({
      endpoint: loadConfig({ ...BASE_ENV, IS_OFFLINE: 'true', LAMBDA_INVOKE_PORT: '4999' }).aws
        .lambdaEndpoint,
    });

    const endpoint = await client.config.endpoint?.();
    const credentials = await client.config.credentials();

    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4999);
    expect(credentials.accessKeyId).toBe(LOCAL_AWS_CREDENTIALS.accessKeyId);
    // Its middleware stack is resolved once per command class (lib/config/aws-clients.ts).
    expect(client.config.cacheMiddleware).toBe(true);
  });

  it('defaults the offline port to 3002', async () => {
    const client = createLambdaClient({
      endpoint: loadConfig({ ...BASE_ENV, IS_OFFLINE: 'true' }).aws.lambdaEndpoint,
    });

    const endpoint = await client.config.endpoint?.();

    expect(endpoint?.port).toBe(3002);
  });
});
