/**
 * Shared by the reliability stack tests: boot the real local stack with its logs collected, seed a mixed
 * population of pending requests through Connect's (the emulator's) API, deliver signed webhooks, invoke the
 * sweep through the Lambda Invoke API, wait until the queue is quiet, and read the emulator's call log.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CallRecord } from '../../../emulator';
import { DEMO_PROVISIONING_PARAM } from '../../../functions/automation/provisioner';
import { signWebhookToken } from '../../../lib/webhook';
import { type LocalStack, loadSamples, type Sample } from '../../../scripts/local-stack';
import { startStackOnFreePorts } from '../../support/local-stack';

export const SWEEP_FUNCTION = 'connect-fulfillment-dev-sweep';

export type TimedLine = { at: number; line: string };

export type StackRun = {
  stack: LocalStack;
  functionLogs: TimedLine[];
  emulatorLogs: TimedLine[];
  stop(): Promise<void>;
};

/** The local stack on free ports, every function and emulator log line kept with the time it arrived. */
export async function bootStack(env: Record<string, string> = {}): Promise<StackRun> {
  const functionLogs: TimedLine[] = [];
  const emulatorLogs: TimedLine[] = [];
  const stack = await startStackOnFreePorts({
    env,
    onFunctionLog: (line) => functionLogs.push({ at: Date.now(), line }),
    onEmulatorLog: (line) => emulatorLogs.push({ at: Date.now(), line }),
  });
  return { stack, functionLogs, emulatorLogs, stop: () => stack.stop() };
}

/** Product ids of the project's samples. */
export function productOf(sample: Sample): string {
  const request = sample.request as {
    asset?: { product?: { id?: string } };
    configuration?: { product?: { id?: string } };
  };
  const subscription = sample.subscription as { product?: { id?: string } } | undefined;
  const id =
    request.asset?.product?.id ??
    request.configuration?.product?.id ??
    subscription?.product?.id ??
    undefined;
  if (!id) throw new Error(`${sample.name}: no product id`);
  return id;
}

export type Seeded = {
  id: string;
  kind: string;
  objectClass: Sample['object_class'];
  expectStatus: string;
};

type Created = { id: string; asset?: { id: string } };

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T, index);
      }
    }),
  );
  return results;
}

/**
 * `count` pending requests cycling through the project's samples (every request type and outcome: purchases
 * that approve with a template or the tile, inquire, fail; change, suspend, resume, cancel, adjustment and an
 * unsupported renew on their own freshly approved subscriptions; TCRs of tier 1 and 2 that approve or inquire).
 * Run before any webhook is registered and before faults are on: nothing fires, nothing fails.
 */
export async function seedMixed(
  stack: LocalStack,
  count: number,
  kinds?: readonly string[],
  options: { rescheduledPurchases?: number } = {},
): Promise<Seeded[]> {
  const samples = (await loadSamples()).filter((sample) => !kinds || kinds.includes(sample.name));
  const plan = Array.from({ length: count }, (_, index) => samples[index % samples.length] as Sample);
  // Every n-th approving purchase asks the demo provisioner for one "in progress" first: Reschedule once.
  const every = options.rescheduledPurchases ? Math.round(1 / options.rescheduledPurchases) : 0;
  let approvingPurchases = 0;
  const reschedulesOnce = (sample: Sample) => {
    const request = sample.request as { type?: string; asset?: { params?: Array<{ id: string }> } };
    if (every === 0 || request.type !== 'purchase' || sample.expect.status !== 'approved') return false;
    if (request.asset?.params?.some((param) => param.id === DEMO_PROVISIONING_PARAM)) return false;
    approvingPurchases += 1;
    return approvingPurchases % every === 0;
  };
  const rescheduled = new Set(plan.map((sample, index) => (reschedulesOnce(sample) ? index : -1)));
  return inBatches(plan, 16, async (sample, index) => {
    const unique = `soak-${index}`;
    if (sample.object_class === 'tier_config_request') {
      const body = structuredClone(sample.request) as unknown as {
        configuration: { account: Record<string, unknown> };
      };
      body.configuration.account = {
        ...body.configuration.account,
        id: `TA-9-${1000 + index}`,
        external_id: unique,
      };
      const created = await stack.call<Created>('POST', '/tier/config-requests', body);
      return {
        id: created.id,
        kind: sample.name,
        objectClass: sample.object_class,
        expectStatus: sample.expect.status,
      };
    }
    const request = structuredClone(sample.request) as { type: string; asset: Record<string, unknown> };
    if (sample.subscription) {
      const purchase = await stack.call<Created>('POST', '/requests', {
        type: 'purchase',
        asset: { ...sample.subscription, external_id: unique },
      });
      await stack.call('POST', `/requests/${purchase.id}/approve`, { template_id: 'TL-000-000-001' });
      const assetId = purchase.asset?.id as string;
      if (sample.suspended) {
        const suspend = await stack.call<Created>('POST', '/requests', {
          type: 'suspend',
          asset: { id: assetId },
        });
        await stack.call('POST', `/requests/${suspend.id}/approve`, { template_id: 'TL-000-000-001' });
      }
      request.asset = { ...request.asset, id: assetId };
    } else {
      request.asset = { ...request.asset, external_id: unique };
    }
    if (rescheduled.has(index)) {
      const params = (request.asset.params as Array<Record<string, unknown>> | undefined) ?? [];
      request.asset = { ...request.asset, params: [...params, { id: DEMO_PROVISIONING_PARAM, value: '1' }] };
    }
    const created = await stack.call<Created>('POST', '/requests', request);
    return {
      id: created.id,
      kind: rescheduled.has(index) ? `${sample.name} (rescheduled once)` : sample.name,
      objectClass: sample.object_class,
      expectStatus: sample.expect.status,
    };
  });
}

