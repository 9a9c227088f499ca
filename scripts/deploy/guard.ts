/**
 * The deploy guard: a stage deploys only if its secrets come from SSM at run time, so that no secret value is
 * written into the CloudFormation template (where anyone who can read the stack, or its console, sees it).
 *
 * Two checks, both of which must pass:
 * - `checkStageSource`, on serverless.yml as written (no AWS call): the stage has its own block under
 *   `params:` (without one it falls back to `params.default`, the local stack's clear-text defaults, which
 *   also read CONNECT_API_KEY / CONNECT_WEBHOOK_SECRETS from the shell), its `connectApiKeyParameter` and
 *   `webhookSecretsParameter` are SSM parameter names, its `connectApiKey` and `webhookSecrets` are empty,
 *   nothing else reads the secrets from the shell or the local defaults, and no `--param` overrides them.
 * - `checkResolvedStage`, on the configuration as the framework resolves it (`sls print`): every function's
 *   CONNECT_API_KEY and CONNECT_WEBHOOK_SECRETS are empty, the `*_PARAMETER` variables name SSM parameters,
 *   and no known secret (the local defaults, the shell's values) appears anywhere that reaches the template.
 *
 * Reasons never quote a value or an expression that could hold one: only keys, variable names and paths.
 */

/** serverless.yml as parsed (CloudFormation tags as objects), or as `sls print` resolves it. */
export type ServerlessConfig = Record<string, unknown> & {
  params?: Record<string, Record<string, unknown> | null | undefined>;
};

export type Verdict = {
  ok: boolean;
  /** Why the stage may not deploy; empty when `ok`. */
  reasons: string[];
  /** What the deployer should know either way (a shell secret that is set but unused, the SSM names). */
  notes: string[];
};

/** The stage parameters that hold a secret's value (local stack only) and the SSM name it is read from. */
export const SECRET_PARAMS = [
  { value: 'connectApiKey', name: 'connectApiKeyParameter', shell: 'CONNECT_API_KEY' },
  { value: 'webhookSecrets', name: 'webhookSecretsParameter', shell: 'CONNECT_WEBHOOK_SECRETS' },
] as const;

/** The shell variables that hold secrets locally (config/local-stage.cjs reads both). */
export const SHELL_SECRETS = SECRET_PARAMS.map((param) => param.shell);

/** An SSM parameter name as this project uses them: a path of SSM's characters. */
const SSM_NAME = /^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/;
/** A reference that would put a secret from the deployer's machine into the template. */
const SHELL_REFERENCE = /\$\{env:\s*(CONNECT_API_KEY|CONNECT_WEBHOOK_SECRETS)\s*[,}]/;
const LOCAL_DEFAULT_REFERENCE = /local-stage\.cjs\)?:\s*(connectApiKey|webhookSecrets)\b/;

/** Whether `stage` is a name `sls` accepts as a stage (and that this script may pass on). */
export function isStageName(stage: string): boolean {
  return /^[A-Za-z0-9-]+$/.test(stage);
}

/** `${sls:stage}` and `${opt:stage}` replaced: the only variables a parameter name may hold. */
function substituteStage(text: string, stage: string): string {
  return text.replaceAll(`\${sls:stage}`, stage).replaceAll(`\${opt:stage}`, stage);
}

