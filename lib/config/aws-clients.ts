/**
 * The configuration every AWS SDK client of the functions is built with (DynamoDB, Lambda, Scheduler), in
 * one place:
 *
 * - with a local `endpoint` (dynalite, serverless-offline's Invoke API, the local scheduler), its region or
 *   us-east-1 and dummy credentials, so that nothing looks for an AWS account;
 * - otherwise the runtime's region (or the one given) and the role's credentials from the environment;
 * - `cacheMiddleware`: the client resolves a command's middleware stack once per command class instead of on
 *   every `send` (the functions never add middleware per call). It is the largest part of the SDK's own CPU
 *   per call that can be saved; see bench/README.md, section cpu.
 * - `logger`: the SDK's warnings (a connection pool at capacity, a request past its timeout) to standard
 *   error, as the SDK's own default does, and nothing else. It is a `NoOpLogger` (the SDK's default) that
 *   speaks on `warn` only, and both halves matter:
 *   - the SDK's per-call logger middleware skips any `NoOpLogger` by `instanceof`. Any other logger, even one
 *     whose `info` does nothing, makes it build the call's input and output with the sensitive fields
 *     filtered out, on every call (about a fifth of the SDK's own CPU per UpdateItem; bench/README.md, cpu);
 *   - elsewhere the SDK tells its default by class name, which the minified bundles do not keep: our
 *     subclass's name is not `NoOpLogger`, so the HTTP handler gets this logger and its warnings.
 *   Its per-call info lines and its error lines (the call's input, and every expected
 *   ConditionalCheckFailedException) stay out of the log; the callers log what matters.
 */
import { NoOpLogger } from '@smithy/core/client';

export type AwsClientOptions = { endpoint?: string | undefined; region?: string | undefined };

/** The SDK's logger, silent but for its warnings. */
export class AwsSdkWarningsLogger extends NoOpLogger {
  override warn(...content: unknown[]): void {
    console.warn(...content);
  }
}

export const AWS_SDK_LOGGER = new AwsSdkWarningsLogger();

export type AwsClientConfig = {
  cacheMiddleware: true;
  logger: AwsSdkWarningsLogger;
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

/** The dummy credentials of a local endpoint: never an account's. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function awsClientConfig(options: AwsClientOptions = {}): AwsClientConfig {
  if (options.endpoint) {
    return {
      cacheMiddleware: true,
      logger: AWS_SDK_LOGGER,
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { ...LOCAL_AWS_CREDENTIALS },
    };
  }
  const base = { cacheMiddleware: true, logger: AWS_SDK_LOGGER } as const;
  return options.region ? { ...base, region: options.region } : { ...base };
}