/** The distinct products of the samples (the webhooks to register and `CONNECT_PRODUCTS`). */
export async function sampleProducts(): Promise<string[]> {
  return [...new Set((await loadSamples()).map(productOf))].sort();
}

export async function signToken(
  secret: string,
  claims: Record<string, unknown> = {},
  options: { alg?: 'HS256' | 'HS384' | 'HS512'; iat?: number; exp?: number; nbf?: number } = {},
): Promise<string> {
  const issuedAt = options.iat ?? Math.floor(Date.now() / 1000);
  return signWebhookToken({
    secret,
    claims,
    issuedAt,
    ...(options.alg === undefined ? {} : { algorithm: options.alg }),
    ...(options.exp === undefined ? {} : { lifetimeSeconds: options.exp - issuedAt }),
    ...(options.nbf === undefined ? {} : { notBefore: options.nbf }),
  });
}

export function envelope(
  productId: string,
  objectClass: string,
  apiUrl: string,
  webhookId = 'WH-000-000-001',
): Record<string, unknown> {
  return {
    webhook_id: webhookId,
    webhook_name: 'reliability',
    object_class: objectClass,
    account_id: 'VA-000-000',
    product_id: productId,
    api_url: apiUrl,
    triggered_at: new Date().toISOString(),
    last_success_at: null,
    last_failure_at: null,
    processing_timeout: 600,
    data: {},
  };
}

