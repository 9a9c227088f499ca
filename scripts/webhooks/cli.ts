/**
 * `npm run webhooks -- sync [--stage <name>] [--region <region>] [--url <base>] [--dry-run] [--force]`:
 * registers, as code, the Connect webhooks of every configured product (plan.ts: what, and how ours are
 * marked; settings.ts: where the settings come from). Exit codes: 0 done, 1 failed, 2 usage.
 */
import { ConnectError, createConnectClient, type InvalidItemEvent } from '../../lib/connect';
import { type CliIo, parseCommandLine } from '../cli';
import { loadSamples, sampleProducts } from '../local-stack/samples';
import { VALIDATE_ROUTE, WEBHOOK_ROUTE } from './plan';
import { type AwsReaders, localSettings, SettingsError, stageSettings } from './settings';
import { InvalidWebhooksError, syncWebhooks } from './sync';

export const USAGE = `Usage: npm run webhooks -- sync [--stage <name>] [--region <region>] [--url <base>] [--dry-run] [--force]

  Creates or updates, in Connect, the webhooks of every configured product: the fulfillment_request and
  tier_config_request events to <base>${WEBHOOK_ROUTE} and, for the validation products, the validators
  to <base>${VALIDATE_ROUTE}. Never deletes, and never changes a webhook it did not create.

  --stage <name>   a deployed stage: the stack's HttpApiUrl and ConnectApiUrl outputs, the key, the first
                   webhook secret, the products and the validation products from SSM
                   (/connect-fulfillment/<stage>/...). Without it: the local stack (npm start), products from
                   CONNECT_PRODUCTS, validation products from CONNECT_VALIDATION_PRODUCTS.
  --region <name>  the stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then us-east-1)
  --url <base>     the base URL to register instead of the stack's (or http://127.0.0.1:3000)
  --dry-run        print the plan, change nothing
  --force          update every webhook of ours, even those that look up to date (their secret was changed
                   by hand in Connect, which does not show secrets)
`;

export type CliDeps = {
  /** The AWS readers for a region (tests pass fakes). */
  aws: (region: string) => AwsReaders;
  fetch?: typeof globalThis.fetch;
};

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  deps: CliDeps,
): Promise<number> {
  const parsed = parseCommandLine(argv, ARGS, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'sync') {
    io.err(USAGE);
    return 2;
  }

  try {
    const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const url = values.url;
    const settings = values.stage
      ? await stageSettings({ stage: values.stage, region, ...(url ? { url } : {}) }, deps.aws(region), env)
      : localSettings(env, { ...(url ? { url } : {}), defaultProducts: sampleProducts(await loadSamples()) });
    const invalid: InvalidItemEvent[] = [];
    const client = createConnectClient({
      apiUrl: settings.apiUrl,
      apiKey: settings.apiKey,
      onInvalidItem: (event) => invalid.push(event),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    io.out(
      `Webhooks of ${settings.service}, stage ${settings.stage}, from ${settings.source}: ` +
        `Connect ${settings.apiUrl}, base URL ${settings.baseUrl}` +
        `${values['dry-run'] ? ' (dry run)' : ''}.`,
    );
    io.out(
      `Products: ${settings.products.join(', ')}; with validators: ${settings.validationProducts.join(', ') || 'none'}.`,
    );
    io.out('');
    await syncWebhooks({
      client,
      target: settings,
      dryRun: values['dry-run'] ?? false,
      force: values.force ?? false,
      out: io.out,
      invalid,
    });
    return 0;
  } catch (error) {
    if (
      error instanceof SettingsError ||
      error instanceof ConnectError ||
      error instanceof InvalidWebhooksError
    ) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

const ARGS = {
  allowPositionals: true,
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    url: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;
