/**
 * The deploy guard (scripts/deploy): `npm run deploy` deploys only a named stage whose secrets come from SSM,
 * checked on the real serverless.yml (as written, and as `sls print` resolves it) and on stages configured
 * for the test beside its prod block.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import stack from '../../config/stack.json';
import { type DeployDeps, runDeploy } from '../../scripts/deploy/cli';
import {
  checkResolvedStage,
  checkStageSource,
  knownSecretsOf,
  type ServerlessConfig,
} from '../../scripts/deploy/guard';
import {
  printStage,
  projectRoot,
  type Resolution,
  readServerlessConfig,
} from '../../scripts/deploy/serverless';

const KEY = 'ApiKey SU-111-222-333:0f3c9a8b7e6d';
const SHELL_SECRET = 'shell-webhook-secret-1';
/** The variables of config/local-stage.cjs and the guard: none from the machine running the tests. */
const CLEAN_ENV_NAMES = ['CONNECT_API_URL', 'CONNECT_API_KEY', 'CONNECT_WEBHOOK_SECRETS'];

function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEAN_ENV_NAMES) delete env[name];
  return { ...env, ...extra };
}

let config: ServerlessConfig;
/** `sls print --stage dev`: the real resolved configuration of a stage on the local defaults. */
let devPrint: ServerlessConfig;

beforeAll(async () => {
  config = await readServerlessConfig();
  const printed = await printStage('dev', [], cleanEnv());
  if (!printed.ok) throw new Error(`sls print failed: ${printed.error}`);
  devPrint = printed.config;
}, 60_000);

/** serverless.yml with one more stage block: prod's, changed by `change`. */
function withStage(name: string, change: (block: Record<string, unknown>) => void): ServerlessConfig {
  const copy = structuredClone(config);
  const block = { ...(copy.params?.prod ?? {}) };
  change(block);
  copy.params = { ...copy.params, [name]: block };
  return copy;
}

/** The dev print turned into what a deployed stage resolves to: parameter names, no values. */
function prodLikePrint(): ServerlessConfig {
  const print = structuredClone(devPrint) as ServerlessConfig & {
    provider: { environment: Record<string, unknown> };
    functions: Record<string, { environment?: Record<string, unknown> }>;
  };
  Object.assign(print.provider.environment, {
    CONNECT_API_KEY: '',
    CONNECT_API_KEY_PARAMETER: '/connect-fulfillment/prod/api-key',
    STAGE: 'prod',
  });
  for (const name of ['router', 'validate']) {
    Object.assign(print.functions[name]?.environment ?? {}, {
      CONNECT_WEBHOOK_SECRETS: '',
      CONNECT_WEBHOOK_SECRETS_PARAMETER: '/connect-fulfillment/prod/webhook-secrets',
    });
  }
  return print;
}

