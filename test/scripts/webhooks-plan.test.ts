import { describe, expect, it } from 'vitest';
import { type Webhook, WebhookSchema } from '../../lib/connect';
import {
  desiredWebhooks,
  formatPlan,
  formatTable,
  managedDescription,
  managedLabel,
  planSync,
  type SyncTarget,
  secretFingerprint,
  summarize,
  VALIDATOR_TYPES,
} from '../../scripts/webhooks/plan';

const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const target: SyncTarget = {
  service: 'connect-fulfillment',
  stage: 'prod',
  baseUrl: BASE,
  products: ['PRD-111-111-111', 'PRD-222-222-222'],
  validationProducts: ['PRD-222-222-222'],
  secret: 'JWT-6a1f9c2e-secret',
};
const fingerprint = secretFingerprint(target.secret);

let nextId = 1;
/** A webhook as Connect lists it: by default one of ours, as the sync writes it, without its secret. */
function webhook(overrides: Record<string, unknown> = {}): Webhook {
  const objectClass = (overrides.object_class as string | undefined) ?? 'fulfillment_request';
  const type = (overrides.type as string | undefined) ?? 'event';
  return WebhookSchema.parse({
    id: `WH-000-000-${String(nextId++).padStart(3, '0')}`,
    type,
    object_class: objectClass,
    label: managedLabel(target.service, target.stage, objectClass, type),
    description: managedDescription(target.service, target.stage, fingerprint),
    product: { id: 'PRD-111-111-111', name: 'Product' },
    external_url: `${BASE}${type === 'event' ? '/connect/webhook' : '/connect/validate'}`,
    active: true,
    http_method: 'POST',
    data: {},
    headers: {},
    ...overrides,
  });
}

/** Every webhook of the target, as a first sync leaves them. */
function current(): Webhook[] {
  return desiredWebhooks(target, fingerprint).map((want) =>
    webhook({ product: { id: want.productId }, object_class: want.objectClass, type: want.type }),
  );
}

describe('what a stage should have', () => {
  it('two event webhooks per product, the 16 validators of API.md §11.4 for the validation products', () => {
    // Act
    const desired = desiredWebhooks(target, fingerprint);

    // Assess
    expect(VALIDATOR_TYPES).toHaveLength(16);
    expect(desired).toHaveLength(2 + 2 + 16);
    expect(desired.slice(0, 2)).toEqual([
      {
        productId: 'PRD-111-111-111',
        objectClass: 'fulfillment_request',
        type: 'event',
        label: 'connect-fulfillment:prod:fulfillment_request:event',
        url: `${BASE}/connect/webhook`,
        description: managedDescription('connect-fulfillment', 'prod', fingerprint),
      },
      expect.objectContaining({ objectClass: 'tier_config_request', type: 'event' }),
    ]);
    const validators = desired.filter((want) => want.type !== 'event');
    expect(new Set(validators.map((want) => want.productId))).toEqual(new Set(['PRD-222-222-222']));
    expect(new Set(validators.map((want) => want.url))).toEqual(new Set([`${BASE}/connect/validate`]));
    expect(validators.find((want) => want.type === 'draft_tcr_t2_val')?.objectClass).toBe(
      'tier_config_request',
    );
    expect(validators.find((want) => want.type === 'renew_validator')?.objectClass).toBe(
      'fulfillment_request',
    );
  });

  it('labels ours by service, stage, object class and type, within Connect 100 characters', () => {
    // Act
    const label = managedLabel('connect-fulfillment', 'prod', 'tier_config_request', 'tcr_update_t1_inq_val');

    // Assess
    expect(label).toBe('connect-fulfillment:prod:tier_config_request:tcr_update_t1_inq_val');
    expect(() => managedLabel('connect-fulfillment', 'x'.repeat(60), 'tier_config_request', 'event')).toThrow(
      RangeError,
    );
  });

  it('fingerprints the secret the same way every time, and a different secret differently, never showing it', () => {
    // Act
    const first = secretFingerprint('JWT-6a1f9c2e-secret');
    const again = secretFingerprint('JWT-6a1f9c2e-secret');
    const other = secretFingerprint('JWT-6a1f9c2e-secreT');

    // Assess
    expect(first).toBe(again);
    expect(first).not.toBe(other);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(managedDescription('connect-fulfillment', 'prod', first)).not.toContain('JWT-6a1f9c2e');
  });
});

