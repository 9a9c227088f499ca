/**
 * The deployed configuration as the framework resolves it (`sls print`: YAML anchors, params, variables),
 * held against the code: the type functions and their invoke permissions are exactly those of the automation
 * table, every type function has the failure path, and the local stage's defaults are config/stack.json's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SLS_ESBUILD } from '../../bench/esbuild-options';
import stack from '../../config/stack.json';
import { automation } from '../../functions/automation';
import { TASK_DEFAULTS } from '../../lib/config';
import { typeFunctionNames } from '../../lib/dispatch';
import { LOCAL_TASKS_TABLE, localName } from '../../scripts/local-stack';

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
  it('deploys the router, the sweep, the dispatch, the validation route and exactly the type functions of the table', () => {
    expect(Object.keys(printed.functions).sort()).toEqual(
      ['router', 'sweep', 'dispatch', 'validate', ...typeFunctions].sort(),
    );
    for (const name of typeFunctions) {
      expect(printed.functions[name]?.handler, name).toBe('functions/type-function/handler.handler');
    }
  });

  it('lets the router and the sweep invoke the dispatch only, and the dispatch exactly the tagged type functions', () => {
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
    const resources = printed.resources.Resources;
    const prefix = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${printed.service}-${printed.provider.stage}-`;
    const invokes = (statements: Statement[]) =>
      statements.filter((statement) => statement.Action === 'lambda:InvokeFunction');
    const inlineStatements = (role: string) =>
      (
        (resources[role]?.Properties ?? {}) as {
          Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
        }
      ).Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const requestPolicy = resources.RequestDispatchPolicy?.Properties as {
      PolicyDocument: { Statement: Statement[] };
    };

    expect(invokes(requestPolicy.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::Sub': `${prefix}dispatch` } },
    ]);
    for (const role of ['RouterRole', 'SweepRole']) {
      expect(invokes(inlineStatements(role)), role).toEqual([]);
      expect(resources[role]?.Properties?.ManagedPolicyArns, role).toEqual([
        { Ref: 'RequestDispatchPolicy' },
      ]);
    }
    expect(invokes(inlineStatements('DispatchRole'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::Sub': `${prefix}*` },
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

  it('keeps the task records in one table: key id, TTL, point-in-time recovery, the attention index', () => {
    const table = printed.resources.Resources.TasksTable;
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'attention',
          KeySchema: [
            { AttributeName: 'attention', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        },
      ],
    });
    // The type functions write their own record (conditional updates) and nothing else of the table.
    const statements = (
      (printed.resources.Resources.TypeFunctionRole?.Properties ?? {}) as {
        Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } }>;
      }
    ).Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const onTable = statements.filter(
      (statement) =>
        JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': ['TasksTable', 'Arn'] }),
    );
    expect(onTable.map((statement) => statement.Action)).toEqual(['dynamodb:UpdateItem']);
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

describe('the validation route', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

  it("serves POST /connect/validate from its own handler, within API Gateway's 30 s, untagged", () => {
    const validate = printed.functions.validate;
    expect(validate).toMatchObject({
      handler: 'functions/validate/handler.handler',
      role: 'ValidateRole',
      timeout: 29,
      events: [{ httpApi: { method: 'POST', path: '/connect/validate' } }],
    });
    // Not a type function: the dispatch may never invoke it.
    expect((validate?.tags as Record<string, string> | undefined)?.['fulfillment-role']).toBeUndefined();
  });

  it('gets the webhook secrets and the validation settings, never the API key', () => {
    const env = printed.functions.validate?.environment ?? {};
    expect(env.CONNECT_WEBHOOK_SECRETS).toBe(printed.functions.router?.environment?.CONNECT_WEBHOOK_SECRETS);
    expect(env).toHaveProperty('CONNECT_WEBHOOK_SECRETS_PARAMETER');
    expect(env).toMatchObject({
      CONNECT_API_KEY: '',
      CONNECT_API_KEY_PARAMETER: '',
      VALIDATION_ON_ERROR: 'open',
      VALIDATION_DEADLINE_MS: '5000',
    });
  });

  it('runs with its own role: its logs and the webhook-secrets parameter only', () => {
    const role = printed.resources.Resources.ValidateRole;
    expect(role?.Type).toBe('AWS::IAM::Role');
    const properties = role?.Properties as {
      ManagedPolicyArns?: unknown[];
      Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
    };
    expect(properties.ManagedPolicyArns).toBeUndefined();
    const statements = properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const sub = (statement: Statement | undefined) =>
      (statement?.Resource as { 'Fn::Sub': string } | undefined)?.['Fn::Sub'];
    expect(statements.map((statement) => statement.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'ssm:GetParameter',
    ]);
    expect(sub(statements[0])).toMatch(/log-group:\/aws\/lambda\/.*-validate:\*$/);
    expect(sub(statements[1])).toMatch(/:parameter\/connect-fulfillment\/.*\/webhook-secrets$/);
  });
});

describe('the local stage and the local stack share their defaults', () => {
  it('names the service, the stage and the table as the local stack does', () => {
    expect(printed.service).toBe(stack.service);
    expect(printed.provider.stage).toBe(stack.stage);
    expect(printed.provider.environment.TASKS_TABLE).toBe(LOCAL_TASKS_TABLE);
    expect(printed.functions.router?.name).toBe(localName('router'));
  });

  it('gives every function the lifecycle settings, defaulting to those of lib/config', () => {
    expect(printed.provider.environment).toMatchObject({
      TASK_LEASE_SECONDS: String(TASK_DEFAULTS.leaseSeconds),
      SKIP_RETRY_SECONDS: String(TASK_DEFAULTS.skipRetrySeconds),
      FAILURE_RETRY_SECONDS: String(TASK_DEFAULTS.failureRetrySeconds),
      OUTAGE_RETRY_SECONDS: String(TASK_DEFAULTS.outageRetrySeconds),
      MAX_HANDLER_FAILURES: String(TASK_DEFAULTS.maxFailures),
      MAX_RESCHEDULES: String(TASK_DEFAULTS.maxReschedules),
      MAX_RESCHEDULE_DAYS: String(TASK_DEFAULTS.maxRescheduleDays),
      TASK_RETENTION_DAYS: String(TASK_DEFAULTS.retentionDays),
    });
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

describe('serverless.yml custom.esbuild', () => {
  it('is what the benchmarks and the bundle tests build with (bench/esbuild-options.ts)', () => {
    // serverless-esbuild's own settings aside, and its `exclude` being esbuild's `external`.
    const {
      exclude,
      packager: _packager,
      outputWorkFolder: _outputWorkFolder,
      ...esbuild
    } = printed.custom.esbuild as Record<string, unknown>;
    const { external, ...options } = SLS_ESBUILD;
    expect(esbuild).toEqual(options);
    expect(exclude).toEqual(external);
  });
});