describe('checkStageSource: serverless.yml as written', () => {
  it('refuses a deploy without a stage: it would be dev, on the local defaults', () => {
    const verdict = checkStageSource({ stage: undefined, config, env: {} });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons.join('\n')).toMatch(/no --stage.*deploy the default stage \(dev\)/);
  });

  it.each(['dev', 'local', 'default'])(
    'refuses stage %s: it has no block of its own, only the defaults',
    (stage) => {
      const verdict = checkStageSource({ stage, config, env: {} });
      expect(verdict.ok).toBe(false);
      expect(verdict.reasons[0]).toContain(`stage ${stage} has no block under params:`);
    },
  );

  it('refuses dev with a secret in the shell, naming the variable, never its value', () => {
    const verdict = checkStageSource({
      stage: 'dev',
      config,
      env: { CONNECT_WEBHOOK_SECRETS: SHELL_SECRET },
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toContainEqual(
      expect.stringContaining(
        'CONNECT_WEBHOOK_SECRETS is set in your shell, and params.default.webhookSecrets',
      ),
    );
    expect(JSON.stringify(verdict)).not.toContain(SHELL_SECRET);
  });

  it('accepts prod: SSM parameter names, empty values', () => {
    const verdict = checkStageSource({ stage: 'prod', config, env: {} });
    expect(verdict).toEqual({
      ok: true,
      reasons: [],
      notes: [
        'CONNECT_API_KEY is read at run time from SSM parameter /connect-fulfillment/prod/api-key',
        'CONNECT_WEBHOOK_SECRETS is read at run time from SSM parameter /connect-fulfillment/prod/webhook-secrets',
      ],
    });
  });

  it('accepts prod with a secret in the shell that it does not use, and says so', () => {
    const verdict = checkStageSource({ stage: 'prod', config, env: { CONNECT_API_KEY: KEY } });
    expect(verdict.ok).toBe(true);
    expect(verdict.notes).toContain('CONNECT_API_KEY is set in your shell; stage prod does not use it');
  });

  it(`accepts another stage configured like prod (its names follow \${sls:stage})`, () => {
    const verdict = checkStageSource({ stage: 'staging', config: withStage('staging', () => {}), env: {} });
    expect(verdict.ok).toBe(true);
    expect(verdict.notes[0]).toContain('/connect-fulfillment/staging/api-key');
  });

  it('refuses a stage with a clear-text key, without quoting it', () => {
    const staging = withStage('staging', (block) => {
      block.connectApiKey = KEY;
    });
    const verdict = checkStageSource({ stage: 'staging', config: staging, env: {} });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toEqual([
      expect.stringMatching(/^params\.staging\.connectApiKey must be "" .* is a clear-text value/),
    ]);
    expect(JSON.stringify(verdict)).not.toContain('SU-111');
  });

  it('refuses a stage that leaves its secrets to the defaults (the local-stage.cjs file)', () => {
    const staging = withStage('staging', (block) => {
      delete block.webhookSecrets;
    });
    const verdict = checkStageSource({
      stage: 'staging',
      config: staging,
      env: { CONNECT_WEBHOOK_SECRETS: 'x' },
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toEqual([
      expect.stringMatching(
        /^params\.staging\.webhookSecrets \(inherited from params\.default\).*\$\{file\(\)\}/,
      ),
      expect.stringContaining('CONNECT_WEBHOOK_SECRETS is set in your shell'),
    ]);
  });

  it('refuses a value read from the shell, set or not, and says when it is set', () => {
    const staging = withStage('staging', (block) => {
      block.connectApiKey = `\${env:CONNECT_API_KEY, ''}`;
    });
    const unset = checkStageSource({ stage: 'staging', config: staging, env: {} });
    expect(unset.ok).toBe(false);
    expect(unset.reasons.join('\n')).toContain(`\${env:} variable of the deployer's shell`);
    const set = checkStageSource({ stage: 'staging', config: staging, env: { CONNECT_API_KEY: KEY } });
    expect(set.reasons).toContainEqual(
      expect.stringContaining(
        'CONNECT_API_KEY is set in your shell, and params.staging.connectApiKey would write',
      ),
    );
  });

  it(`refuses \${ssm:} for a value: the framework would write it decrypted into the template`, () => {
    const staging = withStage('staging', (block) => {
      block.connectApiKey = `\${ssm:/connect-fulfillment/staging/api-key}`;
    });
    const verdict = checkStageSource({ stage: 'staging', config: staging, env: {} });
    expect(verdict.reasons.join('\n')).toContain(
      'resolves at deploy time and writes decrypted into the template',
    );
  });

  it('refuses an empty or malformed parameter name, without quoting the malformed one', () => {
    const empty = withStage('staging', (block) => {
      block.connectApiKeyParameter = '';
    });
    expect(checkStageSource({ stage: 'staging', config: empty, env: {} }).reasons).toEqual([
      expect.stringContaining('params.staging.connectApiKeyParameter: empty'),
    ]);
    const pasted = withStage('staging', (block) => {
      block.webhookSecretsParameter = 'new-secret,old-secret';
    });
    const verdict = checkStageSource({ stage: 'staging', config: pasted, env: {} });
    expect(verdict.reasons).toEqual([
      expect.stringContaining('params.staging.webhookSecretsParameter: not an SSM parameter name'),
    ]);
    expect(JSON.stringify(verdict)).not.toContain('new-secret');
  });

  it('refuses a secret read from the shell anywhere else in the file, and a --param override', () => {
    const copy = withStage('staging', () => {});
    const functions = copy.functions as Record<string, { environment?: Record<string, unknown> }>;
    functions.purchase = { ...functions.purchase, environment: { EXTRA: `\${env:CONNECT_API_KEY}` } };
    expect(checkStageSource({ stage: 'staging', config: copy, env: {} }).reasons).toEqual([
      "functions.purchase.environment.EXTRA reads a secret from the deployer's shell or the local defaults",
    ]);
    const overridden = checkStageSource({ stage: 'prod', config, env: {}, cliParams: ['connectApiKey'] });
    expect(overridden.reasons).toEqual([expect.stringContaining('--param connectApiKey=…')]);
  });
});

describe('checkResolvedStage: the stage as sls print resolves it', () => {
  it('refuses the real dev configuration: clear-text secrets in the functions and the template', () => {
    const verdict = checkResolvedStage({ resolved: devPrint, knownSecrets: knownSecretsOf(stack.local, {}) });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toContain(
      'function router: CONNECT_API_KEY would be in the template in clear text',
    );
    expect(verdict.reasons).toContain(
      'function router: CONNECT_WEBHOOK_SECRETS would be in the template in clear text',
    );
    expect(verdict.reasons).toContain(
      'no function reads CONNECT_API_KEY from SSM (CONNECT_API_KEY_PARAMETER is empty everywhere)',
    );
    expect(verdict.reasons).toContain(
      'the local default API key (config/stack.json) would be in the template, at provider.environment.CONNECT_API_KEY',
    );
  });

  it('accepts a configuration of parameter names and empty values (the local defaults only in params)', () => {
    const print = prodLikePrint();
    expect(JSON.stringify(print.params)).toContain(stack.local.connectApiKey);
    expect(checkResolvedStage({ resolved: print, knownSecrets: knownSecretsOf(stack.local, {}) })).toEqual({
      ok: true,
      reasons: [],
      notes: [],
    });
  });

  it("refuses a shell secret wherever it would land, by the variable's name", () => {
    const print = prodLikePrint() as ServerlessConfig & { custom: Record<string, unknown> };
    print.custom.note = `secret ${SHELL_SECRET} here`;
    const env = { CONNECT_WEBHOOK_SECRETS: `${SHELL_SECRET},older-secret` };
    const verdict = checkResolvedStage({ resolved: print, knownSecrets: knownSecretsOf(stack.local, env) });
    expect(verdict.reasons).toEqual([
      'a secret of CONNECT_WEBHOOK_SECRETS in your shell would be in the template, at custom.note',
    ]);
  });
});

/** Fakes of the framework: serverless.yml as it is, a resolution, and a recorded `sls` run. */
function fakeDeps(resolution: Resolution, exitCode = 0) {
  const calls = { resolve: [] as Array<[string, readonly string[]]>, run: [] as Array<readonly string[]> };
  const deps: DeployDeps = {
    readConfig: async () => config,
    resolve: async (stage, options) => {
      calls.resolve.push([stage, options]);
      return resolution;
    },
    run: async (args) => {
      calls.run.push(args);
      return exitCode;
    },
  };
  return { deps, calls };
}

function recordingIo() {
  const lines = { out: [] as string[], err: [] as string[] };
  return {
    lines,
    io: { out: (line: string) => lines.out.push(line), err: (line: string) => lines.err.push(line) },
  };
}

describe('runDeploy', () => {
  it('runs sls deploy for an accepted stage with the other options, and exits with its code', async () => {
    const { deps, calls } = fakeDeps({ ok: true, config: prodLikePrint() }, 3);
    const { io, lines } = recordingIo();
    const argv = ['--stage', 'prod', '--region', 'eu-west-1', '--verbose', '--param=logLevel=DEBUG'];
    expect(await runDeploy(argv, {}, io, deps)).toBe(3);
    expect(calls.resolve).toEqual([['prod', ['--region', 'eu-west-1', '--param', 'logLevel=DEBUG']]]);
    expect(calls.run).toEqual([
      ['deploy', '--stage', 'prod', '--region', 'eu-west-1', '--verbose', '--param', 'logLevel=DEBUG'],
    ]);
    expect(lines.out.at(-1)).toContain('deploy accepted: stage prod');
  });

  it('with --check (or --dry-run) prints the verdict and deploys nothing', async () => {
    for (const flag of ['--check', '--dry-run']) {
      const { deps, calls } = fakeDeps({ ok: true, config: prodLikePrint() });
      const { io, lines } = recordingIo();
      expect(await runDeploy(['-s', 'prod', flag], {}, io, deps)).toBe(0);
      expect(calls.run).toEqual([]);
      expect(lines.out.at(-1)).toContain('deploy accepted');
    }
  });

  it('refuses without a stage, for dev, and when the resolved stage holds a shell secret, running nothing', async () => {
    const leaky = prodLikePrint() as ServerlessConfig & {
      provider: { environment: Record<string, unknown> };
    };
    leaky.provider.environment.EXTRA = KEY;
    const cases: Array<[string[], NodeJS.ProcessEnv, Resolution, string]> = [
      [[], {}, { ok: true, config: prodLikePrint() }, 'no --stage'],
      [['--stage', 'dev'], {}, { ok: true, config: prodLikePrint() }, 'stage dev has no block'],
      [
        ['--stage', 'prod'],
        { CONNECT_API_KEY: KEY },
        { ok: true, config: leaky },
        'CONNECT_API_KEY of your shell',
      ],
      [
        ['--stage', 'prod'],
        {},
        { ok: false, error: 'AWS provider credentials not found' },
        'could not be resolved',
      ],
    ];
    for (const [argv, env, resolution, reason] of cases) {
      const { deps, calls } = fakeDeps(resolution);
      const { io, lines } = recordingIo();
      expect(await runDeploy(argv, env, io, deps), reason).toBe(1);
      expect(calls.run).toEqual([]);
      expect(lines.err.join('\n')).toContain(reason);
      expect(lines.err.join('\n')).not.toContain('SU-111');
    }
  });

  it('refuses, as a usage error, a stage without a value and another configuration or package', async () => {
    for (const argv of [
      ['--stage'],
      ['--stage', '--check'],
      ['--stage', 'prod', '--config', 'x.yml'],
      ['-s', 'a', '-p', 'dir'],
    ]) {
      const { deps, calls } = fakeDeps({ ok: true, config: prodLikePrint() });
      const { io } = recordingIo();
      expect(await runDeploy(argv, {}, io, deps), argv.join(' ')).toBe(2);
      expect(calls.run).toEqual([]);
    }
  });
});

describe('npm run deploy (scripts/deploy.ts)', () => {
  const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
  const run = (args: string[]) =>
    promisify(execFile)(tsx, ['scripts/deploy.ts', ...args], { cwd: projectRoot, env: cleanEnv() }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('exits 1 with the reason without a stage, and for dev with --check', async () => {
    const [none, dev] = await Promise.all([run([]), run(['--stage', 'dev', '--check'])]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('deploy refused: stage (none)');
    expect(none.stderr).toContain('npm run deploy -- --stage <name>');
    expect(dev.code).toBe(1);
    expect(dev.stderr).toContain('stage dev has no block under params:');
  }, 30_000);
});
