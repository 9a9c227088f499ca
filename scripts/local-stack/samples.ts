/**
 * The project's sample requests (events/requests/*.json): what to create in Connect, and what each one
 * is expected to end as. Seeding goes through Connect's own API (the emulator's, locally).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const ObjectClassSchema = z.enum(['fulfillment_request', 'tier_config_request']);

export const SampleSchema = z.object({
  description: z.string(),
  object_class: ObjectClassSchema,
  expect: z.object({
    status: z.string(),
    /** Connect calls on this request, in order: `get`, `update` (PUT) or the action name. */
    actions: z.array(z.string()),
    /** What the task record must show in the end (the lifecycle: rescheduled first, or parked). */
    task: z
      .object({
        state: z.enum(['done', 'parked', 'rescheduled']),
        reschedules: z.number().int().min(0).optional(),
        reason: z.string().optional(),
      })
      .optional(),
  }),
  /** An active subscription to create (purchase + approve) before the webhook is registered. */
  subscription: z.record(z.string(), z.unknown()).optional(),
  /** Suspend the subscription too (for a resume sample). */
  suspended: z.boolean().optional(),
  /** The body of `POST /requests` (asset id filled in from `subscription`) or `POST /tier/config-requests`. */
  request: z.looseObject({ type: z.string() }),
});
export type Sample = z.infer<typeof SampleSchema> & { name: string };

export const SAMPLES_DIR = path.resolve(import.meta.dirname, '..', '..', 'events', 'requests');

export async function loadSamples(dir = SAMPLES_DIR): Promise<Sample[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = SampleSchema.safeParse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
      if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
      return { ...parsed.data, name: file.replace(/\.json$/, '') };
    }),
  );
}

/** The products of the samples, in order of first appearance: those `npm start` registers webhooks for. */
export function sampleProducts(samples: readonly Sample[]): string[] {
  const productOf = (request: Record<string, unknown>) =>
    (request.asset as { product?: { id?: string } } | undefined)?.product?.id ??
    (request.configuration as { product?: { id?: string } } | undefined)?.product?.id;
  return [
    ...new Set(samples.map((sample) => productOf(sample.request)).filter((id): id is string => Boolean(id))),
  ];
}

/** A minimal HTTP helper for the provider / seeding side of Connect (the lib's client is the vendor's side). */
export function connectHttp(apiUrl: string, apiKey: string) {
  return async function call<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const response = await fetch(`${apiUrl}${urlPath}`, {
      method,
      headers: { authorization: apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${method} ${urlPath} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

type Created = { id: string; asset?: { id: string } };

/** Creates (and approves) the subscriptions the non-purchase samples act on. Run before webhooks exist. */
export async function seedSubscriptions(
  call: ReturnType<typeof connectHttp>,
  samples: readonly Sample[],
): Promise<Map<string, string>> {
  const assetBySample = new Map<string, string>();
  for (const sample of samples) {
    if (!sample.subscription) continue;
    const purchase = await call<Created>('POST', '/requests', {
      type: 'purchase',
      asset: sample.subscription,
    });
    await call('POST', `/requests/${purchase.id}/approve`, { template_id: 'TL-000-000-001' });
    const assetId = purchase.asset?.id;
    if (!assetId) throw new Error(`${sample.name}: the created purchase has no asset id`);
    if (sample.suspended) {
      const suspend = await call<Created>('POST', '/requests', { type: 'suspend', asset: { id: assetId } });
      await call('POST', `/requests/${suspend.id}/approve`, { template_id: 'TL-000-000-001' });
    }
    assetBySample.set(sample.name, assetId);
  }
  return assetBySample;
}

export type SeededRequest = { sample: Sample; id: string };

/** Creates every sample's request; with webhooks registered, each creation notifies the function set. */
export async function createSampleRequests(
  call: ReturnType<typeof connectHttp>,
  samples: readonly Sample[],
  assetBySample: ReadonlyMap<string, string>,
): Promise<SeededRequest[]> {
  const seeded: SeededRequest[] = [];
  for (const sample of samples) {
    if (sample.object_class === 'tier_config_request') {
      const created = await call<Created>('POST', '/tier/config-requests', sample.request);
      seeded.push({ sample, id: created.id });
      continue;
    }
    const assetId = assetBySample.get(sample.name);
    const request = structuredClone(sample.request) as { type: string; asset?: Record<string, unknown> };
    if (assetId) request.asset = { ...request.asset, id: assetId };
    const created = await call<Created>('POST', '/requests', request);
    seeded.push({ sample, id: created.id });
  }
  return seeded;
}
