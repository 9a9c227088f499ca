/**
 * One run of the project's samples on a started stack: subscriptions seeded, webhooks registered (the
 * validators too, with the products' dynamic validation on), the sample requests created, then followed
 * until each reaches its expected status. Shared by `npm start`, `npm run demo` and the end-to-end test.
 */
import stackNames from '../../config/stack.json';
import { createConnectClient } from '../../lib/connect';
import { LOCAL_STAGE } from '../webhooks/settings';
import { syncWebhooks } from '../webhooks/sync';
import type { LocalStack } from './index';
import { createSampleRequests, type Sample, sampleProducts, seedSubscriptions } from './samples';
import { createTracker, type EmulatorCall, type Tracker } from './tracker';
import { enableDynamicValidation } from './validation';

export type SampleRun = {
  tracker: Tracker;
  /** The products whose webhooks were registered. */
  products: string[];
  /**
   * Reads the statuses (from the in-process emulator: no Connect call), the calls and the task records;
   * returns the changes.
   */
  poll(): Promise<string[]>;
  /** Connect calls made by the function set since the samples were created. */
  functionSetCalls(): EmulatorCall[];
  /** True when no request is still on its way (each is ok or a mismatch). */
  settled(): boolean;
  /** Polls until settled or the deadline; resolves with whether every request is ok. */
  waitUntilSettled(timeoutMs: number, onPoll?: (changes: string[]) => void): Promise<boolean>;
};

export async function startSampleRun(stack: LocalStack, samples: readonly Sample[]): Promise<SampleRun> {
  const assetBySample = await seedSubscriptions(stack.call, samples);
  const products = sampleProducts(samples);
  // The webhooks as a deployed stage has them, through the same sync (`npm run webhooks -- sync`): the event
  // webhooks, and the validators (drafts and inquiring requests checked by the function set) with the
  // products' dynamic validation on. So `npm run doctor` finds them as it would on AWS.
  for (const productId of products) await enableDynamicValidation(stack, productId);
  await syncWebhooks({
    client: createConnectClient({ apiUrl: stack.apiUrl, apiKey: stack.apiKey }),
    target: {
      service: stackNames.service,
      stage: LOCAL_STAGE,
      baseUrl: new URL(stack.webhookUrl).origin,
      products,
      validationProducts: products,
      secret: stack.webhookSecret,
    },
    dryRun: false,
    out: () => undefined,
  });
  const mark = stack.emulator.calls().length;
  const tracker = createTracker(await createSampleRequests(stack.call, samples, assetBySample));

  // The creations are the samples' own calls; the function set never creates requests.
  const functionSetCalls = () =>
    stack.emulator
      .calls()
      .slice(mark)
      .filter((call) => !(call.method === 'POST' && /\/(requests|tier\/config-requests)$/.test(call.path)));

  // Requests created after the samples (by hand, while `npm start` runs) are followed too.
  const known = new Set(
    [...stack.emulator.store.listRequests(), ...stack.emulator.store.listTierConfigRequests()].map(
      (request) => request.id,
    ),
  );
  const followNewRequests = () => {
    for (const request of [
      ...stack.emulator.store.listRequests(),
      ...stack.emulator.store.listTierConfigRequests(),
    ]) {
      if (!known.has(request.id) && !tracker.isFollowed(request.id)) tracker.follow(request.id, request.type);
    }
  };

  const poll = async () => {
    followNewRequests();
    const changes: string[] = [];
    for (const request of tracker.requests()) {
      const status = request.id.startsWith('TCR-')
        ? stack.emulator.store.getTierConfigRequest(request.id).status
        : stack.emulator.store.getRequest(request.id).status;
      if (tracker.observe(request.id, status)) changes.push(`${request.id} → ${status}`);
    }
    tracker.setCalls(functionSetCalls());
    const records = await stack.tasks.getMany(tracker.requests().map((request) => request.id));
    for (const request of tracker.requests()) {
      const record = records.get(request.id);
      const before = request.task?.state;
      tracker.setTask(
        request.id,
        record && { state: record.state, reschedules: record.reschedules, reason: record.reason },
      );
      if (record && record.state !== before && record.state !== 'done')
        changes.push(`${request.id} task ${record.state}`);
    }
    return changes;
  };

  const settled = () => tracker.requests().every((request) => tracker.verdict(request) !== 'waiting');
  const judged = () => tracker.requests().filter((request) => tracker.verdict(request) !== 'unjudged');

  const waitUntilSettled: SampleRun['waitUntilSettled'] = async (timeoutMs, onPoll) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const changes = await poll();
      onPoll?.(changes);
      if (settled() || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A short grace period, so that a late extra call still shows up as a mismatch.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const lastChanges = await poll();
    onPoll?.(lastChanges);
    return judged().every((request) => tracker.verdict(request) === 'ok');
  };

  return { tracker, products, poll, functionSetCalls, settled, waitUntilSettled };
}
