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
 */
export type AwsClientOptions = { endpoint?: string | undefined; region?: string | undefined };

export type AwsClientConfig = {
  cacheMiddleware: true;
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
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { ...LOCAL_AWS_CREDENTIALS },
    };
  }
  return options.region ? { cacheMiddleware: true, region: options.region } : { cacheMiddleware: true };
}
