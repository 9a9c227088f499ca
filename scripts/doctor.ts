/**
 * `npm run doctor [-- --stage <name>]`: a health check of the local stack (or of a deployed stage), one line
 * per check. See scripts/doctor/checks.ts and docs/operations.md ("The doctor").
 */
import { runCli } from './doctor/cli';
import { doctorTarget } from './doctor/targets';

runCli(
  process.argv.slice(2),
  process.env,
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  { target: doctorTarget },
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Each check catches its own errors: this is a bug, or the AWS SDK failing to start (no region).
    process.stderr.write(`doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
