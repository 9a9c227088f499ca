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

/**
 * A LambdaClient: with an `endpoint` (serverless-offline's local Invoke API, lib/config `aws.lambdaEndpoint`)
 * it uses dummy credentials; otherwise the runtime's region and role credentials. Build it once.
 */
export function createLambdaClient(
  options: { endpoint?: string | undefined; region?: string } = {},
): LambdaClient {
  if (options.endpoint) {
    return new LambdaClient({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
  }
  return new LambdaClient({});
}

/** The one LambdaClient call the invoker makes; a fake in tests. */
export type LambdaInvokeSender = { send(command: InvokeCommand): Promise<InvokeCommandOutput> };

export type LambdaInvokerOptions = {
  /** `<service>-<stage>` (lib/config `dispatch.functionPrefix`): prepended to the short name with a dash. */
  functionPrefix: string;
  client?: LambdaInvokeSender;
  endpoint?: string | undefined;
  region?: string;
};

export function createLambdaInvoker(options: LambdaInvokerOptions): Invoker {
  const client: LambdaInvokeSender = options.client ?? createLambdaClient(options);
  const prefix = options.functionPrefix;
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
