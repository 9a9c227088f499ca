/**
 * The doctor's checks (`npm run doctor`), each a function of what it reads: the readers are passed in
 * (targets.ts builds them for the local stack or a deployed stage; the unit tests pass fakes), so that a check
 * is its decision and its words, not its I/O. Every check ends in one line, ✓ or ✗, and a ✗ carries one line
 * of advice. A check that throws is a ✗ too: the doctor never stops half-way.
 *
 * The order is the order an operator fixes things in: the configuration, its secrets, the Connect key, the
 * webhooks, their deliveries, then what is waiting for a person (the dead-letter queue, the parked requests).
 */
import { type Config, ConfigError, type LoadConfigOptions, loadConfig } from '../../lib/config';
import {
  type ConnectAdminClient,
  ConnectAuthError,
  ConnectError,
  ConnectNetworkError,
  ConnectTimeoutError,
  type InvalidItemEvent,
  rql,
  type Webhook,
} from '../../lib/connect';
import type { TaskRecord } from '../../lib/tasks';
import { desiredWebhooks, labelPrefix, type PlanRow, planSync, secretFingerprint } from '../webhooks/plan';
import { commaList, type ParametersReader, SettingsError, type SyncSettings } from '../webhooks/settings';
import { listWebhooks } from '../webhooks/sync';

/**
 * What the router requires of its configuration (functions/router/handler.ts, `configSource(...)`): it is
 * the strictest of the functions that read the webhook secrets, the products and the function names.
 */
export const ROUTER_CONFIG_OPTIONS: LoadConfigOptions = {
  requireWebhookSecrets: true,
  requireFunctionPrefix: true,
  requireProducts: true,
};

/** Where to read more, relative to the repository (the advice lines name them). */
const RUNBOOK = 'docs/operations.md';

export type CheckResult = {
  /** The check's name, e.g. `Connect API key`. */
  name: string;
  ok: boolean;
  /** What was found, one line. */
  summary: string;
  /** What to do, one line; only on a ✗. */
  advice?: string;
  /** Further lines under the check (the webhooks not as they should be, a warning). */
  details?: string[];
};

export type DeadLetterDepth = {
  /** `ApproximateNumberOfMessages`. */
  visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: being read by someone right now. */
  inFlight: number;
  /** The queue's URL, for the advice. */
  url: string;
};

/** The part of the Connect client the doctor reads through. */
export type DoctorConnect = Pick<ConnectAdminClient, 'requests' | 'webhooks'>;

/** Everything the doctor reads, for one target (the local stack or a deployed stage). */
export type DoctorReaders = {
  /** `the local stack` or `stage prod (us-east-1)`. */
  name: string;
  /** The stage's name; `undefined` for the local stack. */
  stage: string | undefined;
  /** The router's environment as deployed: in a stage, the secrets are names of SSM parameters. */
  routerEnv(): Promise<NodeJS.ProcessEnv>;
  /** The stage's SSM parameters; `undefined` for the local stack, which has none. */
  parameters: ParametersReader | undefined;
  /** Parameters the stage needs besides the router's secrets (the products, read at deploy time). */
  otherParameters: readonly string[];
  /** What `npm run webhooks -- sync` would sync to (URL, secret, products); throws SettingsError. */
  webhookSettings(): Promise<SyncSettings>;
  connect(options: {
    apiUrl: string;
    apiKey: string;
    onInvalidItem?: (event: InvalidItemEvent) => void;
  }): DoctorConnect;
  /** The depth of the stage's dead-letter queue; `undefined` for the local stack, which has no SQS. */
  deadLetters: (() => Promise<DeadLetterDepth>) | undefined;
  /** The parked task records. */
  parked(): Promise<readonly TaskRecord[]>;
};

const message = (error: unknown): string =>
  error instanceof Error
    ? `${error.name && error.name !== 'Error' && !error.message.startsWith(error.name) ? `${error.name}: ` : ''}${error.message}`
    : String(error);

/** ` --stage prod`, or nothing for the local stack: appended to the commands the advice names. */
const stageFlag = (stage: string | undefined): string => (stage === undefined ? '' : ` --stage ${stage}`);

const ok = (name: string, summary: string, details?: string[]): CheckResult => ({
  name,
  ok: true,
  summary,
  ...(details && details.length > 0 ? { details } : {}),
});
const fail = (name: string, summary: string, advice: string, details?: string[]): CheckResult => ({
  name,
  ok: false,
  summary,
  advice,
  ...(details && details.length > 0 ? { details } : {}),
});

// ---------------------------------------------------------------------------------------------------------
// SSM

