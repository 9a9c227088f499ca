/**
 * A stateful local CloudBlue Connect (like LocalStack for AWS): `startEmulator()` serves the Connect
 * API under `/public/v1` and the `/__emulator/*` control endpoints on one node:http server.
 */
import type { AddressInfo } from 'node:net';
import { DEFAULT_API_KEY, DEFAULT_PORT } from './cli-env';
import { type FaultConfigInput, FaultConfigSchema, FaultInjector } from './faults';
import { API_PREFIX, createEmulatorServer } from './server';
import { type CallRecord, type EmulatorSeed, EmulatorStore, type ValidationRecord } from './store';
import { ValidatorCaller } from './validation';
import { WebhookDispatcher, type WebhookRetryOptions } from './webhooks';

/** `DEFAULT_API_KEY`: the documented local default key (the `ApiKey ` prefix is optional on the wire). */
export { DEFAULT_API_KEY, DEFAULT_PORT, DEFAULT_WEBHOOK_COALESCE_MS } from './cli-env';
export type { ErrorBody } from './errors';
export type { FaultConfig, FaultConfigInput, InjectedCounts } from './faults';
export type {
  CallRecord,
  DeliveryResult,
  EmulatorProduct,
  EmulatorSeed,
  ValidationRecord,
  WebhookView,
} from './store';
export { EmulatorStore } from './store';
export { DEFAULT_VALIDATOR_TIMEOUT_MS } from './validation';
export type { WebhookEnvelope, WebhookRetryOptions } from './webhooks';
export * from './wire';

export type StartEmulatorOptions = {
  /** Default 4010; pass 0 for an ephemeral port (tests). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default {@link DEFAULT_API_KEY}. */
  apiKey?: string;
  /** Objects created at start (through the API's own create paths; no webhook fires for them). */
  seed?: EmulatorSeed;
  /** One line per HTTP call (`METHOD path status ms`) and per webhook delivery. Silent by default. */
  log?: (line: string) => void;
  /** Coalescing window of webhook deliveries in ms. Default 100; 0 = on the next tick. */
  webhookCoalesceMs?: number;
  webhookRetry?: WebhookRetryOptions;
  /** Timeout of one validator webhook call in ms (until its whole answer is read). Default 10_000. */
  validatorTimeoutMs?: number;
  /** Used for webhook deliveries and validator calls. Default the global fetch. */
  fetch?: typeof globalThis.fetch;
};

export type EmulatorHandle = {
  /** Connect API base, e.g. `http://127.0.0.1:4010/public/v1`. */
  url: string;
  /** `http://127.0.0.1:4010`: the `/__emulator/*` endpoints live here. */
  origin: string;
  port: number;
  /** State access for tests (same objects the HTTP API serves). */
  store: EmulatorStore;
  faults: FaultInjector;
  /** Resolves once no webhook delivery is waiting, running or retrying. */
  webhooksIdle(): Promise<void>;
  /** The recorded Connect API calls since the last reset. */
  calls(): CallRecord[];
  /** The validator calls since the last reset (same as `GET /__emulator/validations`). */
  validations(): ValidationRecord[];
  /** Same as `POST /__emulator/reset`. */
  reset(): void;
  /** Same as `PUT /__emulator/faults`. */
  setFaults(config: FaultConfigInput): void;
  /** Closes the server, drops held (timed-out) calls and cancels webhook timers. */
  stop(): Promise<void>;
};

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const store = new EmulatorStore();
  const faults = new FaultInjector();
  const webhooks = new WebhookDispatcher({
    store,
    ...(options.webhookCoalesceMs === undefined ? {} : { coalesceMs: options.webhookCoalesceMs }),
    ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    log,
  });
  const validators = new ValidatorCaller({
    store,
    ...(options.validatorTimeoutMs === undefined ? {} : { timeoutMs: options.validatorTimeoutMs }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    log,
  });
  store.onChange = (event) => {
    for (const id of store.webhooksFor(event)) webhooks.schedule(id);
  };
  const { server, held } = createEmulatorServer({
    store,
    faults,
    webhooks,
    validators,
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    log,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${origin}${API_PREFIX}`;
  store.apiUrl = url;
  if (options.seed) store.applySeed(options.seed);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await webhooks.stop();
      validators.stop();
      for (const res of held) res.destroy();
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    })();
    return stopping;
  };

  return {
    url,
    origin,
    port,
    store,
    faults,
    webhooksIdle: () => webhooks.whenIdle(),
    calls: () => store.calls,
    validations: () => store.validations,
    reset: () => {
      store.reset();
      faults.reset();
      webhooks.reset();
      validators.reset();
    },
    setFaults: (config) => faults.configure(FaultConfigSchema.parse(config)),
    stop,
  };
}
