/**
 * The framework, as the deploy guard uses it: serverless.yml read by the framework's own parser (its YAML
 * schema, CloudFormation tags included), a stage's configuration resolved by `sls print`, and `sls deploy`.
 */
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { redactSecrets } from '../../lib/observability/redact';
import type { ServerlessConfig } from './guard';

export const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const sls = path.join(projectRoot, 'node_modules', '.bin', 'sls');

/** serverless.yml as written: no variable resolved, no AWS call. */
export async function readServerlessConfig(root: string = projectRoot): Promise<ServerlessConfig> {
  const require = createRequire(path.join(root, 'package.json'));
  const read = require('serverless/lib/configuration/read.js') as (file: string) => Promise<unknown>;
  return (await read(path.join(root, 'serverless.yml'))) as ServerlessConfig;
}

export type Resolution = { ok: true; config: ServerlessConfig } | { ok: false; error: string };

/**
 * `sls print --stage <stage> --format json`: the configuration as the framework resolves it for the stage
 * (an `${ssm:}` variable needs the deployer's AWS credentials). A failure is the framework's error, first
 * lines only, redacted.
 */
export function printStage(
  stage: string,
  options: readonly string[],
  env: NodeJS.ProcessEnv,
  root: string = projectRoot,
): Promise<Resolution> {
  return new Promise((resolve) => {
    execFile(
      sls,
      ['print', '--stage', stage, '--format', 'json', ...options],
      { cwd: root, env: { ...env, FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
      (error, stdout, stderr) => {
        if (!error) {
          try {
            resolve({ ok: true, config: JSON.parse(stdout) as ServerlessConfig });
            return;
          } catch {
            resolve({ ok: false, error: 'sls print did not print JSON' });
            return;
          }
        }
        resolve({ ok: false, error: frameworkError(`${stderr}\n${stdout}`) || error.message });
      },
    );
  });
}

/** The lines after the framework's `Error:` heading (at most 3, 300 characters), redacted. */
export function frameworkError(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const start = lines.indexOf('Error:');
  const body = redactSecrets(
    (start >= 0 ? lines.slice(start + 1) : lines).filter(Boolean).slice(0, 3).join(' '),
  );
  return body.length > 300 ? `${body.slice(0, 300)}…` : body;
}

/** `sls deploy <args>`, its output on this terminal; resolves with its exit code. */
export function runSls(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  root: string = projectRoot,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(sls, args, { cwd: root, env, stdio: 'inherit' });
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
