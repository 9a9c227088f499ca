/**
 * Secrets at run time. In deployed stages the environment carries the names of SSM parameters
 * (`CONNECT_API_KEY_PARAMETER`, `CONNECT_WEBHOOK_SECRETS_PARAMETER`), never the values: they are read,
 * decrypted, on first use in an execution environment, so that no secret sits in the function's
 * configuration or the CloudFormation template. Locally (and in tests) the values come from the environment
 * itself (`CONNECT_API_KEY`, `CONNECT_WEBHOOK_SECRETS`).
 */
import { type Config, type LoadConfigOptions, loadConfig } from './config';
import { getSecureParameter } from './ssm';

/** Reads one SecureString parameter; `undefined` when it has no value. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

/** SSM GetParameter, decrypted (lib/config/ssm.ts: the client is built on first use). */
export const readSsmParameter: ParameterReader = getSecureParameter;

/** Which variable each `*_PARAMETER` variable fills. */
const FROM_PARAMETERS = {
  CONNECT_API_KEY_PARAMETER: 'CONNECT_API_KEY',
  CONNECT_WEBHOOK_SECRETS_PARAMETER: 'CONNECT_WEBHOOK_SECRETS',
} as const;

export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
}

/** SSM's and KMS's error names (`name` of the AWS SDK's exceptions), by what an operator does about them. */
const NOT_FOUND = new Set(['ParameterNotFound', 'ParameterNotFoundError', 'ParameterVersionNotFound']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedException']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
]);
const DECRYPTION = new Set([
  'InvalidKeyId',
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'KeyUnavailableException',
  'DisabledException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);
/** Wrappers that only carry the real error as `cause`. */
const WRAPPERS = new Set(['Error']);
/** A name fit for a log line: a class or error code, never free text. */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

type ErrorLink = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; $metadata?: unknown };

/**
 * Why an SSM read failed, for the log: its category and the error's name (`access denied
 * (AccessDeniedException)`), or only the name when it is none of the known ones. Walks the `cause` chain
 * (a wrapper's `cause` is the SDK's exception) and never returns a message, which may quote a
 * value. An access denial that names KMS is a decryption failure (the key's policy, not the parameter's).
 */
export function describeSsmFailure(error: unknown): string {
  const chain: ErrorLink[] = [];
  for (let link = error; typeof link === 'object' && link !== null && chain.length < 8; ) {
    if (chain.includes(link as ErrorLink)) break;
    chain.push(link as ErrorLink);
    link = (link as ErrorLink).cause;
  }
  const names = chain.map(nameOf);
  const known = (set: Set<string>) => names.find((name) => name !== undefined && set.has(name));
  const denied = known(ACCESS_DENIED);
  const kmsDenial = chain.some(
    (link) => ACCESS_DENIED.has(nameOf(link) ?? '') && /\bkms\b/i.test(String(link.message ?? '')),
  );
  const decryption = known(DECRYPTION) ?? (kmsDenial ? denied : undefined);
  if (decryption) return `decryption failed, KMS (${decryption})`;
  const notFound = known(NOT_FOUND);
  if (notFound) return `not found (${notFound})`;
  if (denied) return `access denied (${denied})`;
  const throttled = known(THROTTLED);
  if (throttled) return `throttled (${throttled})`;
  const status = chain
    .map((link) => (link.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode)
    .find((code) => typeof code === 'number');
  const original = [...names].reverse().find((name) => name !== undefined && !WRAPPERS.has(name));
  const name = original ?? names.find((candidate) => candidate !== undefined) ?? 'unknown error';
  if (status === 403) return `access denied (${name})`;
  if (status === 429) return `throttled (${name})`;
  return name;
}

/** The link's error name, or its Node error code (`ECONNRESET`) when the name is the generic `Error`. */
function nameOf(link: ErrorLink): string | undefined {
  const name = typeof link.name === 'string' && SAFE_NAME.test(link.name) ? link.name : undefined;
  const code = typeof link.code === 'string' && SAFE_NAME.test(link.code) ? link.code : undefined;
  return name === 'Error' && code ? code : (name ?? code);
}

/**
 * A copy of `env` in which each variable named by a `*_PARAMETER` variable holds the parameter's value.
 * Errors name the variable, the parameter and why it could not be read (`describeSsmFailure`), never a value.
 */
export async function resolveSecrets(
  env: NodeJS.ProcessEnv,
  read: ParameterReader = readSsmParameter,
): Promise<NodeJS.ProcessEnv> {
  const resolved = { ...env };
  for (const [parameterVariable, target] of Object.entries(FROM_PARAMETERS)) {
    const name = env[parameterVariable]?.trim();
    if (!name) continue;
    let value: string | undefined;
    try {
      value = await read(name);
    } catch (error) {
      throw new SecretResolutionError(
        `${parameterVariable}: SSM parameter ${name} could not be read: ${describeSsmFailure(error)}`,
        { cause: error },
      );
    }
    if (!value) throw new SecretResolutionError(`${parameterVariable}: SSM parameter ${name} has no value`);
    resolved[target] = value;
  }
  return resolved;
}

/** How long built configuration (and the secrets in it) is used before it is read again. */
export const CONFIG_REFRESH_MS = 5 * 60 * 1000;

/**
 * The value of `build`, rebuilt when older than `maxAgeMs` (a rotated secret in SSM reaches every warm
 * function within that time). A failed first build is not kept (the next invocation tries again: an SSM
 * hiccup must not poison a warm Lambda); a failed refresh keeps serving the last good value.
 */
export function memoizeAsync<T>(
  build: () => Promise<T>,
  { maxAgeMs = Number.POSITIVE_INFINITY, now = Date.now }: { maxAgeMs?: number; now?: () => number } = {},
): () => Promise<T> {
  let current: { value: T; builtAt: number } | undefined;
  let building: Promise<T> | undefined;
  return async () => {
    if (current && now() - current.builtAt <= maxAgeMs) return current.value;
    building ??= build()
      .then((value) => {
        current = { value, builtAt: now() };
        return value;
      })
      .finally(() => {
        building = undefined;
      });
    try {
      return await building;
    } catch (error) {
      if (current) return current.value;
      throw error;
    }
  };
}

/**
 * The configuration of one function kind, read on first use (secrets from SSM in deployed stages) and again
 * every `CONFIG_REFRESH_MS`, so that a rotated secret reaches warm functions. A misconfiguration is a logged
 * error of the invocation (the router answers 503), never a crash at import.
 */
export function configSource(
  options: LoadConfigOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  read: ParameterReader = readSsmParameter,
): () => Promise<Config> {
  return memoizeAsync(async () => loadConfig(await resolveSecrets(env, read), options), {
    maxAgeMs: CONFIG_REFRESH_MS,
  });
}

/**
 * `build(config)`, built once per configuration object: clients and verifiers are rebuilt only when a refresh
 * brings a new configuration.
 */
export function perConfig<T>(build: (config: Config) => T): (config: Config) => T {
  const built = new WeakMap<Config, T>();
  return (config) => {
    let value = built.get(config);
    if (value === undefined) {
      value = build(config);
      built.set(config, value);
    }
    return value;
  };
}
