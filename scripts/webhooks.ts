/**
 * `npm run webhooks -- sync [--stage <name>] [--region <region>] [--url <base>] [--dry-run] [--force]`: the
 * Connect webhooks of a stage (or of the local stack), as code. See scripts/webhooks/cli.ts and
 * docs/deploy.md.
 */
import { runAsProcess } from './cli';
import { awsReaders } from './webhooks/aws';
import { runCli } from './webhooks/cli';

runAsProcess('webhooks', (argv, env, io) => runCli(argv, env, io, { aws: awsReaders }));
