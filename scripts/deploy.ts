/**
 * `npm run deploy -- --stage <name> [--check] [sls deploy options]`: `sls deploy`, refused for any stage whose
 * secrets would not come from SSM (see scripts/deploy/guard.ts and docs/deploy.md).
 */
import { runDeploy } from './deploy/cli';
import { printStage, readServerlessConfig, runSls } from './deploy/serverless';

runDeploy(
  process.argv.slice(2),
  process.env,
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  { readConfig: () => readServerlessConfig(), resolve: printStage, run: runSls },
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `deploy: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
