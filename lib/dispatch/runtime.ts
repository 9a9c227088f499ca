/**
 * What the router and the sweep need, built once per execution environment (on first use, so that a
 * misconfiguration is a logged error of the invocation rather than a crash at import). Secrets named by
 * `*_PARAMETER` variables are read from SSM then.
 */
import { type Config, createConfiguredClient, loadConfig, memoizeAsync, resolveSecrets } from '../config';
import type { ConnectClient } from '../connect';
import { createLambdaInvoker, type Invoker } from './invoker';

export type DispatchRuntime = { config: Config; client: ConnectClient; invoker: Invoker };

/** Time budget of one Connect call (retries included) for the router and the sweep. */
export const LISTING_BUDGET_MS = 20_000;

export const dispatchRuntime = memoizeAsync(async (): Promise<DispatchRuntime> => {
  const config = loadConfig(await resolveSecrets(process.env));
  // The router runs behind API Gateway (30 s, Lambda timeout 29 s): a listing call gets 20 s in all, so
  // that a Connect outage ends in the router's own 503 and log line rather than a killed invocation.
  const client = createConfiguredClient(config, { maxElapsedMs: LISTING_BUDGET_MS });
  return { config, client, invoker: createLambdaInvoker() };
});