/** What a secret's value parameter is, in words that never quote it. */
function describeSource(value: unknown): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value} value`;
  if (value.includes(`\${ssm:`)) {
    return `an \${ssm:} variable, which the framework resolves at deploy time and writes decrypted into the template`;
  }
  if (value.includes(`\${env:`)) return `an \${env:} variable of the deployer's shell`;
  if (value.includes(`\${file(`)) return `a \${file()} variable (config/local-stage.cjs: the local defaults)`;
  if (value.includes(`\${`)) return 'a variable resolved at deploy time';
  return 'a clear-text value';
}

/** Whether a parameter's expression reads `shell` from the environment (a file may: local-stage.cjs does). */
function readsShell(value: unknown, shell: string): boolean {
  return typeof value === 'string' && (value.includes(`\${env:${shell}`) || value.includes(`\${file(`));
}

/** Every string of `value`, with its path (`functions.router.environment.X`). */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [at, value];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* strings(item, `${at}[${index}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* strings(item, at ? `${at}.${key}` : key);
  }
}

export type StageSourceInput = {
  stage: string | undefined;
  /** serverless.yml as written. */
  config: ServerlessConfig;
  /** The deployer's environment. */
  env: NodeJS.ProcessEnv;
  /** The keys of the `--param key=value` options passed on to sls (never their values). */
  cliParams?: readonly string[];
};

/** The check on serverless.yml as written: no AWS call, no variable resolved. */
export function checkStageSource({ stage, config, env, cliParams = [] }: StageSourceInput): Verdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  if (!stage) {
    return {
      ok: false,
      reasons: [
        'no --stage: `sls deploy` would deploy the default stage (dev), whose secrets are the local defaults or ' +
          'the CONNECT_API_KEY / CONNECT_WEBHOOK_SECRETS of your shell, in clear text in the template. ' +
          'Name a stage configured with SSM parameters: npm run deploy -- --stage <name>',
      ],
      notes,
    };
  }
  if (!isStageName(stage)) {
    return { ok: false, reasons: ['--stage: letters, digits and hyphens only'], notes };
  }
  const params = config.params ?? {};
  const defaults = params.default ?? {};
  const own = stage === 'default' ? undefined : params[stage];
  if (!own) {
    reasons.push(
      `stage ${stage} has no block under params: in serverless.yml, so it takes params.default: the local ` +
        "stack's defaults (or your shell's CONNECT_API_KEY / CONNECT_WEBHOOK_SECRETS), in clear text. " +
        'Add a block like prod (SSM parameter names, empty values) for it.',
    );
    for (const { value, shell } of SECRET_PARAMS) {
      if (env[shell] && readsShell(defaults[value], shell)) {
        reasons.push(
          `${shell} is set in your shell, and params.default.${value} would write it into the template`,
        );
      }
    }
    return { ok: false, reasons, notes };
  }
  const effective: Record<string, unknown> = { ...defaults, ...own };

  for (const { value, name, shell } of SECRET_PARAMS) {
    const rawName = effective[name];
    const parameter = typeof rawName === 'string' ? substituteStage(rawName.trim(), stage) : undefined;
    if (!parameter) {
      reasons.push(
        `params.${stage}.${name}: empty: name the SSM SecureString parameter ${shell} is read from`,
      );
    } else if (!SSM_NAME.test(parameter)) {
      reasons.push(
        `params.${stage}.${name}: not an SSM parameter name (a path such as /connect-fulfillment/${stage}/…, ` +
          `with no variable but \${sls:stage})`,
      );
    } else {
      notes.push(`${shell} is read at run time from SSM parameter ${parameter}`);
    }

    const rawValue = effective[value];
    const inherited = !(value in own);
    if (rawValue !== '') {
      reasons.push(
        `params.${stage}.${value}${inherited ? ' (inherited from params.default)' : ''} must be "" in a ` +
          `deployed stage, and is ${describeSource(rawValue)}: its value would be in the template in clear text`,
      );
    }
    if (env[shell]) {
      if (readsShell(rawValue, shell)) {
        reasons.push(
          `${shell} is set in your shell, and params.${stage}.${value} would write it into the template: ` +
            `unset it (deployed stages read it from SSM)`,
        );
      } else {
        notes.push(`${shell} is set in your shell; stage ${stage} does not use it`);
      }
    }
  }

  // Anything else that would read a secret from the shell or the local defaults: another stage parameter, or
  // the rest of the file (an environment variable written straight into a function).
  const { params: _params, ...rest } = config;
  const sources: Array<[string, unknown]> = [
    ...Object.entries(effective)
      .filter(([key]) => !SECRET_PARAMS.some((param) => param.value === key))
      .map(([key, item]): [string, unknown] => [`params.${key in own ? stage : 'default'}.${key}`, item]),
    ['', rest],
  ];
  for (const [root, item] of sources) {
    for (const [at, text] of strings(item, root)) {
      if (SHELL_REFERENCE.test(text) || LOCAL_DEFAULT_REFERENCE.test(text)) {
        reasons.push(`${at} reads a secret from the deployer's shell or the local defaults`);
      }
    }
  }

  for (const key of cliParams) {
    if (SECRET_PARAMS.some((param) => param.value === key || param.name === key)) {
      reasons.push(`--param ${key}=…: the secrets' parameters come from serverless.yml's stage block only`);
    }
  }
  return { ok: reasons.length === 0, reasons, notes };
}