describe('the plan', () => {
  it('creates everything on an empty Connect, with the whole body Connect requires', () => {
    // Act
    const plan = planSync(target, []);

    // Assess
    expect(plan.rows.map((row) => row.action)).toEqual(Array(20).fill('create'));
    expect(plan.rows[0]?.body).toEqual({
      type: 'event',
      object_class: 'fulfillment_request',
      label: 'connect-fulfillment:prod:fulfillment_request:event',
      description: managedDescription('connect-fulfillment', 'prod', fingerprint),
      product_id: 'PRD-111-111-111',
      external_url: `${BASE}/connect/webhook`,
      jwt_secret: target.secret,
      active: true,
      http_method: 'POST',
      data: {},
      headers: {},
    });
  });

  it('changes nothing when Connect has what the stage should have', () => {
    // Act
    const plan = planSync(target, current());

    // Assess
    expect(plan.rows.map((row) => row.action)).toEqual(Array(20).fill('unchanged'));
    expect(plan.rows.every((row) => row.body === undefined && row.webhookId !== undefined)).toBe(true);
    expect(summarize(plan.rows, false)).toBe('Nothing to change: 20 webhooks up to date.');
  });

  it('with force, updates every webhook of ours even where nothing differs, and never a foreign one', () => {
    // Prepare
    const foreign = webhook({ label: 'by hand' });

    // Act
    const plan = planSync(target, [...current(), foreign], { force: true });

    // Assess
    expect(plan.rows.map((row) => `${row.action} ${row.detail.join()}`)).toEqual(
      Array(20).fill('update forced'),
    );
    expect(plan.rows.every((row) => row.body?.jwt_secret === target.secret)).toBe(true);
    expect(plan.foreign).toEqual([foreign]);
  });

  it('updates a changed URL, keeping the data and headers someone set', () => {
    // Prepare
    const moved = webhook({
      external_url: 'https://old.example/connect/webhook',
      headers: { 'X-Tenant': 'a' },
    });

    // Act
    const plan = planSync({ ...target, products: ['PRD-111-111-111'], validationProducts: [] }, [moved]);

    // Assess
    const row = plan.rows[0];
    expect(row).toMatchObject({ action: 'update', webhookId: moved.id, detail: ['url'] });
    expect(row?.body).toMatchObject({
      external_url: `${BASE}/connect/webhook`,
      headers: { 'X-Tenant': 'a' },
    });
  });

  it('updates the secret when the fingerprint in the description is another secret', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };

    // Act
    const plan = planSync({ ...only, secret: 'JWT-rotated' }, [webhook()]);

    // Assess
    expect(plan.rows[0]).toMatchObject({ action: 'update', detail: ['secret'] });
    expect(plan.rows[0]?.body?.jwt_secret).toBe('JWT-rotated');
    expect(plan.rows[0]?.body?.description).toContain(secretFingerprint('JWT-rotated'));
  });

  it('compares the secret itself when Connect shows it', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };

    // Act
    const same = planSync(only, [webhook({ jwt_secret: target.secret, description: 'edited by hand' })]);
    const other = planSync(only, [webhook({ jwt_secret: 'JWT-old' })]);

    // Assess
    expect(same.rows[0]).toMatchObject({ action: 'update', detail: ['description'] });
    expect(other.rows[0]).toMatchObject({ action: 'update', detail: ['secret'] });
  });

  it('reactivates one of ours that was switched off, and restores its method and kind', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };

    // Act
    const plan = planSync(only, [webhook({ active: false, http_method: 'GET' })]);

    // Assess
    expect(plan.rows[0]).toMatchObject({ action: 'update', detail: ['active', 'method'] });
    expect(plan.rows[0]?.body).toMatchObject({ active: true, http_method: 'POST' });
  });

  it('leaves foreign webhooks of the product alone, and warns when one also calls our URL', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };
    const manual = webhook({ label: 'fulfillment (manual)', description: 'set up by hand' });
    const otherStage = webhook({ label: 'connect-fulfillment:staging:fulfillment_request:event' });
    const elsewhere = webhook({ label: 'zapier', external_url: 'https://hooks.zapier.com/x' });

    // Act
    const plan = planSync(only, [manual, otherStage, elsewhere]);

    // Assess
    expect(plan.rows.map((row) => row.action)).toEqual(['create', 'create']);
    expect(plan.foreign.map((w) => w.id)).toEqual([manual.id, otherStage.id, elsewhere.id]);
    expect(plan.warnings).toEqual([
      expect.stringContaining(`${manual.id} (not created by this sync) also sends PRD-111-111-111`),
      expect.stringContaining(`${otherStage.id} (not created by this sync)`),
    ]);
  });

  it('deactivates ours that are no longer configured, never touching another product foreign webhook', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };
    const gone = webhook({ product: { id: 'PRD-999-999-999' } });
    const goneValidator = webhook({ object_class: 'fulfillment_request', type: 'validator' });
    const alreadyOff = webhook({ product: { id: 'PRD-888-888-888' }, active: false });

    // Act
    const plan = planSync(only, [...current().slice(0, 2), gone, goneValidator, alreadyOff]);

    // Assess
    expect(plan.rows.slice(2)).toEqual([
      expect.objectContaining({
        productId: 'PRD-999-999-999',
        type: 'event',
        action: 'deactivate',
        webhookId: gone.id,
        detail: ['product no longer configured'],
      }),
      expect.objectContaining({ type: 'validator', action: 'deactivate', detail: ['no longer configured'] }),
      expect.objectContaining({ action: 'unchanged', detail: ['inactive, product no longer configured'] }),
    ]);
    expect(plan.rows[2]?.body).toMatchObject({ active: false, external_url: gone.external_url });
    expect(summarize(plan.rows, true)).toBe('2 to deactivate, 3 unchanged.');
  });

  it('keeps the first of two webhooks of ours with the same label and deactivates the other', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };
    const [first, second] = [webhook(), webhook()];

    // Act
    const plan = planSync(only, [first as Webhook, second as Webhook]);

    // Assess
    expect(plan.rows.map((row) => [row.action, row.webhookId, row.detail.join()])).toEqual([
      ['unchanged', first?.id, ''],
      ['deactivate', second?.id, `duplicate of ${first?.id}`],
      ['create', undefined, ''],
    ]);
  });
});

describe('the printed plan', () => {
  it('is a table of product, object class, type, action, webhook and what differs', () => {
    // Prepare
    const only = { ...target, products: ['PRD-111-111-111'], validationProducts: [] };
    const moved = webhook({ id: 'WH-123-456-789', external_url: 'https://old.example/connect/webhook' });

    // Act
    const text = formatPlan(planSync(only, [moved]));

    // Assess
    expect(text.split('\n')).toEqual([
      'PRODUCT          OBJECT CLASS         TYPE   ACTION  WEBHOOK         DETAIL',
      'PRD-111-111-111  fulfillment_request  event  update  WH-123-456-789  url',
      'PRD-111-111-111  tier_config_request  event  create  -',
    ]);
  });

  it('sums up what was done, or what a dry run would do', () => {
    // Prepare
    const rows = planSync({ ...target, validationProducts: [] }, current().slice(0, 1)).rows;

    // Act
    const done = summarize(rows, false);
    const planned = summarize(rows, true);

    // Assess
    expect(done).toBe('3 created, 1 unchanged.');
    expect(planned).toBe('3 to create, 1 unchanged.');
    expect(formatTable(['A', 'B'], [['long value', 'x']])).toBe('A           B\nlong value  x');
  });
});
