/**
 * What the doctor reads from a deployed stage (scripts/doctor/targets.ts), over fake AWS clients: the
 * router's configuration by its deployed name, the dead-letter queue from the stack's output, one
 * DescribeStacks per run; and the local stack's router environment.
 */
import type { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../scripts/doctor/checks';
import { localRouterEnv, type StageClients, stageTarget } from '../../scripts/doctor/targets';

function fakeClients(outputs: Record<string, string>) {
  const sent: Array<{ command: string; input: unknown }> = [];
  let described = 0;
  const clients: StageClients = {
    aws: {
      stackOutputs: async () => {
        described += 1;
        return outputs;
      },
      parameters: async () => new Map(),
    },
    lambda: {
      send: (async (command: GetFunctionConfigurationCommand) => {
        sent.push({ command: command.constructor.name, input: command.input });
        return { Environment: { Variables: { STAGE: 'prod' } } };
      }) as StageClients['lambda']['send'],
    },
    sqs: {
      send: (async (command: GetQueueAttributesCommand) => {
        sent.push({ command: command.constructor.name, input: command.input });
        return {
          Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' },
        };
      }) as StageClients['sqs']['send'],
    },
  };
  return { clients, sent, described: () => described };
}

describe('a deployed stage', () => {
  it("reads the router's configuration by its deployed name, and the queue of the stack's output", async () => {
    // Prepare
    const { clients, sent } = fakeClients({ DispatchDeadLetterQueueUrl: 'https://sqs.example/123/dlq' });
    const target = stageTarget('prod', 'eu-west-1', {}, clients);

    // Act
    const env = await target.routerEnv();
    const depth = await target.deadLetters?.();

    // Assess
    expect(env).toEqual({ STAGE: 'prod' });
    expect(depth).toEqual({ url: 'https://sqs.example/123/dlq', visible: 3, inFlight: 1 });
    expect(sent).toEqual([
      {
        command: 'GetFunctionConfigurationCommand',
        input: { FunctionName: 'connect-fulfillment-prod-router' },
      },
      {
        command: 'GetQueueAttributesCommand',
        input: {
          QueueUrl: 'https://sqs.example/123/dlq',
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        },
      },
    ]);
    expect(target.otherParameters).toEqual(['/connect-fulfillment/prod/products']);
  });

  it('describes the stack once for a whole run, and names a missing output', async () => {
    // Prepare
    const { clients, described } = fakeClients({});
    const target = stageTarget('prod', 'eu-west-1', {}, clients);

    // Act
    const results = await runChecks(target);

    // Assess
    expect(described()).toBe(1);
    expect(results.find((result) => result.name === 'dead-letter queue')?.summary).toBe(
      'could not be read: Stack connect-fulfillment-prod has no DispatchDeadLetterQueueUrl output: deploy this version first',
    );
  });
});

describe('the local stack', () => {
  it("is configured as npm start configures its functions, the caller's variables first", () => {
    // Act
    const defaults = localRouterEnv({});
    const mine = localRouterEnv({
      CONNECT_PRODUCTS: 'PRD-1',
      CONNECT_API_URL: 'http://127.0.0.1:1/public/v1',
    });

    // Assess
    expect(defaults).toMatchObject({
      SERVICE: 'connect-fulfillment',
      STAGE: 'dev',
      CONNECT_PRODUCTS: '*',
      CONNECT_API_URL: 'http://127.0.0.1:4010/public/v1',
      CONNECT_API_KEY: 'ApiKey SU-000-000-000:local-emulator-key',
      CONNECT_WEBHOOK_SECRETS: 'local-webhook-secret',
    });
    expect(mine).toMatchObject({
      CONNECT_PRODUCTS: 'PRD-1',
      CONNECT_API_URL: 'http://127.0.0.1:1/public/v1',
    });
  });
});