export type ResolvedStageInput = {
  /** `sls print --format json` of the stage. */
  resolved: ServerlessConfig;
  /** Secret values that must not appear in the template, by what they are (`the local default API key`). */
  knownSecrets: ReadonlyArray<{ what: string; value: string }>;
};

type ResolvedFunction = { environment?: Record<string, unknown> };

/** The check on the configuration as the framework resolved it for the stage. */
export function checkResolvedStage({ resolved, knownSecrets }: ResolvedStageInput): Verdict {
  const reasons: string[] = [];
  const provider = (resolved.provider ?? {}) as ResolvedFunction;
  const functions = (resolved.functions ?? {}) as Record<string, ResolvedFunction>;
  const environments: Array<[string, Record<string, unknown>]> = Object.entries(functions).map(
    ([name, fn]) => [name, { ...provider.environment, ...fn.environment }],
  );
  if (environments.length === 0) reasons.push('the resolved configuration has no function');

  for (const [fn, environment] of environments) {
    for (const variable of SHELL_SECRETS) {
      const value = environment[variable];
      if (value !== undefined && value !== '') {
        reasons.push(`function ${fn}: ${variable} would be in the template in clear text`);
      }
      const parameter = environment[`${variable}_PARAMETER`];
      if (typeof parameter === 'string' && parameter !== '' && !SSM_NAME.test(parameter)) {
        reasons.push(`function ${fn}: ${variable}_PARAMETER is not an SSM parameter name`);
      }
    }
  }
  for (const variable of SHELL_SECRETS) {
    const named = environments.some(([, environment]) => {
      const parameter = environment[`${variable}_PARAMETER`];
      return typeof parameter === 'string' && SSM_NAME.test(parameter);
    });
    if (!named)
      reasons.push(`no function reads ${variable} from SSM (${variable}_PARAMETER is empty everywhere)`);
  }

  // The params section is the framework's input, not the template's: the local defaults are always there.
  const { params: _params, ...template } = resolved;
  const secrets = knownSecrets.filter((secret) => secret.value.length >= 8);
  for (const [at, text] of strings(template, '')) {
    for (const secret of secrets) {
      if (text.includes(secret.value)) reasons.push(`${secret.what} would be in the template, at ${at}`);
    }
  }
  return { ok: reasons.length === 0, reasons, notes: [] };
}

/** The secrets the resolved template is searched for: the local defaults, and the shell's. */
export function knownSecretsOf(
  local: { connectApiKey: string; webhookSecret: string },
  env: NodeJS.ProcessEnv,
): Array<{ what: string; value: string }> {
  const secrets = [
    { what: 'the local default API key (config/stack.json)', value: local.connectApiKey },
    { what: 'the local default webhook secret (config/stack.json)', value: local.webhookSecret },
  ];
  if (env.CONNECT_API_KEY)
    secrets.push({ what: 'CONNECT_API_KEY of your shell', value: env.CONNECT_API_KEY });
  for (const secret of (env.CONNECT_WEBHOOK_SECRETS ?? '').split(',')) {
    if (secret.trim())
      secrets.push({ what: 'a secret of CONNECT_WEBHOOK_SECRETS in your shell', value: secret.trim() });
  }
  return secrets;
}
