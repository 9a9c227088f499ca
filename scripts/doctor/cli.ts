/**
 * `npm run doctor [-- --stage <name>] [--region <name>]`: is the local stack (or a deployed stage) healthy?
 * One line per check (checks.ts), ✓ or ✗, and one line of advice under each ✗. Exit codes: 0 every check
 * passed, 1 a check failed, 2 usage.
 */
import stack from '../../config/stack.json';
import { type CliIo, parseCommandLine } from '../cli';
import { type DoctorReaders, formatResults, runChecks } from './checks';

export const USAGE = `Usage: npm run doctor [-- --stage <name>] [--region <name>]

  Checks, each with ✓ or ✗: the router's configuration, its SSM parameters, the Connect API key (one read),
  the webhooks of every configured product (they exist, are active and point at this stack), Connect's
  record of their last delivery, the dead-letter queue and the parked requests. Exit code 1 when one fails.

  --stage <name>   a deployed stage (read-only AWS calls with your credentials; docs/operations.md lists them).
                   Without it: the local stack of npm start, with CONNECT_PRODUCTS naming its products.
  --region <name>  the stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then us-east-1)
`;

export type CliDeps = {
  target: (options: { stage: string | undefined; region: string; env: NodeJS.ProcessEnv }) => DoctorReaders;
};

const ARGS = {
  allowPositionals: false,
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  deps: CliDeps,
): Promise<number> {
  const parsed = parseCommandLine(argv, ARGS, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.stage !== undefined && !/^[A-Za-z0-9-]+$/.test(values.stage)) {
    io.err(`Invalid stage name: ${JSON.stringify(values.stage)}\n\n${USAGE}`);
    return 2;
  }
  const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const readers = deps.target({ stage: values.stage, region, env });
  io.out(`Doctor of ${stack.service}, ${readers.name}:`);
  const results = await runChecks(readers);
  for (const line of formatResults(results)) io.out(line);
  return results.every((result) => result.ok) ? 0 : 1;
}
