/**
 * The deployed configuration as the framework resolves it (`sls print`: YAML anchors, params, variables),
 * held against the code: the type functions and their invoke permissions are exactly those of the automation
 * table, every type function has the failure path, and the local stage's defaults are config/stack.json's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import stack from '../../config/stack.json';
import { automation } from '../../functions/automation';
import { typeFunctionNames } from '../../lib/dispatch';
import { LOCAL_IDEMPOTENCY_TABLE, localName } from '../../scripts/local-stack';

type Printed = {
  service: string;
  provider: { stage: string; environment: Record<string, string> };
  functions: Record<
    string,
    Record<string, unknown> & { handler: string; environment?: Record<string, string> }
  >;
  custom: Record<string, unknown> & { 'serverless-offline': Record<string, unknown> };
  resources: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
};

const root = path.resolve(import.meta.dirname, '..', '..');
const table = automation({ templates: { activation: () => undefined, tier: undefined } });
const typeFunctions = typeFunctionNames(table);
let printed: Printed;

beforeAll(async () => {
  // Without the local stack's variables: what `npm run package` resolves for the local stage.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  for (const name of [
    'CONNECT_API_URL',
    'CONNECT_API_KEY',
    'CONNECT_WEBHOOK_SECRETS',
    'OFFLINE_HTTP_PORT',
    'LAMBDA_INVOKE_PORT',
  ]) {
    delete env[name];
  }
  const { stdout } = await promisify(execFile)(
    path.join(root, 'node_modules', '.bin', 'sls'),
    ['print', '--format', 'json'],
    { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
  );
  printed = JSON.parse(stdout) as Printed;
}, 60_000);

describe('serverless.yml against the automation table', () => {
  it('deploys the router, the sweep and exactly the type functions of the table', () => {
    expect(Object.keys(printed.functions).sort()).toEqual(['router', 'sweep', ...typeFunctions].sort());
    for (const name of typeFunctions) {
      expect(printed.functions[name]?.handler, name).toBe('functions/type-function/handler.handler');
    }
  });

  it('lets the router and the sweep invoke exactly those functions: the tagged ones of this stage', () => {
    const policy = printed.resources.Resources.DispatchPolicy?.Properties as {
      PolicyDocument: { Statement: Array<{ Action: string; Resource: unknown; Condition?: unknown }> };
    };
    const invoke = policy.PolicyDocument.Statement.filter(
      (statement) => statement.Action === 'lambda:InvokeFunction',
    );
    expect(invoke).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: {
          'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${printed.service}-${printed.provider.stage}-*`,
        },
        Condition: { StringEquals: { 'aws:ResourceTag/fulfillment-role': 'type-function' } },
      },
    ]);
    const tagged = Object.entries(printed.functions)
      .filter(
        ([, fn]) => (fn.tags as Record<string, string> | undefined)?.['fulfillment-role'] === 'type-function',
      )
      .map(([name]) => name);
    expect(tagged.sort()).toEqual([...typeFunctions].sort());
  });

  it('retries a failed invocation twice, then sends it to the SQS dead-letter queue', () => {
    for (const name of typeFunctions) {
      expect(printed.functions[name], name).toMatchObject({
        maximumRetryAttempts: 2,
        destinations: {
          onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DispatchDeadLetterQueue', 'Arn'] } },
        },
      });
    }
    expect(printed.resources.Resources.DispatchDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
  });
});

describe('the local stage and the local stack share their defaults', () => {
  it('names the service, the stage and the table as the local stack does', () => {
    expect(printed.service).toBe(stack.service);
    expect(printed.provider.stage).toBe(stack.stage);
    expect(printed.provider.environment.IDEMPOTENCY_TABLE).toBe(LOCAL_IDEMPOTENCY_TABLE);
    expect(printed.functions.router?.name).toBe(localName('router'));
  });

  it('takes the local Connect URL, key, webhook secret and ports from config/stack.json', () => {
    expect(printed.provider.environment.CONNECT_API_URL).toBe(stack.local.connectApiUrl);
    expect(printed.provider.environment.CONNECT_API_KEY).toBe(stack.local.connectApiKey);
    expect(printed.functions.router?.environment?.CONNECT_WEBHOOK_SECRETS).toBe(stack.local.webhookSecret);
    expect(printed.custom['serverless-offline']).toMatchObject({
      httpPort: String(stack.local.ports.http),
      lambdaPort: String(stack.local.ports.lambda),
    });
  });
});
