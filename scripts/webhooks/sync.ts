/**
 * One sync: list what Connect has (every webhook of the configured products, and ours anywhere), plan,
 * apply the plan unless it is a dry run (one change at a time, in the plan's order), print it.
 */
import { type ConnectAdminClient, type InvalidItemEvent, rql, type Webhook } from '../../lib/connect';
import {
  formatForeign,
  formatPlan,
  labelPrefix,
  type Plan,
  planSync,
  type SyncTarget,
  summarize,
} from './plan';

export type SyncResult = { plan: Plan; changed: number };

export class InvalidWebhooksError extends Error {
  override readonly name = 'InvalidWebhooksError';
}

/** Every webhook a sync needs to see; stops when Connect answers one it cannot read (it could be ours). */
export async function listWebhooks(
  client: Pick<ConnectAdminClient, 'webhooks'>,
  target: SyncTarget,
  invalid: InvalidItemEvent[],
): Promise<Webhook[]> {
  const filter = rql.or(
    rql.in('product.id', target.products),
    rql.like('label', `${labelPrefix(target.service, target.stage)}*`),
  );
  const webhooks: Webhook[] = [];
  for await (const webhook of client.webhooks.list({ filter })) webhooks.push(webhook);
  if (invalid.length > 0) {
    const which = invalid.map((event) => `${event.id ?? '(no id)'} (${event.issues.join('; ')})`).join(', ');
    throw new InvalidWebhooksError(`Connect listed webhooks that cannot be read, nothing changed: ${which}`);
  }
  return webhooks;
}

export async function syncWebhooks(options: {
  client: Pick<ConnectAdminClient, 'webhooks'>;
  target: SyncTarget;
  dryRun: boolean;
  /** Update every webhook of ours, even those that look up to date (a secret changed by hand in Connect). */
  force?: boolean;
  out: (line: string) => void;
  /** The list's schema failures, as the client reports them through `onInvalidItem`. */
  invalid?: InvalidItemEvent[];
}): Promise<SyncResult> {
  const { client, target, dryRun, out } = options;
  const existing = await listWebhooks(client, target, options.invalid ?? []);
  const plan = planSync(target, existing, { force: options.force ?? false });

  let changed = 0;
  if (!dryRun) {
    const total = plan.rows.filter((row) => row.body !== undefined).length;
    for (const row of plan.rows) {
      if (row.body === undefined) continue;
      try {
        if (row.action === 'create') row.webhookId = (await client.webhooks.create(row.body)).id;
        else if (row.webhookId !== undefined) await client.webhooks.update(row.webhookId, row.body);
      } catch (error) {
        out(`Stopped after ${changed} of ${total} changes, at ${row.action} ${row.productId} ${row.type}.`);
        throw error;
      }
      changed += 1;
    }
  }

  out(formatPlan(plan));
  if (plan.foreign.length > 0) {
    out('');
    out('Left alone (not created by this sync):');
    out(formatForeign(plan.foreign));
  }
  for (const warning of plan.warnings) out(`Warning: ${warning}`);
  out('');
  out(dryRun ? `Dry run, nothing changed: ${summarize(plan.rows, true)}` : summarize(plan.rows, false));
  return { plan, changed };
}
