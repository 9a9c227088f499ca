/**
 * The webhooks a stage should have in Connect, and what it takes to get there from what Connect has: pure,
 * no I/O. `npm run webhooks -- sync` (sync.ts) lists, plans with these functions, then applies the plan.
 *
 * Ours are marked by their label, `<service>:<stage>:<object class>:<type>` (e.g.
 * `connect-fulfillment:prod:fulfillment_request:event`): one label per product, object class and type, and
 * a webhook whose label does not start with `<service>:<stage>:` is never changed. The description says
 * the same in words and carries a fingerprint of the JWT secret, because Connect does not show a webhook's
 * secret: a changed secret is seen as a changed fingerprint.
 */
import { scryptSync } from 'node:crypto';
import {
  FULFILLMENT_VALIDATOR_TYPES,
  TIER_CONFIG_VALIDATOR_TYPES,
  WEBHOOK_OBJECT_CLASSES,
  WEBHOOK_TYPES,
  type Webhook,
  type WebhookBody,
  type WebhookObjectClass,
  type WebhookType,
} from '../../lib/connect';
import { formatTable } from '../format-table';

/** The routes of the function set's HTTP API. */
export const WEBHOOK_ROUTE = '/connect/webhook';
export const VALIDATE_ROUTE = '/connect/validate';

/** Connect's limit on a label (API.md §11.1). */
const MAX_LABEL = 100;

export type SyncTarget = {
  service: string;
  /** `local` for the local stack, else the deployed stage's name. */
  stage: string;
  /** The HTTP API's base URL, without a trailing slash. */
  baseUrl: string;
  /** Products that get the two event webhooks. */
  products: readonly string[];
  /** Products (among `products`) that also get the validator webhooks of API.md §11.4. */
  validationProducts: readonly string[];
  /** The secret Connect signs with: the first of the stage's webhook secrets. */
  secret: string;
};

export type DesiredWebhook = {
  productId: string;
  objectClass: WebhookObjectClass;
  type: WebhookType;
  label: string;
  url: string;
  description: string;
};

export type Action = 'create' | 'update' | 'unchanged' | 'deactivate';

export type PlanRow = {
  productId: string;
  objectClass: string;
  type: string;
  action: Action;
  /** The webhook changed or left as is; none for a create. */
  webhookId?: string;
  /** What differs, for an update: `url`, `secret`, `active`, … ; why, for a deactivation. */
  detail: string[];
  /** What is sent (create, update, deactivate). */
  body?: WebhookBody;
};

export type Plan = {
  rows: PlanRow[];
  /** Webhooks of the configured products that this sync did not create: never touched. */
  foreign: Webhook[];
  warnings: string[];
};

/** The object class each validator type belongs to (API.md §11.4). */
export const VALIDATOR_TYPES: ReadonlyArray<{ type: WebhookType; objectClass: WebhookObjectClass }> = [
  ...FULFILLMENT_VALIDATOR_TYPES.map((type) => ({ type, objectClass: 'fulfillment_request' as const })),
  ...TIER_CONFIG_VALIDATOR_TYPES.map((type) => ({ type, objectClass: 'tier_config_request' as const })),
];

const EVENT_CLASSES: readonly WebhookObjectClass[] = ['fulfillment_request', 'tier_config_request'];

const isObjectClass = (value: string): value is WebhookObjectClass =>
  (WEBHOOK_OBJECT_CLASSES as readonly string[]).includes(value);
const isType = (value: string): value is WebhookType => (WEBHOOK_TYPES as readonly string[]).includes(value);

export const labelPrefix = (service: string, stage: string): string => `${service}:${stage}:`;

export function managedLabel(service: string, stage: string, objectClass: string, type: string): string {
  const label = `${labelPrefix(service, stage)}${objectClass}:${type}`;
  if (label.length > MAX_LABEL) {
    throw new RangeError(`Webhook label ${label} is longer than Connect's ${MAX_LABEL} characters`);
  }
  return label;
}

/**
 * A fingerprint of the secret, for the description: scrypt (a slow hash, so a weak secret is not cheap to
 * guess from it) with a fixed salt, 16 bytes, base64url. The same secret always gives the same fingerprint.
 */
export function secretFingerprint(secret: string): string {
  return scryptSync(secret, 'connect-fulfillment/webhook-secret', 16).toString('base64url');
}

const FINGERPRINT = /Secret fingerprint ([A-Za-z0-9_-]+)/;