/** Which variable each `*_PARAMETER` variable of the router fills (lib/config/secrets.ts). */
const SECRET_PARAMETERS = [
  ['CONNECT_API_KEY_PARAMETER', 'CONNECT_API_KEY'],
  ['CONNECT_WEBHOOK_SECRETS_PARAMETER', 'CONNECT_WEBHOOK_SECRETS'],
] as const;

export type SecretsCheck = {
  result: CheckResult;
  /** The router's environment with the secrets read from SSM; `undefined` when they could not be. */
  resolved: NodeJS.ProcessEnv | undefined;
};

/**
 * The SSM parameters exist, have a value and can be read (decrypted) with the caller's credentials. Locally
 * there is no SSM: the values are in the environment.
 */
export async function checkParameters(
  env: NodeJS.ProcessEnv,
  parameters: ParametersReader | undefined,
  otherParameters: readonly string[],
  stage: string | undefined,
): Promise<SecretsCheck> {
  const name = 'SSM parameters';
  if (parameters === undefined) {
    return { result: ok(name, 'local values, no SSM'), resolved: env };
  }
  const notFromSsm = SECRET_PARAMETERS.filter(([variable]) => !env[variable]?.trim()).map(([v]) => v);
  if (notFromSsm.length > 0) {
    return {
      result: fail(
        name,
        `the router has no ${notFromSsm.join(' or ')}: its secrets are in its configuration, not in SSM`,
        `give stage ${stage} the SSM parameter names (connectApiKeyParameter, webhookSecretsParameter in ` +
          'serverless.yml, as prod has) and deploy again (docs/deploy.md)',
      ),
      resolved: undefined,
    };
  }
  const secretNames = SECRET_PARAMETERS.map(([variable]) => env[variable]?.trim() ?? '');
  const names = [...new Set([...secretNames, ...otherParameters])];
  let values: Map<string, string>;
  try {
    values = await parameters(names);
  } catch (error) {
    return {
      result: fail(
        name,
        `could not be read: ${message(error)}`,
        `the doctor needs ssm:GetParameters on ${names.join(', ')} and kms:Decrypt on their key ` +
          `(${RUNBOOK}#the-doctor)`,
      ),
      resolved: undefined,
    };
  }
  const missing = names.filter((parameter) => !values.get(parameter)?.trim());
  const secretsName = env.CONNECT_WEBHOOK_SECRETS_PARAMETER?.trim() ?? '';
  const noSecret =
    !missing.includes(secretsName) && commaList(values.get(secretsName)).length === 0 ? [secretsName] : [];
  if (missing.length > 0 || noSecret.length > 0) {
    return {
      result: fail(
        name,
        [
          missing.length > 0 ? `missing or empty: ${missing.join(', ')}` : '',
          noSecret.length > 0 ? `${secretsName} names no secret` : '',
        ]
          .filter(Boolean)
          .join('; '),
        'create them with aws ssm put-parameter (SecureString for the key and the secrets), as docs/deploy.md shows',
      ),
      resolved: undefined,
    };
  }
  const resolved = { ...env };
  for (const [variable, target] of SECRET_PARAMETERS) {
    resolved[target] = values.get(env[variable]?.trim() ?? '');
  }
  return { result: ok(name, `${names.length} readable: ${names.join(', ')}`), resolved };
}

// ---------------------------------------------------------------------------------------------------------
// Configuration

/**
 * The router's configuration parses (lib/config's `loadConfig`, with the router's requirements). When the
 * secrets could not be read from SSM, their parameters stand in for them, so that the rest is still checked.
 */
