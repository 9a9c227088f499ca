/**
 * What the router and the sweep need, built once per execution environment (on first use, so that a
 * misconfiguration is a logged error of the invocation rather than a crash at import). Secrets named by
 * `*_PARAMETER` variables are read from SSM then.
 */
import {
  CONFIG_REFRESH_MS,
  type Config,
  createConfiguredClient,
  loadConfig,
  memoizeAsync,
  resolveSecrets,
} from '../config';
import type { ConnectClient } from '../connect';
import { createLambdaInvoker, type Invoker } from './invoker';

export type DispatchRuntime = {
  config: Config;
  client: ConnectClient;
  invoker: Invoker;
};

/** Time budget of each Connect call (its retries included) for the router and the sweep. */
export const LISTING_BUDGET_MS = 20_000;

export const dispatchRuntime = memoizeAsync(
  async (): Promise<DispatchRuntime> => {
    const config = loadConfig(await resolveSecrets(process.env));
    // The router runs behind API Gateway (30 s, Lambda timeout 29 s): each listing call gets 20 s, retries
    // included, so that a Connect outage usually ends in the router's own 503 and log line. A listing of
    // several pages can still run longer; the sweep then picks up what the router could not dispatch.
    const client = createConfiguredClient(config, { maxElapsedMs: LISTING_BUDGET_MS });
    return { config, client, invoker: createLambdaInvoker() };
  },
  { maxAgeMs: CONFIG_REFRESH_MS },
);