export function managedDescription(service: string, stage: string, fingerprint: string): string {
  return (
    `Managed by ${service} (npm run webhooks -- sync, stage ${stage}): changes made here are overwritten. ` +
    `Secret fingerprint ${fingerprint}.`
  );
}

/** Every webhook the target should have, in a stable order: per product, the events, then the validators. */
export function desiredWebhooks(target: SyncTarget, fingerprint: string): DesiredWebhook[] {
  const validated = new Set(target.validationProducts);
  const description = managedDescription(target.service, target.stage, fingerprint);
  const entry = (productId: string, objectClass: WebhookObjectClass, type: WebhookType, route: string) => ({
    productId,
    objectClass,
    type,
    label: managedLabel(target.service, target.stage, objectClass, type),
    url: `${target.baseUrl}${route}`,
    description,
  });
  return target.products.flatMap((productId) => [
    ...EVENT_CLASSES.map((objectClass) => entry(productId, objectClass, 'event', WEBHOOK_ROUTE)),
    ...(validated.has(productId)
      ? VALIDATOR_TYPES.map(({ type, objectClass }) => entry(productId, objectClass, type, VALIDATE_ROUTE))
      : []),
  ]);
}

function bodyOf(
  desired: Pick<DesiredWebhook, 'productId' | 'objectClass' | 'type' | 'label' | 'url' | 'description'>,
  secret: string,
  active: boolean,
  existing?: Webhook,
): WebhookBody {
  return {
    type: desired.type,
    object_class: desired.objectClass,
    label: desired.label,
    description: desired.description,
    product_id: desired.productId,
    external_url: desired.url,
    jwt_secret: secret,
    active,
    http_method: 'POST',
    // Not managed: what is there stays.
    data: existing?.data ?? {},
    headers: existing?.headers ?? {},
  };
}

/** What differs between a webhook of ours and what it should be. */
function differences(
  existing: Webhook,
  desired: DesiredWebhook,
  secret: string,
  fingerprint: string,
): string[] {
  const changes: string[] = [];
  if (existing.external_url !== desired.url) changes.push('url');
  const secretChanged =
    existing.jwt_secret != null
      ? existing.jwt_secret !== secret
      : FINGERPRINT.exec(existing.description ?? '')?.[1] !== fingerprint;
  if (secretChanged) changes.push('secret');
  else if ((existing.description ?? '') !== desired.description) changes.push('description');
  if (!existing.active) changes.push('active');
  if (existing.type !== desired.type) changes.push('type');
  if (existing.object_class !== desired.objectClass) changes.push('object class');
  if ((existing.http_method ?? 'POST') !== 'POST') changes.push('method');
  return changes;
}

/** The label's parts after the prefix, for a webhook of ours that is no longer wanted. */
function labelParts(webhook: Webhook, prefix: string): { objectClass: string; type: string } {
  const [objectClass = webhook.object_class, type = webhook.type] = (webhook.label ?? '')
    .slice(prefix.length)
    .split(':');
  return { objectClass, type };
}

/**
 * The plan from what Connect has (`existing`: every webhook of the configured products, and every webhook
 * of ours wherever it is) to what the target wants; `force` updates ours even where nothing differs. Ours
 * that are no longer wanted (a product or its validation taken out of the configuration) and duplicates of
 * ours are deactivated, never deleted; foreign webhooks are listed and left alone.
 */
