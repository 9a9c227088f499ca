/**
 * `npm run deploy -- --stage <name> [--check] [sls deploy options]`: `sls deploy`, refused for any stage whose
 * secrets would not come from SSM (see scripts/deploy/guard.ts and docs/deploy.md).
 */
import { runAsProcess } from './cli';
import { runDeploy } from './deploy/cli';
import { printStage, readServerlessConfig, runSls } from './deploy/serverless';

runAsProcess('deploy', (argv, env, io) =>
  runDeploy(argv, env, io, { readConfig: () => readServerlessConfig(), resolve: printStage, run: runSls }),
);
