/**
 * Invocation of a function by its short name, in one of two modes:
 *
 * - `event` (the router and the sweep asking for a dispatch): Lambda queues it; a successful `invoke` means
 *   "queued", and answers nothing.
 * - `wait` (the dispatch running a type function): the run itself, its answer returned. The dispatch keeps at
 *   most its concurrency of these in flight, so that a burst never goes past a function's concurrency and no
 *   event waits in Lambda's queue for throttled retries (1 s to 5 min apart).
 *
 * A throttle (Lambda's 429, `TooManyRequestsException`) is an `InvokeThrottledError`: the caller waits and
 * asks again. An unhandled error of the function itself (`FunctionError`) is an `InvokeError` with its message.
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientConfig } from '../config/aws-clients';

export interface Invoker {
  invoke(functionName: string, payload: unknown): Promise<unknown>;
}

export class InvokeError extends Error {
  override readonly name: string = 'InvokeError';
  readonly functionName: string;

  constructor(functionName: string, message: string, options?: { cause?: unknown }) {
    super(`Invoking ${functionName} failed: ${message}`, options);
    this.functionName = functionName;
  }
}

/** The function ran and failed (an unhandled error, a crash, its timeout): it ended without its answer. */
export class InvokeFunctionError extends InvokeError {
  override readonly name = 'InvokeFunctionError';
}

/** Lambda refused the run for want of concurrency: nothing ran; ask again after a wait. */
export class InvokeThrottledError extends InvokeError {
  override readonly name = 'InvokeThrottledError';
}

/**
 * A LambdaClient, configured as every AWS client here (lib/config `awsClientConfig`): with an `endpoint`
 * (serverless-offline's local Invoke API, lib/config `aws.lambdaEndpoint`) dummy credentials; otherwise the
 * region given (lib/config `aws.region`, the runtime's) and the role's credentials. Build it once.
 */
export function createLambdaClient(
  options: { endpoint?: string | undefined; region?: string } = {},
): LambdaClient {
  return new LambdaClient(awsClientConfig(options));
}

/** The one LambdaClient call the invoker makes; a fake in tests. */
export type LambdaInvokeSender = { send(command: InvokeCommand): Promise<InvokeCommandOutput> };

export type LambdaInvokerOptions = {
  /** `<service>-<stage>` (lib/config `dispatch.functionPrefix`): prepended to the short name with a dash. */
  functionPrefix: string;
  /** `event` (default): queued, nothing answered; `wait`: the run, its answer returned. */
  mode?: 'event' | 'wait';
  client?: LambdaInvokeSender;
  endpoint?: string | undefined;
  region?: string;
};

export function createLambdaInvoker(options: LambdaInvokerOptions): Invoker {
  const client: LambdaInvokeSender = options.client ?? createLambdaClient(options);
  const prefix = options.functionPrefix;
  const wait = options.mode === 'wait';
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  return {
    async invoke(functionName, payload) {
      const fullName = `${prefix}-${functionName}`;
      let response: InvokeCommandOutput;
      try {
        response = await client.send(
          new InvokeCommand({
            FunctionName: fullName,
            InvocationType: wait ? 'RequestResponse' : 'Event',
            Payload: encoder.encode(JSON.stringify(payload)),
          }),
        );
      } catch (error) {
        const reason = error instanceof Error ? error.name : 'unknown error';
        if (reason === 'TooManyRequestsException') {
          throw new InvokeThrottledError(fullName, reason, { cause: error });
        }
        throw new InvokeError(fullName, reason, { cause: error });
      }
      const status = response.StatusCode;
      if (status === 429) throw new InvokeThrottledError(fullName, 'status 429');
      if (status !== undefined && (status < 200 || status >= 300)) {
        throw new InvokeError(fullName, `status ${status}`);
      }
      if (!wait) return undefined;
      const text = response.Payload ? decoder.decode(response.Payload) : '';
      let answer: unknown;
      try {
        answer = text === '' ? undefined : JSON.parse(text);
      } catch {
        answer = text;
      }
      if (response.FunctionError) {
        const said = (answer as { errorType?: unknown; errorMessage?: unknown } | undefined) ?? {};
        const what = [said.errorType, said.errorMessage]
          .filter((part) => typeof part === 'string')
          .join(': ');
        throw new InvokeFunctionError(fullName, `${response.FunctionError} error${what ? ` (${what})` : ''}`);
      }
      return answer;
    },
  };
}
