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
 *   error, as the SDK's own default does. It has to be said: the SDK tells its default no-op logger by its
 *   class name, which the minified bundles do not keep, and would then pass the no-op logger on to its HTTP
 *   handler. Nothing else: its per-call info lines and its error lines (the call's input, and every
 *   expected ConditionalCheckFailedException) stay out of the log; the callers log what matters.
 */
export type AwsClientOptions = { endpoint?: string | undefined; region?: string | undefined };

/** The SDK's `Logger` shape: warnings only. */
export type AwsSdkLogger = {
  trace(...content: unknown[]): void;
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
};

const ignore = () => undefined;

export const AWS_SDK_LOGGER: AwsSdkLogger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: (...content) => console.warn(...content),
  error: ignore,
};

export type AwsClientConfig = {
  cacheMiddleware: true;
  logger: AwsSdkLogger;
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
