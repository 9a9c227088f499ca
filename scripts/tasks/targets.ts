/**
 * Where `npm run tasks` works: the local stack of `npm start` (dynalite and serverless-offline's Invoke API on
 * their local ports), or a deployed stage (the table from the stack's `TasksTableName` output, the functions
 * by their deployed names, with the caller's AWS credentials).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import stack from '../../config/stack.json';
import { createTaskStore } from '../../lib/tasks';
import { LOCAL_DEFAULTS, LOCAL_TASKS_TABLE, localName } from '../local-stack';
import { LOCAL_AWS_CREDENTIALS } from '../local-stack/dynamo';
import { awsReaders } from '../webhooks/aws';
import type { TasksTarget } from './cli';

const port = (name: string, fallback: number) => Number(process.env[name] || fallback);

/** Runs a function synchronously and returns its answer; a function error is thrown with its message. */
async function invokeAndRead(client: LambdaClient, functionName: string, event: unknown): Promise<unknown> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  const answer: unknown = text === '' ? undefined : JSON.parse(text);
  if (response.FunctionError) {
    const message = (answer as { errorMessage?: unknown } | undefined)?.errorMessage;
    throw new Error(`${functionName}: ${typeof message === 'string' ? message : response.FunctionError}`);
  }
  return answer;
}

/** The local stack: refuses clearly when `npm start` is not running. */
async function localTarget(): Promise<TasksTarget> {
  const endpoint = `http://127.0.0.1:${port('DYNAMODB_PORT', LOCAL_DEFAULTS.ports.dynamo)}`;
  const lambdaEndpoint = `http://127.0.0.1:${port('LAMBDA_INVOKE_PORT', LOCAL_DEFAULTS.ports.lambda)}`;
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
  } catch {
    throw new Error(`No local stack at ${endpoint}: start it with npm start, or name a deployed --stage`);
  }
  const lambda = new LambdaClient({
    endpoint: lambdaEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  return {
    name: 'the local stack',
    store: createTaskStore({ table: LOCAL_TASKS_TABLE, endpoint }),
    run: (fn, event) => invokeAndRead(lambda, localName(fn), event),
  };
}

async function stageTarget(stage: string, region: string): Promise<TasksTarget> {
  const stackName = `${stack.service}-${stage}`;
  const outputs = await awsReaders(region).stackOutputs(stackName);
  const table = outputs.TasksTableName;
  if (!table) throw new Error(`Stack ${stackName} has no TasksTableName output: deploy this version first`);
  const lambda = new LambdaClient({ region });
  return {
    name: `stage ${stage} (${region})`,
    store: createTaskStore({ table, region }),
    run: (fn, event) => invokeAndRead(lambda, `${stackName}-${fn}`, event),
  };
}

export async function tasksTarget(options: {
  stage: string | undefined;
  region: string;
}): Promise<TasksTarget> {
  return options.stage === undefined ? localTarget() : stageTarget(options.stage, options.region);
}
