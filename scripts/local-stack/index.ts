/**
 * The whole function set on one machine: the Connect emulator, a local DynamoDB (dynalite) with the task
 * table, a local stand-in for EventBridge Scheduler and serverless-offline, wired together, with Connect's
 * webhook registered to the offline router. Used by `npm start`, `npm run demo`, the end-to-end tests and
 * the benchmarks.
 */

import stack from '../../config/stack.json';
import { type EmulatorHandle, type StartEmulatorOptions, startEmulator } from '../../emulator';
import { createTaskStore, type TaskStore } from '../../lib/tasks';
import { startLocalDynamo } from './dynamo';
import { startOffline } from './offline';
import { connectHttp } from './samples';
import { type LocalScheduler, startLocalScheduler } from './scheduler';

export { loadSamples, type Sample, type SeededRequest } from './samples';

/**
 * Local defaults (config/stack.json, shared with serverless.yml), documented in the README. None of them is a
 * real credential. The Fallball product approves with a template; Fallball Lite has none and approves with the
 * tile.
 */
export const LOCAL_DEFAULTS = {
  apiKey: stack.local.connectApiKey,
  webhookSecret: stack.local.webhookSecret,
  activationTemplates: stack.local.activationTemplates,
  tierTemplate: stack.local.tierTemplate,
  ports: stack.local.ports,
} as const;

/** A deployed name of the local stage, as serverless.yml builds it: `<service>-<stage>-<name>`. */
export const localName = (name: string): string => `${stack.service}-${stack.stage}-${name}`;

/** The task table serverless.yml gives the local stage (`custom.tasksTableName`). */
export const LOCAL_TASKS_TABLE = localName('tasks');

export type LocalStackOptions = {
  ports?: Partial<Record<keyof typeof LOCAL_DEFAULTS.ports, number>>;
  /** Extra environment for the functions (e.g. POWERTOOLS_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Each line printed by serverless-offline and the handlers. */
  onFunctionLog?: (line: string) => void;
  /** Each line the emulator logs. */
  onEmulatorLog?: (line: string) => void;
  /** Register the webhooks of these products (both object classes). Default: none. */
  webhookProducts?: readonly string[];
  /** The emulator's webhook coalescing window (ms); its default is 100. */
  webhookCoalesceMs?: StartEmulatorOptions['webhookCoalesceMs'];
};

export type LocalStack = {
  emulator: EmulatorHandle;
  /** The emulator's Connect API base (`…/public/v1`). */
  apiUrl: string;
  apiKey: string;
  webhookSecret: string;
  webhookUrl: string;
  lambdaEndpoint: string;
  dynamoEndpoint: string;
  /** The DynamoDB calls the local table has served so far, per operation. */
  dynamoOperations(): Record<string, number>;
  /** The task records, as the functions write them. */
  tasks: TaskStore;
  tasksTable: string;
  /** The local EventBridge Scheduler: the triggers of rescheduled requests. */
  scheduler: LocalScheduler;
  /** Registers a webhook for a product and object class in the emulator, pointing at the router. */
  registerWebhook(
    productId: string,
    objectClass: 'fulfillment_request' | 'tier_config_request',
  ): Promise<string>;
  call: ReturnType<typeof connectHttp>;
  stop(): Promise<void>;
};

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const ports: Record<keyof typeof LOCAL_DEFAULTS.ports, number> = { ...LOCAL_DEFAULTS.ports };
  for (const [name, port] of Object.entries(options.ports ?? {})) {
    if (port !== undefined) ports[name as keyof typeof ports] = port;
  }
  const apiKey = process.env.CONNECT_API_KEY || LOCAL_DEFAULTS.apiKey;
  const webhookSecret = (process.env.CONNECT_WEBHOOK_SECRETS || LOCAL_DEFAULTS.webhookSecret)
    .split(',')[0]
    ?.trim();
  if (!webhookSecret) throw new Error('CONNECT_WEBHOOK_SECRETS has no secret');
  const table = LOCAL_TASKS_TABLE;

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const emulator = await startEmulator({
      port: ports.emulator,
      apiKey,
      log: options.onEmulatorLog,
      ...(options.webhookCoalesceMs === undefined ? {} : { webhookCoalesceMs: options.webhookCoalesceMs }),
    });
    stops.push(() => emulator.stop());
    const dynamo = await startLocalDynamo(ports.dynamo, table);
    stops.push(() => dynamo.stop());
    const lambdaEndpoint = `http://127.0.0.1:${ports.lambda}`;
    const scheduler = await startLocalScheduler({ lambdaEndpoint, log: options.onFunctionLog });
    stops.push(() => scheduler.stop());
    const offline = await startOffline({
      httpPort: ports.http,
      lambdaPort: ports.lambda,
      onLine: options.onFunctionLog,
      env: {
        CONNECT_API_URL: emulator.url,
        CONNECT_API_KEY: apiKey,
        CONNECT_WEBHOOK_SECRETS: process.env.CONNECT_WEBHOOK_SECRETS || LOCAL_DEFAULTS.webhookSecret,
        // Every product, said explicitly (an empty list is a configuration error).
        CONNECT_PRODUCTS: process.env.CONNECT_PRODUCTS || '*',
        CONNECT_ACTIVATION_TEMPLATE_ID:
          process.env.CONNECT_ACTIVATION_TEMPLATE_ID ?? LOCAL_DEFAULTS.activationTemplates,
        CONNECT_TIER_TEMPLATE_ID: process.env.CONNECT_TIER_TEMPLATE_ID ?? LOCAL_DEFAULTS.tierTemplate,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        SCHEDULER_ENDPOINT: scheduler.endpoint,
        ...options.env,
      },
    });
    stops.push(() => offline.stop());

    const call = connectHttp(emulator.url, apiKey);
    const webhookUrl = `http://127.0.0.1:${ports.http}/connect/webhook`;
    const registerWebhook: LocalStack['registerWebhook'] = async (productId, objectClass) => {
      const created = await call<{ id: string }>('POST', '/notifications/webhooks', {
        label: `${productId} ${objectClass}`,
        description: 'Local function set',
        type: 'event',
        object_class: objectClass,
        product_id: productId,
        external_url: webhookUrl,
        jwt_secret: webhookSecret,
        http_method: 'POST',
        active: true,
        data: {},
      });
      return created.id;
    };
    for (const productId of options.webhookProducts ?? []) {
      await registerWebhook(productId, 'tier_config_request');
      await registerWebhook(productId, 'fulfillment_request');
    }
    return {
      emulator,
      apiUrl: emulator.url,
      apiKey,
      webhookSecret,
      webhookUrl,
      lambdaEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      dynamoOperations: () => dynamo.operations(),
      tasks: createTaskStore({ table, endpoint: dynamo.endpoint }),
      tasksTable: table,
      scheduler,
      registerWebhook,
      call,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
