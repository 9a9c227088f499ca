/**
 * `npm run webhooks -- sync [--stage <name>] [--region <region>] [--url <base>] [--dry-run] [--force]`: the
 * Connect webhooks of a stage (or of the local stack), as code. See scripts/webhooks/cli.ts and
 * docs/deploy.md.
 */
import { awsReaders } from './webhooks/aws';
import { runCli } from './webhooks/cli';

runCli(
  process.argv.slice(2),
  process.env,
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  { aws: awsReaders },
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // AWS SDK errors (credentials, permissions) and anything unexpected: the message, not a stack of the SDK.
    process.stderr.write(
      `webhooks: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