export function planSync(
  target: SyncTarget,
  existing: readonly Webhook[],
  options: { force?: boolean } = {},
): Plan {
  const fingerprint = secretFingerprint(target.secret);
  const prefix = labelPrefix(target.service, target.stage);
  const desired = desiredWebhooks(target, fingerprint);
  const configured = new Set(target.products);
  const key = (productId: string, label: string) => `${productId}\u0000${label}`;

  const ours = new Map<string, Webhook[]>();
  const foreign: Webhook[] = [];
  for (const webhook of existing) {
    if ((webhook.label ?? '').startsWith(prefix)) {
      const k = key(webhook.product.id, webhook.label ?? '');
      ours.set(k, [...(ours.get(k) ?? []), webhook]);
    } else if (configured.has(webhook.product.id)) {
      foreign.push(webhook);
    }
  }

  const rows: PlanRow[] = [];
  const deactivate = (webhook: Webhook, why: string) => {
    const { objectClass, type } = labelParts(webhook, prefix);
    const base = { productId: webhook.product.id, objectClass, type, webhookId: webhook.id };
    if (!webhook.active) {
      rows.push({ ...base, action: 'unchanged', detail: [`inactive, ${why}`] });
      return;
    }
    const { object_class: kind, type: webhookType } = webhook;
    if (!isObjectClass(kind) || !isType(webhookType)) {
      rows.push({
        ...base,
        action: 'unchanged',
        detail: [`${why}, but of an unknown kind: deactivate it by hand`],
      });
      return;
    }
    const body = bodyOf(
      {
        productId: webhook.product.id,
        objectClass: kind,
        type: webhookType,
        label: webhook.label ?? '',
        url: webhook.external_url,
        description: webhook.description ?? '',
      },
      target.secret,
      false,
      webhook,
    );
    rows.push({ ...base, action: 'deactivate', detail: [why], body });
  };

  const wanted = new Set<string>();
  for (const want of desired) {
    const k = key(want.productId, want.label);
    wanted.add(k);
    const [current, ...duplicates] = ours.get(k) ?? [];
    const base = { productId: want.productId, objectClass: want.objectClass, type: want.type };
    if (current === undefined) {
      rows.push({ ...base, action: 'create', detail: [], body: bodyOf(want, target.secret, true) });
    } else {
      const found = differences(current, want, target.secret, fingerprint);
      // A secret changed by hand in Connect cannot be seen (Connect hides it): --force writes it again.
      const changes = found.length === 0 && options.force ? ['forced'] : found;
      rows.push(
        changes.length === 0
          ? { ...base, action: 'unchanged', webhookId: current.id, detail: [] }
          : {
              ...base,
              action: 'update',
              webhookId: current.id,
              detail: changes,
              body: bodyOf(want, target.secret, true, current),
            },
      );
    }
    for (const duplicate of duplicates) deactivate(duplicate, `duplicate of ${current?.id}`);
  }
  for (const [k, webhooks] of ours) {
    if (wanted.has(k)) continue;
    for (const webhook of webhooks) {
      const why = configured.has(webhook.product.id)
        ? 'no longer configured'
        : 'product no longer configured';
      deactivate(webhook, why);
    }
  }

  const urls = new Set(desired.map((want) => want.url));
  const warnings = foreign
    .filter((webhook) => webhook.active && urls.has(webhook.external_url))
    .map(
      (webhook) =>
        `${webhook.id} (not created by this sync) also sends ${webhook.product.id} ${webhook.object_class} ` +
        `${webhook.type} to ${webhook.external_url}: the function set is called twice for each change.`,
    );
  return { rows, foreign, warnings };
}

/** Re-exported: the plan's callers and tests take the table from here. */
export { formatTable };

export function formatPlan(plan: Plan): string {
  return formatTable(
    ['PRODUCT', 'OBJECT CLASS', 'TYPE', 'ACTION', 'WEBHOOK', 'DETAIL'],
    plan.rows.map((row) => [
      row.productId,
      row.objectClass,
      row.type,
      row.action,
      row.webhookId ?? '-',
      row.detail.join(', '),
    ]),
  );
}

export function formatForeign(foreign: readonly Webhook[]): string {
  return formatTable(
    ['PRODUCT', 'OBJECT CLASS', 'TYPE', 'WEBHOOK', 'ACTIVE', 'LABEL', 'URL'],
    foreign.map((webhook) => [
      webhook.product.id,
      webhook.object_class,
      webhook.type,
      webhook.id,
      webhook.active ? 'yes' : 'no',
      JSON.stringify(webhook.label ?? ''),
      webhook.external_url,
    ]),
  );
}

/** `2 to create, 1 to update, 3 unchanged` (dry run) or `2 created, 1 updated, 3 unchanged`. */
export function summarize(rows: readonly PlanRow[], dryRun: boolean): string {
  const count = (action: Action) => rows.filter((row) => row.action === action).length;
  const changes = (['create', 'update', 'deactivate'] as const).filter((action) => count(action) > 0);
  if (changes.length === 0) return `Nothing to change: ${rows.length} webhooks up to date.`;
  const done: Record<Action, string> = {
    create: 'created',
    update: 'updated',
    deactivate: 'deactivated',
    unchanged: 'unchanged',
  };
  const parts = changes.map((action) => `${count(action)} ${dryRun ? `to ${action}` : done[action]}`);
  return `${parts.join(', ')}, ${count('unchanged')} unchanged.`;
}
