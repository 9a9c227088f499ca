/**
 * Where a sync takes its settings from.
 *
 * - No `--stage`: the local stack (`npm start`): the emulator's URL and key and the local webhook secret of
 *   config/stack.json (each overridable by its environment variable, as for the local stack), the offline
 *   HTTP port as base URL, the products from `CONNECT_PRODUCTS` and the validated ones from
 *   `CONNECT_VALIDATION_PRODUCTS`.
 * - `--stage <name>`: the deployed stack `<service>-<name>`: its `HttpApiUrl` and `ConnectApiUrl` outputs
 *   (CloudFormation), and from SSM the API key, the first webhook secret, the products and the validated
 *   products (`/connect-fulfillment/<stage>/api-key`, `…/webhook-secrets`, `…/products`,
 *   `…/validation-products`, the last one optional).
 *
 * AWS is reached through two small readers, so that the tests pass fakes and the SDK stays in aws.ts.
 */
import stack from '../../config/stack.json';
import type { SyncTarget } from './plan';

/** The SSM path of serverless.yml's deployed stages (`/connect-fulfillment/${sls:stage}/…`). */
export const SSM_PREFIX = '/connect-fulfillment';

/** The stage name in the labels of webhooks registered for the local stack. */
export const LOCAL_STAGE = 'local';

export type SyncSettings = SyncTarget & {
  apiUrl: string;
  apiKey: string;
  /** Where the settings came from, for the report. */
  source: string;
};

/** A stack's outputs by key; rejects when the stack does not exist. */
export type StackOutputsReader = (stackName: string) => Promise<Record<string, string>>;
/** The values of the parameters that exist (SecureStrings decrypted), by name. */
export type ParametersReader = (names: readonly string[]) => Promise<Map<string, string>>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function baseUrlOf(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError(`${what} must be an http(s) URL: ${value}`);
  }
  return value.replace(/\/+$/, '');
}

function productsOf(products: string[], validation: string[], where: string) {
  if (products.length === 0) {
    throw new SettingsError(
      `No products configured (${where}): webhooks are per product, so a sync needs the list`,
    );
  }
  if (products.includes('*')) {
    throw new SettingsError(
      `Products is * (every product) (${where}): webhooks are per product, so a sync needs the product ids`,
    );
  }
  const validationProducts = validation.includes('*') ? products : validation;
  const unknown = validationProducts.filter((product) => !products.includes(product));
  if (unknown.length > 0) {
    throw new SettingsError(`Validation products not among the products: ${unknown.join(', ')}`);
  }
  return { products, validationProducts };
}

export type LocalOptions = {
  url?: string;
  /**
   * Without `CONNECT_PRODUCTS`: these products, their validators included (what `npm start` registers: the
   * samples' products). Without either, the sync refuses.
   */
  defaultProducts?: readonly string[];
};

/** The local stack's settings (no AWS). */
export function localSettings(env: NodeJS.ProcessEnv, options: LocalOptions = {}): SyncSettings {
  const secret = commaList(env.CONNECT_WEBHOOK_SECRETS || stack.local.webhookSecret)[0];
  if (!secret) throw new SettingsError('CONNECT_WEBHOOK_SECRETS has no secret');
  const port = env.OFFLINE_HTTP_PORT || String(stack.local.ports.http);
  return {
    service: stack.service,
    stage: LOCAL_STAGE,
    apiUrl: env.CONNECT_API_URL || stack.local.connectApiUrl,
    apiKey: env.CONNECT_API_KEY || stack.local.connectApiKey,
    secret,
    baseUrl: baseUrlOf(
      options.url || `http://127.0.0.1:${port}`,
      options.url ? '--url' : 'The local base URL',
    ),
    ...(commaList(env.CONNECT_PRODUCTS).length === 0 && options.defaultProducts?.length
      ? productsOf([...options.defaultProducts], ['*'], 'the samples of npm start')
      : productsOf(
          commaList(env.CONNECT_PRODUCTS),
          commaList(env.CONNECT_VALIDATION_PRODUCTS),
          'CONNECT_PRODUCTS',
        )),
    source: 'the local stack (npm start)',
  };
}

export type StageOptions = { stage: string; region: string; url?: string };

export type AwsReaders = { stackOutputs: StackOutputsReader; parameters: ParametersReader };

/** A deployed stage's settings: the stack's outputs and the stage's SSM parameters. */
export async function stageSettings(
  options: StageOptions,
  aws: AwsReaders,
  env: NodeJS.ProcessEnv = {},
): Promise<SyncSettings> {
  const { stage, region } = options;
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new SettingsError(`Invalid stage name: ${stage}`);
  const stackName = `${stack.service}-${stage}`;
  const outputs = await aws.stackOutputs(stackName);
  const name = (leaf: string) => `${SSM_PREFIX}/${stage}/${leaf}`;
  const names = {
    apiKey: name('api-key'),
    secrets: name('webhook-secrets'),
    products: name('products'),
    validation: name('validation-products'),
  };
  const values = await aws.parameters(Object.values(names));
  const required = (parameter: string) => {
    const value = values.get(parameter);
    if (value === undefined || value.trim() === '') {
      throw new SettingsError(`SSM parameter ${parameter} is missing or empty (region ${region})`);
    }
    return value;
  };

  const httpApiUrl = options.url || outputs.HttpApiUrl;
  if (!httpApiUrl) throw new SettingsError(`Stack ${stackName} has no HttpApiUrl output: pass --url`);
  // serverless.yml's connectApiUrl of that stage, as the stack was deployed with it.
  const apiUrl = outputs.ConnectApiUrl || env.CONNECT_API_URL;
  if (!apiUrl) {
    throw new SettingsError(
      `Stack ${stackName} has no ConnectApiUrl output (deployed before it existed): set CONNECT_API_URL`,
    );
  }
  const secret = commaList(required(names.secrets))[0];
  if (!secret) throw new SettingsError(`SSM parameter ${names.secrets} has no secret`);
  return {
    service: stack.service,
    stage,
    apiUrl,
    apiKey: required(names.apiKey),
    secret,
    baseUrl: baseUrlOf(httpApiUrl, options.url ? '--url' : `The HttpApiUrl output of ${stackName}`),
    ...productsOf(
      commaList(required(names.products)),
      commaList(values.get(names.validation)),
      names.products,
    ),
    source: `stack ${stackName} (${region})`,
  };
}
