/**
 * Fire-and-forget invocation of a type function. Lambda queues `Event` invocations, retries them twice and
 * hands the failures to the dead-letter queue (serverless.yml), so a successful `invoke` means "queued".
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';

export interface Invoker {
  invoke(functionName: string, payload: unknown): Promise<void>;
}

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
  readonly functionName: string;

  constructor(functionName: string, message: string, options?: { cause?: unknown }) {
    super(`Invoking ${functionName} failed: ${message}`, options);
    this.functionName = functionName;
  }
}

/** serverless-offline's Lambda Invoke API port (`custom.serverless-offline.lambdaPort`). */
export const DEFAULT_OFFLINE_LAMBDA_PORT = 3002;

/**
 * A LambdaClient for this environment: under serverless-offline (`IS_OFFLINE`) it targets the local Invoke
 * API with dummy credentials (the port from `LAMBDA_INVOKE_PORT`, default 3002); otherwise the runtime's
 * region and role credentials. Build it once, at module scope.
 */
export function createLambdaClient(env: NodeJS.ProcessEnv = process.env): LambdaClient {
  if (env.IS_OFFLINE) {
    const port = Number(env.LAMBDA_INVOKE_PORT || DEFAULT_OFFLINE_LAMBDA_PORT);
    return new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: env.AWS_REGION || 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
  }
  return new LambdaClient({});
}

/** The one LambdaClient call the invoker makes; a fake in tests. */
export type LambdaInvokeSender = { send(command: InvokeCommand): Promise<InvokeCommandOutput> };

export type LambdaInvokerOptions = {
  client?: LambdaInvokeSender;
  /** Prepended to the short name with a dash. Default `<SERVICE>-<STAGE>` from the environment. */
  functionPrefix?: string;
  env?: NodeJS.ProcessEnv;
};

export function functionPrefixFromEnv(env: NodeJS.ProcessEnv): string {
  const service = env.SERVICE;
  const stage = env.STAGE;
  if (!service || !stage) {
    throw new TypeError('SERVICE and STAGE must be set to build Lambda function names');
  }
  return `${service}-${stage}`;
}

export function createLambdaInvoker(options: LambdaInvokerOptions = {}): Invoker {
  const env = options.env ?? process.env;
  const client: LambdaInvokeSender = options.client ?? createLambdaClient(env);
  const prefix = options.functionPrefix ?? functionPrefixFromEnv(env);
  const encoder = new TextEncoder();

  return {
    async invoke(functionName, payload) {
      const fullName = `${prefix}-${functionName}`;
      let response: InvokeCommandOutput;
      try {
        response = await client.send(
          new InvokeCommand({
            FunctionName: fullName,
            InvocationType: 'Event',
            Payload: encoder.encode(JSON.stringify(payload)),
          }),
        );
      } catch (error) {
        const reason = error instanceof Error ? error.name : 'unknown error';
        throw new InvokeError(fullName, reason, { cause: error });
      }
      const status = response.StatusCode;
      if (status !== undefined && (status < 200 || status >= 300)) {
        throw new InvokeError(fullName, `status ${status}`);
      }
    },
  };
}
