/**
 * `npm run deploy -- --stage <name> [--check] [sls deploy options]`: `sls deploy --stage <name>`, but only for
 * a stage whose secrets come from SSM (guard.ts). Exit codes: sls's own, or 0 accepted (`--check`),
 * 1 refused, 2 usage.
 */
import stack from '../../config/stack.json';
import type { CliIo } from '../cli';
import {
  checkResolvedStage,
  checkStageSource,
  isStageName,
  knownSecretsOf,
  type ServerlessConfig,
  type Verdict,
} from './guard';
import type { Resolution } from './serverless';

export const USAGE = `Usage: npm run deploy -- --stage <name> [--check] [sls deploy options]

  Runs \`sls deploy --stage <name>\` with the other options, only if the stage reads its secrets from SSM:
  its block under params: in serverless.yml names the SSM parameters (connectApiKeyParameter,
  webhookSecretsParameter) and leaves connectApiKey and webhookSecrets empty, and no secret of the local
  defaults or of your shell (CONNECT_API_KEY, CONNECT_WEBHOOK_SECRETS) would be in the template.
  A stage without its own block (dev, local) never deploys: its secrets are the local defaults.

  --stage, -s <name>  the stage to deploy (required)
  --check, --dry-run  only check the stage and print the verdict; deploy nothing
  --region, -r, --aws-profile, --param key=value  passed to sls (print and deploy)
`;

export type DeployArgs = {
  stage: string | undefined;
  check: boolean;
  help: boolean;
  /** Everything for `sls deploy` but the stage. */
  passthrough: string[];
  /** The options that change how the stage resolves, for `sls print`. */
  resolution: string[];
  /** The keys of `--param key=value`. */
  paramKeys: string[];
};

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options this script reads (the value of a `--stage`) or refuses (another configuration or package). */
const REFUSED = new Map([
  ['--config', 'deploy checks and deploys serverless.yml only'],
  ['-c', 'deploy checks and deploys serverless.yml only'],
  ['--package', 'deploy builds its own package (a prebuilt one may hold another stage’s values)'],
  ['-p', 'deploy builds its own package (a prebuilt one may hold another stage’s values)'],
]);
const RESOLUTION = new Set(['--region', '-r', '--aws-profile', '--param']);

export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const args: DeployArgs = {
    stage: undefined,
    check: false,
    help: false,
    passthrough: [],
    resolution: [],
    paramKeys: [],
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const [flag, inline] = arg.startsWith('-') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${flag} needs a value`);
      index++;
      return next;
    };
    if (flag === '--stage' || flag === '-s') {
      const stage = takeValue();
      if (args.stage !== undefined) throw new UsageError('--stage given twice');
      if (!isStageName(stage)) throw new UsageError('--stage: letters, digits and hyphens only');
      args.stage = stage;
    } else if (flag === '--check' || flag === '--dry-run') {
      args.check = true;
    } else if (flag === '--help' || flag === '-h') {
      args.help = true;
    } else if (REFUSED.has(flag)) {
      throw new UsageError(`${flag}: ${REFUSED.get(flag)}`);
    } else if (RESOLUTION.has(flag)) {
      const value = takeValue();
      args.passthrough.push(flag, value);
      args.resolution.push(flag, value);
      if (flag === '--param') args.paramKeys.push(value.split('=')[0]?.trim() ?? '');
    } else {
      args.passthrough.push(arg);
    }
  }
  return args;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

export type DeployDeps = {
  /** serverless.yml as written. */
  readConfig: () => Promise<ServerlessConfig>;
  /** `sls print` of the stage. */
  resolve: (stage: string, options: readonly string[], env: NodeJS.ProcessEnv) => Promise<Resolution>;
  /** `sls <args>`, with its exit code. */
  run: (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;
};

/** Both checks: serverless.yml as written, then (if it passes) the stage as the framework resolves it. */
export async function guardStage(
  args: Pick<DeployArgs, 'stage' | 'resolution' | 'paramKeys'>,
  env: NodeJS.ProcessEnv,
  deps: Pick<DeployDeps, 'readConfig' | 'resolve'>,
): Promise<Verdict> {
  const source = checkStageSource({
    stage: args.stage,
    config: await deps.readConfig(),
    env,
    cliParams: args.paramKeys,
  });
  if (!source.ok || !args.stage) return source;
  const resolution = await deps.resolve(args.stage, args.resolution, env);
  if (!resolution.ok) {
    return {
      ok: false,
      reasons: [`stage ${args.stage} could not be resolved (sls print): ${resolution.error}`],
      notes: source.notes,
    };
  }
  const resolved = checkResolvedStage({
    resolved: resolution.config,
    knownSecrets: knownSecretsOf(stack.local, env),
  });
  return { ok: resolved.ok, reasons: resolved.reasons, notes: source.notes };
}

export async function runDeploy(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  deps: DeployDeps,
): Promise<number> {
  let args: DeployArgs;
  try {
    args = parseDeployArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`deploy: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const verdict = await guardStage(args, env, deps);
  const stage = args.stage ?? '(none)';
  for (const note of verdict.notes) io.out(`  · ${note}`);
  if (!verdict.ok) {
    io.err(`deploy refused: stage ${stage}: its secrets would not come from SSM`);
    for (const reason of verdict.reasons) io.err(`  ✗ ${reason}`);
    io.err('See docs/deploy.md#what-deploy-refuses.');
    return 1;
  }
  io.out(`deploy accepted: stage ${stage} reads its secrets from SSM; none is in the template`);
  if (args.check) return 0;
  return deps.run(['deploy', '--stage', stage, ...args.passthrough], env);
}
