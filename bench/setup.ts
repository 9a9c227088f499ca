/** Shared wiring of the benchmarks: the emulator, seeded pending purchases, a silent logger, the real client. */
import { DEFAULT_API_KEY, type EmulatorHandle, startEmulator } from '../emulator';
import { type ConnectClient, createConnectClient, FulfillmentRequestSchema } from '../lib/connect';
import type { Logger } from '../lib/observability';

export const PRODUCT_ID = 'PRD-100-200-300';
export const API_KEY = DEFAULT_API_KEY;
export const ACTIVATION_KEY_PARAM = 'ActivationKey';
export const TILE = '# Welcome\n\nYour account is ready.';

/**
 * The environment of a child process that runs the type function's path against the emulator and a local task
 * table (the cpu and memory sections), besides the child's own settings.
 */
export function typeFunctionChildEnv(
  emulator: EmulatorHandle,
  tasks: { table: string; endpoint: string },
): Record<string, string> {
  return {
    CONNECT_API_URL: emulator.url,
    CONNECT_API_KEY: API_KEY,
    TASKS_TABLE: tasks.table,
    DYNAMODB_ENDPOINT: tasks.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'connect-fulfillment-bench',
    // The path as deployed, its EMF lines included, whatever this process's own environment says.
    POWERTOOLS_METRICS_DISABLED: 'false',
  };
}

/** Logs nothing: the benchmarks measure the work, not the log sink. */
export const silentLogger: Logger & { appendKeys?: never } = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export type PurchaseShape = {
  email?: boolean;
  activationKey?: string;
  quantity?: number;
};

/** A create body for a pending purchase of {@link PRODUCT_ID}. */
export function purchaseBody(shape: PurchaseShape = {}) {
  return {
    type: 'purchase',
    asset: {
      product: { id: PRODUCT_ID, name: 'Fallball' },
      items: [{ id: 'SKU_USERS', mpn: 'MPN-USERS', quantity: shape.quantity ?? 5 }],
      params: [
        { id: 'email', value: shape.email === false ? '' : 'buyer@example.com', value_error: '' },
        { id: ACTIVATION_KEY_PARAM, value: shape.activationKey ?? '', value_error: '' },
      ],
    },
  };
}

export async function startBenchEmulator(): Promise<EmulatorHandle> {
  return startEmulator({ port: 0 });
}

/**
 * Clears the emulator (state and call log; the injected latency is kept) and creates `count` pending
 * purchases; returns them as parsed by the client's schema.
 */
export function seedPurchases(emulator: EmulatorHandle, count: number, shape: PurchaseShape = {}) {
  const faults = emulator.faults.config;
  emulator.reset();
  emulator.setFaults(faults);
  emulator.store.applySeed({ requests: Array.from({ length: count }, () => purchaseBody(shape)) });
  return emulator.store.listRequests().map((request) => FulfillmentRequestSchema.parse(request));
}

/** The real client, no retries needed on loopback (the defaults are kept otherwise). */
export function benchClient(emulator: EmulatorHandle): ConnectClient {
  return createConnectClient({ apiUrl: emulator.url, apiKey: API_KEY });
}

/** Connect API calls recorded by the emulator since the last reset, as `METHOD path`. */
export function apiCalls(emulator: EmulatorHandle): string[] {
  return emulator.calls().map((call) => `${call.method} ${call.path}`);
}

export type Latency = 0 | 5;

export async function withLatency<T>(emulator: EmulatorHandle, latencyMs: number, run: () => Promise<T>) {
  emulator.setFaults({ latencyMs });
  try {
    return await run();
  } finally {
    emulator.setFaults({ latencyMs: 0 });
  }
}

export const now = (): number => performance.now();
