/**
 * What the router and the sweep need, built once per execution environment (on first use, so that a
 * misconfiguration is a logged error of the invocation rather than a crash at import).
 */
import { type Config, createConfiguredClient, loadConfig } from '../config';
import type { ConnectClient } from '../connect';
import { createLambdaInvoker, type Invoker } from './invoker';

export type DispatchRuntime = { config: Config; client: ConnectClient; invoker: Invoker };

let runtime: DispatchRuntime | undefined;

export function dispatchRuntime(): DispatchRuntime {
  if (!runtime) {
    const config = loadConfig(process.env);
    runtime = { config, client: createConfiguredClient(config), invoker: createLambdaInvoker() };
  }
  return runtime;
}