/** POSTs a webhook to the router as Connect would: a signed Bearer JWT over a JSON envelope. */
export async function deliverWebhook(
  stack: LocalStack,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(stack.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** The scheduled sweep, invoked through serverless-offline's Lambda Invoke API (as EventBridge would). */
export async function invokeSweep(stack: LocalStack): Promise<number | undefined> {
  const client = new LambdaClient({
    endpoint: stack.lambdaEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const result = await client.send(
      new InvokeCommand({ FunctionName: SWEEP_FUNCTION, InvocationType: 'RequestResponse', Payload: '{}' }),
    );
    return result.StatusCode;
  } finally {
    client.destroy();
  }
}

export function statusOf(stack: LocalStack, seeded: Seeded): string {
  return seeded.objectClass === 'tier_config_request'
    ? stack.emulator.store.getTierConfigRequest(seeded.id).status
    : stack.emulator.store.getRequest(seeded.id).status;
}

export type DriveResult = { sweeps: number; elapsedMs: number; unsettled: Seeded[] };

/**
 * Runs sweeps until every seeded request is in its expected status (read from the emulator's state, which
 * costs no Connect call), sweeping whenever the function set has been quiet for `quietMs` (no Connect call),
 * and at least every `sweepEveryMs` as the schedule would. Then sweeps once more and waits for the function set to be quiet once more, so that a late duplicate
 * action would still be seen in the call log.
 */
export async function driveUntilSettled(
  run: StackRun,
  seeded: readonly Seeded[],
  options: { quietMs?: number; sweepEveryMs?: number; timeoutMs: number },
): Promise<DriveResult> {
  const { stack } = run;
  const quietMs = options.quietMs ?? 2_000;
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  const started = Date.now();
  let sweeps = 0;
  let lastSweep = Date.now();
  const sweep = async () => {
    sweeps += 1;
    lastSweep = Date.now();
    await invokeSweep(stack).catch(() => undefined);
  };
  const lastActivity = () => Math.max(run.emulatorLogs.at(-1)?.at ?? 0, run.functionLogs.at(-1)?.at ?? 0);
  const unsettled = () => seeded.filter((request) => statusOf(stack, request) !== request.expectStatus);
  while (Date.now() - started < options.timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (unsettled().length === 0) break;
    // On a schedule, and sooner when the function set has nothing left to do.
    if (Date.now() - lastActivity() >= quietMs || Date.now() - lastSweep >= sweepEveryMs) await sweep();
  }
  // One more sweep once settled: it must find nothing to act on (no duplicate action, nothing pending).
  await sweep();
  // Quiet again: nothing left in flight that could still act.
  const graceEnd = Date.now() + 60_000;
  while (Date.now() < graceEnd && Date.now() - lastActivity() < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stack.emulator.webhooksIdle();
  return { sweeps, elapsedMs: Date.now() - started, unsettled: unsettled() };
}

const TERMINAL = /^\/public\/v1\/(requests|tier\/config-requests)\/([^/]+)\/(approve|fail|inquire)$/;

/** Successful (2xx) terminal actions per request id, from the emulator's call log. */
export function successfulTerminalActions(calls: readonly CallRecord[]): Map<string, string[]> {
  const byRequest = new Map<string, string[]>();
  for (const call of calls) {
    const match = call.method === 'POST' ? TERMINAL.exec(call.path) : null;
    if (!match || call.status < 200 || call.status >= 300) continue;
    const id = match[2] as string;
    byRequest.set(id, [...(byRequest.get(id) ?? []), match[3] as string]);
  }
  return byRequest;
}

/**
 * The requests that did not get exactly one successful terminal action, the one their expected status
 * needs, as `id kind: actions` lines (empty when every request is right).
 */
export function wrongTerminalActions(seeded: readonly Seeded[], calls: readonly CallRecord[]): string[] {
  const actions = successfulTerminalActions(calls);
  return seeded
    .map((request) => ({ request, actions: actions.get(request.id) ?? [] }))
    .filter(({ request, actions }) => {
      const expected = terminalActionFor(request.expectStatus);
      return expected === undefined ? actions.length > 0 : actions.length !== 1 || actions[0] !== expected;
    })
    .map(({ request, actions }) => `${request.id} ${request.kind}: ${actions.join(',') || 'none'}`);
}

/** The expected terminal action for an expected final status; none for a request that stays pending (parked). */
export function terminalActionFor(expectStatus: string): string | undefined {
  if (expectStatus === 'approved') return 'approve';
  if (expectStatus === 'failed') return 'fail';
  if (expectStatus === 'inquiring') return 'inquire';
  if (expectStatus === 'pending') return undefined;
  throw new Error(`no terminal action for ${expectStatus}`);
}

export function retriedLines(run: StackRun): Array<Record<string, unknown>> {
  return run.functionLogs
    .filter(({ line }) => line.includes('Connect call retried'))
    .map(({ line }) => {
      const start = line.indexOf('{');
      try {
        return JSON.parse(line.slice(start)) as Record<string, unknown>;
      } catch {
        return { raw: line };
      }
    });
}

/** The secret values that must never appear in a log line. */
export function secretsOf(stack: LocalStack, extra: readonly string[] = []): string[] {
  const key = stack.apiKey.replace(/^ApiKey\s+/i, '');
  const secretPart = key.slice(key.indexOf(':') + 1);
  return [secretPart, stack.webhookSecret, ...extra].filter((value) => value.length > 0);
}

/** Lines that carry a secret or anything that looks like a JWT. */
export function leakingLines(lines: readonly string[], secrets: readonly string[]): string[] {
  return lines.filter((line) => line.includes('eyJ') || secrets.some((secret) => line.includes(secret)));
}

/** Every log line of a run: the functions' (serverless-offline included) and the emulator's. */
export function allLogLines(run: StackRun): string[] {
  return [...run.functionLogs, ...run.emulatorLogs].map(({ line }) => line);
}
