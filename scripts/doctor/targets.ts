/**
 * What `npm run doctor` reads, for the local stack of `npm start` (no AWS: the emulator, dynalite, the
 * environment the local stack gives its functions) or a deployed stage (read-only AWS calls with the caller's
 * credentials: the stack's outputs, the router's configuration, SSM, SQS, the task table). The IAM actions
 * are listed in docs/operations.md ("The doctor").
 */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import stack from '../../config/stack.json';
import { memoizeAsync } from '../../lib/config';
import { createConnectClient } from '../../lib/connect';
import { createTaskStore } from '../../lib/tasks';
import { LOCAL_DEFAULTS, LOCAL_TASKS_TABLE } from '../local-stack';
import { loadSamples, sampleProducts } from '../local-stack/samples';
import { awsReaders } from '../webhooks/aws';
import {
  type AwsReaders,
  localSettings,
  SettingsError,
  SSM_PREFIX,
  stageSettings,
} from '../webhooks/settings';
import type { DoctorConnect, DoctorReaders } from './checks';

/**
 * A doctor's Connect client: one retry and a short budget, so that an unreachable Connect is a ✗ in seconds,
 * not after the functions' 30 s of backoff.
 */
export function doctorConnect(options: Parameters<DoctorReaders['connect']>[0]): DoctorConnect {
  return createConnectClient({
    ...options,
    timeoutMs: 10_000,
    retry: { maxAttempts: 2, maxElapsedMs: 10_000 },
  });
}

/**
 * The router's environment under `npm start` (scripts/local-stack/index.ts, serverless.yml): the variables
 * the local stack sets from this process's environment, with its defaults.
 */
export function localRouterEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    IS_OFFLINE: 'true',
    SERVICE: stack.service,
    STAGE: stack.stage,
    TASKS_TABLE: LOCAL_TASKS_TABLE,
    CONNECT_API_URL: env.CONNECT_API_URL || stack.local.connectApiUrl,
    CONNECT_API_KEY: env.CONNECT_API_KEY || LOCAL_DEFAULTS.apiKey,
    CONNECT_WEBHOOK_SECRETS: env.CONNECT_WEBHOOK_SECRETS || LOCAL_DEFAULTS.webhookSecret,
    // npm start's own default: every product, said explicitly.
    CONNECT_PRODUCTS: env.CONNECT_PRODUCTS || '*',
    CONNECT_API_KEY_PARAMETER: '',
    CONNECT_WEBHOOK_SECRETS_PARAMETER: '',
  };
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] || fallback);

export function localTarget(env: NodeJS.ProcessEnv): DoctorReaders {
  const endpoint = `http://127.0.0.1:${port(env, 'DYNAMODB_PORT', LOCAL_DEFAULTS.ports.dynamo)}`;
  return {
    name: 'the local stack (npm start)',
    stage: undefined,
    routerEnv: async () => localRouterEnv(env),
    parameters: undefined,
    otherParameters: [],
    webhookSettings: async () => localSettings(env, { defaultProducts: sampleProducts(await loadSamples()) }),
    connect: doctorConnect,
    deadLetters: undefined,
    async parked() {
      try {
        await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
      } catch {
        throw new Error(`no local stack at ${endpoint}`);
      }
      return createTaskStore({ table: LOCAL_TASKS_TABLE, endpoint }).list({ state: 'parked' });
    },
  };
}

export type StageClients = {
  aws: AwsReaders;
  lambda: Pick<LambdaClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
};

export function stageTarget(
  stage: string,
  region: string,
  env: NodeJS.ProcessEnv,
  clients: StageClients = {
    aws: awsReaders(region),
    lambda: new LambdaClient({ region }),
    sqs: new SQSClient({ region }),
  },
): DoctorReaders {
  const stackName = `${stack.service}-${stage}`;
  // One DescribeStacks for the whole run (the sync's settings read the outputs too).
  const outputs = memoizeAsync(() => clients.aws.stackOutputs(stackName));
  const aws: AwsReaders = { stackOutputs: () => outputs(), parameters: clients.aws.parameters };
  const output = async (key: string) => {
    const value = (await outputs())[key];
    if (!value) throw new Error(`Stack ${stackName} has no ${key} output: deploy this version first`);
    return value;
  };
  return {
    name: `stage ${stage} (${region}, stack ${stackName})`,
    stage,
    async routerEnv() {
      if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new SettingsError(`Invalid stage name: ${stage}`);
      const configuration = await clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: `${stackName}-router` }),
      );
      return { ...(configuration.Environment?.Variables ?? {}) };
    },
    parameters: aws.parameters,
    otherParameters: [`${SSM_PREFIX}/${stage}/products`],
    webhookSettings: () => stageSettings({ stage, region }, aws, env),
    connect: doctorConnect,
    async deadLetters() {
      const url = await output('DispatchDeadLetterQueueUrl');
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        url,
        visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
    async parked() {
      return createTaskStore({ table: await output('TasksTableName'), region }).list({ state: 'parked' });
    },
  };
}

export function doctorTarget(options: {
  stage: string | undefined;
  region: string;
  env: NodeJS.ProcessEnv;
}): DoctorReaders {
  return options.stage === undefined
    ? localTarget(options.env)
    : stageTarget(options.stage, options.region, options.env);
}