export function checkConfiguration(
  env: NodeJS.ProcessEnv,
  resolved: NodeJS.ProcessEnv | undefined,
  stage: string | undefined,
): { result: CheckResult; config: Config | undefined } {
  const name = 'configuration';
  const input = resolved ?? {
    ...env,
    ...Object.fromEntries(
      SECRET_PARAMETERS.filter(([variable]) => env[variable]?.trim()).map(([, target]) => [
        target,
        '(in SSM)',
      ]),
    ),
  };
  try {
    const config = loadConfig(input, ROUTER_CONFIG_OPTIONS);
    const products = config.products.includes('*') ? 'every product (*)' : config.products.join(', ');
    const secrets = config.webhookSecrets.length;
    return {
      result: ok(
        name,
        `the router's configuration parses: Connect ${config.connect.apiUrl}, products ${products}, ` +
          `${secrets} webhook secret${secrets === 1 ? '' : 's'}`,
      ),
      config: resolved === undefined ? undefined : config,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      result: fail(
        name,
        error.message,
        stage === undefined
          ? 'set the variables named above in the environment of npm start and of the doctor (docs/configuration.md)'
          : `fix the stage's parameters (serverless.yml, SSM) and deploy stage ${stage} again (docs/configuration.md)`,
      ),
      config: undefined,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Connect

/** One cheap read with the functions' key: the first request of a configured product (one page of 1). */
export async function checkConnectKey(
  connect: DoctorConnect | undefined,
  config: Pick<Config, 'connect' | 'products'> | undefined,
  stage: string | undefined,
  apiKeyWhere: string,
): Promise<CheckResult> {
  const name = 'Connect API key';
  if (connect === undefined || config === undefined) {
    return fail(
      name,
      'not tried: no API key or Connect URL to try (see the lines above)',
      'fix the configuration and the SSM parameters first',
    );
  }
  const filter = config.products.includes('*') ? undefined : rql.in('asset.product.id', config.products);
  let read = 0;
  try {
    for await (const _request of connect.requests.list({ ...(filter ? { filter } : {}), pageSize: 1 })) {
      read += 1;
      break;
    }
  } catch (error) {
    const url = config.connect.apiUrl;
    if (error instanceof ConnectAuthError) {
      return fail(
        name,
        `Connect at ${url} refused the key: ${error.message}`,
        stage === undefined
          ? `CONNECT_API_KEY must be the emulator's key (config/stack.json, local.connectApiKey) or unset`
          : `put a valid key in ${apiKeyWhere}; the functions read it again within 5 minutes ` +
              '(docs/deploy.md#rotating-a-secret)',
      );
    }
    if (error instanceof ConnectNetworkError || error instanceof ConnectTimeoutError) {
      return fail(
        name,
        `Connect at ${url} did not answer: ${error.message}`,
        stage === undefined
          ? 'start the local stack (npm start), or point CONNECT_API_URL at its emulator'
          : `check the stage's connectApiUrl and Connect's status; the functions cannot reach it either`,
      );
    }
    if (error instanceof ConnectError) {
      return fail(name, `Connect at ${url} answered an error: ${error.message}`, 'see the message above');
    }
    throw error;
  }
  return ok(
    name,
    `Connect at ${config.connect.apiUrl} accepts the key ` +
      `(${read === 0 ? 'no request of the products yet' : 'read 1 request'})`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Webhooks

export type WebhooksCheck = {
  result: CheckResult;
  /** Our active webhooks of the configured products, as Connect listed them; `undefined` when not listed. */
  ours: Webhook[] | undefined;
};

/** `PRD-… fulfillment_request event`. */
const kindOf = (row: Pick<PlanRow, 'productId' | 'objectClass' | 'type'>) =>
  `${row.productId} ${row.objectClass} ${row.type}`;

/** Why a row of the sync's plan is not `unchanged`, in an operator's words. */
function whyNot(row: PlanRow, existing: ReadonlyMap<string, Webhook>): string {
  if (row.action === 'create') return `${kindOf(row)}: missing`;
  if (row.action === 'deactivate')
    return `${kindOf(row)}: ${row.webhookId} is ours and active, but ${row.detail.join(', ')}`;
  const webhook = row.webhookId === undefined ? undefined : existing.get(row.webhookId);
  const words = row.detail.map((what) => {
    if (what === 'active') return 'inactive';
    if (what === 'url') return `points at ${webhook?.external_url ?? 'another URL'}`;
    if (what === 'secret') return "signs with another secret than the stage's first";
    return `${what} differs`;
  });
  return `${kindOf(row)}: ${row.webhookId} ${words.join(', ')}`;
}

/**
 * Every configured product's webhooks exist, are active and point at this stack: `npm run webhooks -- sync`'s
 * plan (scripts/webhooks/plan.ts) has nothing to do.
 */
export async function checkWebhooks(
  readers: Pick<DoctorReaders, 'webhookSettings' | 'connect' | 'stage'>,
): Promise<WebhooksCheck> {
  const name = 'webhooks';
  const sync = `npm run webhooks -- sync${stageFlag(readers.stage)}`;
  let settings: SyncSettings;
  try {
    settings = await readers.webhookSettings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return {
      result: fail(
        name,
        error.message,
        readers.stage === undefined
          ? 'set CONNECT_PRODUCTS (and CONNECT_VALIDATION_PRODUCTS) to the products, as for npm run webhooks -- sync'
          : `fix the stage's SSM parameters and stack outputs named above (docs/deploy.md#webhooks-in-connect)`,
      ),
      ours: undefined,
    };
  }
  const invalid: InvalidItemEvent[] = [];
  const client = readers.connect({
    apiUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    onInvalidItem: (event) => invalid.push(event),
  });
  let existing: Webhook[];
  try {
    existing = await listWebhooks(client, settings, invalid);
  } catch (error) {
    return {
      result: fail(
        name,
        `Connect's webhooks could not be listed: ${message(error)}`,
        'fix the Connect API key line first',
      ),
      ours: undefined,
    };
  }
  const plan = planSync(settings, existing);
  const byId = new Map(existing.map((webhook) => [webhook.id, webhook]));
  const wrong = plan.rows.filter((row) => row.action !== 'unchanged');
  const wanted = desiredWebhooks(settings, secretFingerprint(settings.secret)).length;
  const notes = plan.warnings.map((warning) => `note: ${warning}`);
  const prefix = labelPrefix(settings.service, settings.stage);
  const configured = new Set(settings.products);
  const ours = existing.filter(
    (webhook) =>
      webhook.active && (webhook.label ?? '').startsWith(prefix) && configured.has(webhook.product.id),
  );
  if (wrong.length > 0) {
    return {
      result: fail(
        name,
        `${wrong.length} of ${wanted} not as they should be (products ${settings.products.join(', ')}, ` +
          `base URL ${settings.baseUrl})`,
        `${sync} puts them right (add --dry-run to see its plan first)`,
        [...wrong.map((row) => whyNot(row, byId)), ...notes],
      ),
      ours,
    };
  }
  return {
    result: ok(
      name,
      `all ${wanted} webhooks of ${settings.products.length} product${settings.products.length === 1 ? '' : 's'} ` +
        `exist, are active and point at ${settings.baseUrl}`,
      notes,
    ),
    ours,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Deliveries

const timeOf = (trigger: Webhook['last_success']): number | undefined => {
  const time = trigger?.time;
  if (time == null) return undefined;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? undefined : parsed;
};

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Connect's record of each webhook's last delivery: a webhook whose last failure is newer than its last
 * success (or that never succeeded but failed) is failing now.
 */
export function checkDeliveries(
  ours: readonly Webhook[] | undefined,
  stage: string | undefined,
): CheckResult {
  const name = 'last deliveries';
  if (ours === undefined) {
    return fail(name, 'not known: the webhooks could not be read (see above)', 'fix the webhooks line first');
  }
  const failing = ours.flatMap((webhook) => {
    const success = timeOf(webhook.last_success);
    const failure = timeOf(webhook.last_failure);
    return failure !== undefined && (success === undefined || failure > success)
      ? [{ webhook, failure, status: webhook.last_failure?.status_code ?? undefined }]
      : [];
  });
  if (failing.length > 0) {
    const unauthorized = failing.some(({ status }) => status === 401 || status === 403);
    return fail(
      name,
      `${failing.length} of ${ours.length} webhooks failed their last delivery`,
      unauthorized
        ? `a 401 is a secret out of step: ${RUNBOOK}#a-burst-of-401s-at-the-webhook (npm run webhooks -- sync` +
            `${stageFlag(stage)} --force)`
        : stage === undefined
          ? 'is npm start running? Connect delivers to its router; see its log (npm start -- --verbose)'
          : `read the router's log at that time (${RUNBOOK}#function-errors-and-throttles)`,
      failing.map(
        ({ webhook, failure, status }) =>
          `${webhook.id} (${webhook.product.id} ${webhook.object_class} ${webhook.type}): failed at ` +
          `${iso(failure)}${status == null ? '' : `, HTTP ${status}`}` +
          `${timeOf(webhook.last_success) === undefined ? ', never succeeded' : ''}`,
      ),
    );
  }
  const successes = ours.map((webhook) => timeOf(webhook.last_success)).filter((t) => t !== undefined);
  if (successes.length === 0) {
    return ok(name, `none of the ${ours.length} webhooks called yet (none failed)`);
  }
  const waiting = ours.length - successes.length;
  return ok(
    name,
    `${successes.length} of ${ours.length} last delivered successfully (latest ${iso(Math.max(...successes))})` +
      `${waiting > 0 ? `; ${waiting} not called yet` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// What waits for a person

export async function checkDeadLetters(
  deadLetters: (() => Promise<DeadLetterDepth>) | undefined,
): Promise<CheckResult> {
  const name = 'dead-letter queue';
  if (deadLetters === undefined) {
    return ok(name, 'the local stack has no SQS queue: a failed run shows in the log of npm start');
  }
  let depth: DeadLetterDepth;
  try {
    depth = await deadLetters();
  } catch (error) {
    return fail(
      name,
      `could not be read: ${message(error)}`,
      `the doctor needs sqs:GetQueueAttributes on the stack's queue (${RUNBOOK}#the-doctor)`,
    );
  }
  const total = depth.visible + depth.inFlight;
  if (total > 0) {
    return fail(
      name,
      `${total} message${total === 1 ? '' : 's'} (${depth.inFlight} being read) in ${depth.url}`,
      `each is an event a type function gave up on: ${RUNBOOK}#a-message-in-the-dead-letter-queue`,
    );
  }
  return ok(name, 'empty');
}

export async function checkParked(
  parked: () => Promise<readonly TaskRecord[]>,
  stage: string | undefined,
): Promise<CheckResult> {
  const name = 'parked requests';
  let records: readonly TaskRecord[];
  try {
    records = await parked();
  } catch (error) {
    return fail(
      name,
      `the task records could not be read: ${message(error)}`,
      stage === undefined
        ? 'start the local stack (npm start), or set DYNAMODB_PORT to its port'
        : `the doctor needs dynamodb:Query on the stage's task table and its index (${RUNBOOK}#the-doctor)`,
    );
  }
  if (records.length > 0) {
    const shown = records
      .slice(0, 5)
      .map((record) => `${record.id} (${record.reason ?? record.outcome ?? ''})`);
    return fail(
      name,
      `${records.length} parked`,
      `npm run tasks -- list --state parked${stageFlag(stage)}, fix the cause, then npm run tasks -- release ` +
        `<id>${stageFlag(stage)} (${RUNBOOK}#a-parked-request)`,
      [...shown, ...(records.length > 5 ? [`and ${records.length - 5} more`] : [])],
    );
  }
  return ok(name, 'none');
}

// ---------------------------------------------------------------------------------------------------------
// All of them

/** A check that threw (a bug, or an error no check foresaw) is a ✗ with its message, not a stop. */
async function guarded(name: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (error) {
    return fail(
      name,
      `the check failed: ${message(error)}`,
      'see the message; run the doctor again once fixed',
    );
  }
}

/** Runs every check, in order, and returns their results. */
export async function runChecks(readers: DoctorReaders): Promise<CheckResult[]> {
  const { stage } = readers;
  let env: NodeJS.ProcessEnv | undefined;
  let envError: unknown;
  try {
    env = await readers.routerEnv();
  } catch (error) {
    envError = error;
  }
  const results: CheckResult[] = [];
  let config: Config | undefined;
  let apiKeyWhere = 'CONNECT_API_KEY';
  if (env === undefined) {
    results.push(
      fail(
        'configuration',
        `the router's configuration could not be read: ${message(envError)}`,
        `deploy stage ${stage}, or give the doctor lambda:GetFunctionConfiguration (${RUNBOOK}#the-doctor)`,
      ),
      fail('SSM parameters', 'not known: the router could not be read', 'fix the configuration line first'),
    );
  } else {
    apiKeyWhere = env.CONNECT_API_KEY_PARAMETER?.trim() || apiKeyWhere;
    let secrets: SecretsCheck;
    try {
      secrets = await checkParameters(env, readers.parameters, readers.otherParameters, stage);
    } catch (error) {
      secrets = {
        result: fail('SSM parameters', `the check failed: ${message(error)}`, 'see the message'),
        resolved: undefined,
      };
    }
    const configuration = checkConfiguration(env, secrets.resolved, stage);
    config = configuration.config;
    results.push(configuration.result, secrets.result);
  }
  results.push(
    await guarded('Connect API key', () =>
      checkConnectKey(
        config
          ? readers.connect({ apiUrl: config.connect.apiUrl, apiKey: config.connect.apiKey })
          : undefined,
        config,
        stage,
        apiKeyWhere,
      ),
    ),
  );
  let ours: Webhook[] | undefined;
  results.push(
    await guarded('webhooks', async () => {
      const checked = await checkWebhooks(readers);
      ours = checked.ours;
      return checked.result;
    }),
  );
  results.push(checkDeliveries(ours, stage));
  results.push(await guarded('dead-letter queue', () => checkDeadLetters(readers.deadLetters)));
  results.push(await guarded('parked requests', () => checkParked(() => readers.parked(), stage)));
  return results;
}

/** The report: one line per check, its details indented under it, its advice after an arrow. */
export function formatResults(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.ok ? '✓' : '✗'} ${result.name.padEnd(width)}  ${result.summary}`);
    for (const detail of result.details ?? []) lines.push(`    ${detail}`);
    if (!result.ok && result.advice) lines.push(`    → ${result.advice}`);
  }
  const failed = results.filter((result) => !result.ok).length;
  lines.push(
    '',
    failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`,
  );
  return lines;
}
