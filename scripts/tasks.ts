/**
 * `npm run tasks -- list|show|release`: the task records of the local stack (or of a deployed `--stage`). See
 * scripts/tasks/cli.ts and docs/lifecycle.md.
 */
import { runCli } from './tasks/cli';
import { tasksTarget } from './tasks/targets';

runCli(
  process.argv.slice(2),
  process.env,
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  { target: tasksTarget },
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // AWS SDK errors (credentials, permissions), no local stack: the message, not the SDK's stack.
    process.stderr.write(`tasks: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
