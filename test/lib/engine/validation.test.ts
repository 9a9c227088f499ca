/**
 * The engine side of validation (lib/engine/validation.ts): the validator runs on a private copy within its
 * deadline (an injected timer: no real waiting), and only the `value` / `value_error` of parameters the object
 * already has are written back, into the text as received, byte for byte (a property test over generated
 * requests, formatting and validators).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Validator } from '../../../lib/automation/automation';
import { type DeadlineTimer, runValidation, ValidationDeadlineError } from '../../../lib/engine';
import {
  type AnyRequest,
  FULFILLMENT_REQUEST,
  type ObjectClass,
  TIER_CONFIG_REQUEST,
} from '../../../lib/object-classes';
import { buildFulfillmentRequest, buildTierConfigRequest } from '../../support/builders';
import { type Decoy, RawNumber, renderJson } from '../../support/json-render';
import { RecordingLogger } from '../../support/recording-logger';

/** A timer that only fires when told to. */
function manualTimer() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timer: DeadlineTimer & { fire(): void; pending: Map<number, () => void>; lastMs?: number } = {
    pending,
    set(callback, ms) {
      timer.lastMs = ms;
      next += 1;
      pending.set(next, callback);
      return next;
    },
    clear(handle) {
      pending.delete(handle as number);
    },
    fire() {
      for (const [handle, callback] of [...pending]) {
        pending.delete(handle);
        callback();
      }
    },
  };
  return timer;
}

function received<R extends AnyRequest>(objectClass: ObjectClass<R>, text: string) {
  const json: unknown = JSON.parse(text);
  return { text, json, request: objectClass.schema.parse(json) };
}

async function validate<R extends AnyRequest>(
  objectClass: ObjectClass<R>,
  text: string,
  validator: Validator<R>,
  timer: DeadlineTimer = manualTimer(),
) {
  return runValidation({
    objectClass,
    validator,
    phase: 'draft',
    received: received(objectClass, text),
    logger: new RecordingLogger(),
    deadlineMs: 5_000,
    timer,
  });
}

const draftPurchase = (params: Record<string, unknown>[]) => {
  const payload = buildFulfillmentRequest({ status: 'draft' });
  return { ...payload, asset: { ...payload.asset, params } };
};

describe('runValidation', () => {
  it('answers the received text itself when nothing changes', async () => {
    const text = ` {"id":"PR-1-1-1-001" , "type":"purchase","status":"draft","asset":{"id":"AS-1","product":{"id":"PRD-1"},
      "params":[{"id":"email","value":"a@b.co","value_error":""}]}, "big": 12345678901234567890, "z": -0, "f": 1.50 }`;
    const outcome = await validate(FULFILLMENT_REQUEST, text, () => undefined);
    expect(outcome).toEqual({ ok: true, body: text, changes: [] });
  });

  it('runs the validator on a private copy: the received object and its parse stay untouched', async () => {
    const text = JSON.stringify(draftPurchase([{ id: 'email', value: '', value_error: '' }]));
    const input = received(FULFILLMENT_REQUEST, text);
    const before = structuredClone(input);
    let seen: AnyRequest | undefined;
    await runValidation({
      objectClass: FULFILLMENT_REQUEST,
      validator: (request) => {
        seen = request;
        request.asset.params[0] = { id: 'email', value_error: 'x' };
        request.note = 'changed';
      },
      phase: 'draft',
      received: input,
      logger: new RecordingLogger(),
      deadlineMs: 10,
      timer: manualTimer(),
    });
    expect(input).toEqual(before);
    expect(seen).not.toBe(input.request);
  });

  it('writes value_error and value into the text in place, and inserts a missing value_error', async () => {
    const text = JSON.stringify(
      draftPurchase([
        { id: 'email', value: '', value_error: '' },
        { id: 'seats', value: '3' },
      ]),
    );
    const outcome = await validate(FULFILLMENT_REQUEST, text, (request) => {
      const [email, seats] = request.asset.params;
      if (email) email.value_error = 'Missing';
      if (seats) {
        seats.value = '4';
        seats.value_error = '';
      }
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.body).toBe(
      text
        .replace('"value":"","value_error":""', '"value":"","value_error":"Missing"')
        .replace('"value":"3"}', '"value":"4","value_error":""}'),
    );
    expect(outcome.changes).toEqual([
      { id: 'email', field: 'value_error', list: 0 },
      { id: 'seats', field: 'value', list: 0 },
      { id: 'seats', field: 'value_error', list: 0 },
    ]);
  });

  it('writes both lists of a tier config request, and keeps tier_level as received ("2", not 2)', async () => {
    const payload = buildTierConfigRequest({ status: 'draft' });
    const param = { id: 'TIER_PARTNER_ID', value: '', value_error: '' };
    const text = JSON.stringify({
      ...payload,
      params: [param],
      configuration: { ...payload.configuration, tier_level: '2', params: [param] },
    });
    const outcome = await validate(TIER_CONFIG_REQUEST, text, (request) => {
      for (const list of [request.params, request.configuration.params ?? []]) {
        for (const entry of list) entry.value_error = 'Required';
      }
    });
    expect(outcome.ok && JSON.parse(outcome.body)).toEqual({
      ...JSON.parse(text),
      params: [{ ...param, value_error: 'Required' }],
      configuration: { ...JSON.parse(text).configuration, params: [{ ...param, value_error: 'Required' }] },
    });
    expect(outcome.ok && outcome.body.includes('"tier_level":"2"')).toBe(true);
  });

  it('ignores everything else a validator does: new params, removed fields, other fields, other types', async () => {
    const text = JSON.stringify(
      draftPurchase([{ id: 'email', value: 'v', value_error: 'e', name: 'Email' }]),
    );
    const outcome = await validate(FULFILLMENT_REQUEST, text, (request) => {
      const email = request.asset.params[0] as Record<string, unknown>;
      delete email.value_error;
      email.value = 42;
      email.name = 'Renamed';
      request.asset.params.push({ id: 'added', value: 'x', value_error: 'y' });
      request.note = 'note';
      request.asset.items = [];
    });
    expect(outcome).toEqual({ ok: true, body: text, changes: [] });
  });

  it('matches a moved parameter by its id', async () => {
    const text = JSON.stringify(
      draftPurchase([
        { id: 'a', value: '' },
        { id: 'b', value: '' },
      ]),
    );
    const outcome = await validate(FULFILLMENT_REQUEST, text, (request) => {
      request.asset.params.reverse();
      const b = request.asset.params.find((param) => param.id === 'b');
      if (b) b.value_error = 'B!';
    });
    expect(outcome.ok && JSON.parse(outcome.body).asset.params).toEqual([
      { id: 'a', value: '' },
      { id: 'b', value: '', value_error: 'B!' },
    ]);
  });

  it('reports a validator that throws, synchronously or not', async () => {
    const text = JSON.stringify(draftPurchase([{ id: 'email', value: '' }]));
    const boom = new Error('vendor system down');
    expect(
      await validate(FULFILLMENT_REQUEST, text, () => {
        throw boom;
      }),
    ).toEqual({ ok: false, reason: 'threw', error: boom });
    expect(await validate(FULFILLMENT_REQUEST, text, async () => Promise.reject(boom))).toEqual({
      ok: false,
      reason: 'threw',
      error: boom,
    });
  });

  it('gives up at the deadline (an injected timer: no waiting), aborts the signal, ignores a late answer', async () => {
    const text = JSON.stringify(draftPurchase([{ id: 'email', value: '' }]));
    const timer = manualTimer();
    let signal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    const pending = validate(
      FULFILLMENT_REQUEST,
      text,
      (request, ctx) => {
        signal = ctx.signal;
        return new Promise<void>((resolve) => {
          finish = () => {
            if (request.asset.params[0]) request.asset.params[0].value_error = 'late';
            resolve();
          };
        });
      },
      timer,
    );
    await Promise.resolve();
    expect(timer.lastMs).toBe(5_000);
    timer.fire();
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: false, reason: 'deadline' });
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ValidationDeadlineError);
    expect(signal?.aborted).toBe(true);
    finish?.();
  });

  it('a late rejection after the deadline is not an unhandled rejection', async () => {
    const timer = manualTimer();
    let reject: ((error: Error) => void) | undefined;
    const text = JSON.stringify(draftPurchase([{ id: 'email', value: '' }]));
    const pending = validate(
      FULFILLMENT_REQUEST,
      text,
      () =>
        new Promise<void>((_resolve, rejectWith) => {
          reject = rejectWith;
        }),
      timer,
    );
    await Promise.resolve();
    timer.fire();
    expect((await pending).ok).toBe(false);
    reject?.(new Error('too late'));
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it('clears its timer when the validator finishes in time', async () => {
    const timer = manualTimer();
    const text = JSON.stringify(draftPurchase([{ id: 'email', value: '' }]));
    await validate(FULFILLMENT_REQUEST, text, async () => undefined, timer);
    expect(timer.pending.size).toBe(0);
  });
});

describe('the descriptors', () => {
  it('name in paramPaths where their paramLists are', () => {
    const fulfillment = FULFILLMENT_REQUEST.schema.parse(buildFulfillmentRequest());
    const tier = TIER_CONFIG_REQUEST.schema.parse(buildTierConfigRequest());
    const follow = (request: unknown, path: readonly string[]) =>
      path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], request);
    expect(FULFILLMENT_REQUEST.paramPaths.map((path) => follow(fulfillment, path))).toEqual(
      FULFILLMENT_REQUEST.paramLists(fulfillment),
    );
    expect(TIER_CONFIG_REQUEST.paramPaths.map((path) => follow(tier, path))).toEqual(
      TIER_CONFIG_REQUEST.paramLists(tier),
    );
  });
});

// ---------------------------------------------------------------------------------------------- property

type FieldOp =
  | { kind: 'keep' }
  | { kind: 'set'; to: string | null }
  | { kind: 'delete' }
  | { kind: 'number' };
type ParamPlan = { value: FieldOp; value_error: FieldOp; rename: boolean };

const textArb = fc.string({
  maxLength: 12,
  unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '😀', '\u2028', ' '),
});
const fieldArb = fc.option(fc.oneof(textArb, fc.constant(null)), { nil: undefined });
const extraArb = fc.dictionary(
  fc.string({ maxLength: 6 }).map((key) => `x_${key}`),
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(new RawNumber('12345678901234567890'), new RawNumber('-0'), new RawNumber('1E+2')),
  ),
  { maxKeys: 3 },
);
const paramArb = fc.record({
  id: fc.constantFrom('email', 'seats', 'TIER_PARTNER_ID', 'b', 'é'),
  value: fieldArb,
  value_error: fieldArb,
  extra: extraArb,
  decoy: fc.boolean(),
});
const opArb: fc.Arbitrary<FieldOp> = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  fieldArb.map((to) => ({ kind: 'set' as const, to: to ?? '' })),
  fc.constant({ kind: 'delete' as const }),
  fc.constant({ kind: 'number' as const }),
);
const planArb: fc.Arbitrary<ParamPlan> = fc.record({
  value: opArb,
  value_error: opArb,
  rename: fc.boolean(),
});

type GeneratedParam = {
  id: string;
  value: string | null | undefined;
  value_error: string | null | undefined;
  extra: Record<string, unknown>;
  decoy: boolean;
};

function paramObject(param: GeneratedParam): Record<string, unknown> {
  return {
    id: param.id,
    ...(param.value === undefined ? {} : { value: param.value }),
    ...(param.value_error === undefined ? {} : { value_error: param.value_error }),
    name: 'n',
    ...param.extra,
  };
}

function applyPlan(entry: Record<string, unknown> | undefined, plan: ParamPlan | undefined) {
  if (!entry || !plan) return;
  for (const field of ['value', 'value_error'] as const) {
    const op = plan[field];
    if (op.kind === 'set') entry[field] = op.to;
    else if (op.kind === 'delete') delete entry[field];
    else if (op.kind === 'number') entry[field] = 7;
  }
  if (plan.rename) entry.name = 'renamed';
}

/** What the route must answer: the sent tree with the planned string / null changes, inserted when new. */
function expectedTree(
  lists: Array<Array<Record<string, unknown>>>,
  plans: Array<Array<ParamPlan | undefined>>,
  inserted: Map<object, Array<[string, unknown]>>,
) {
  lists.forEach((list, l) => {
    list.forEach((entry, i) => {
      const plan = plans[l]?.[i];
      if (!plan) return;
      for (const field of ['value', 'value_error'] as const) {
        const op = plan[field];
        if (op.kind !== 'set' || op.to === entry[field]) continue;
        if (Object.hasOwn(entry, field)) entry[field] = op.to;
        else inserted.set(entry, [...(inserted.get(entry) ?? []), [field, op.to]]);
      }
    });
  });
}

describe('runValidation over generated requests, formatting and validators', () => {
  const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

  it.each([
    ['fulfillment request', FULFILLMENT_REQUEST as ObjectClass],
    ['tier config request', TIER_CONFIG_REQUEST as ObjectClass],
  ])('%s: the answer is the received text with exactly the planned fields changed', async (_name, kind) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(paramArb, { maxLength: 5 }),
        fc.array(paramArb, { maxLength: 4 }),
        fc.array(planArb, { maxLength: 6 }),
        fc.array(planArb, { maxLength: 6 }),
        extraArb,
        seedArb,
        fc.boolean(),
        async (first, second, plansA, plansB, extra, seed, withConfigurationParams) => {
          const decoys = new Map<object, Decoy[]>();
          const build = (params: GeneratedParam[]) =>
            params.map((param) => {
              const entry = paramObject(param);
              if (param.decoy && param.value_error !== undefined)
                decoys.set(entry, [['value_error', 'decoy']]);
              return entry;
            });
          const sentLists: Array<Array<Record<string, unknown>>> = [];
          let tree: Record<string, unknown>;
          if (kind === FULFILLMENT_REQUEST) {
            const payload = buildFulfillmentRequest({ status: 'draft' });
            const params = build(first);
            sentLists.push(params);
            tree = { ...payload, ...extra, asset: { ...payload.asset, params, ...extra } };
          } else {
            const payload = buildTierConfigRequest({ status: 'inquiring' });
            const params = build(first);
            const configurationParams = build(second);
            sentLists.push(params, withConfigurationParams ? configurationParams : []);
            tree = {
              ...payload,
              ...extra,
              params,
              configuration: {
                ...payload.configuration,
                tier_level: '1',
                params: withConfigurationParams ? configurationParams : undefined,
              },
            };
          }
          const text = renderJson(tree, seed, { decoys });
          const plans = [plansA, plansB];

          const outcome = await validate(kind, text, (request) => {
            kind.paramLists(request).forEach((list, l) => {
              list.forEach((entry, i) => {
                applyPlan(entry as Record<string, unknown>, plans[l]?.[i]);
              });
            });
            request.note = 'ignored';
          });

          // The same tree and formatting, with the planned changes: the expected answer, byte for byte.
          const expected = structuredClone(tree);
          const expectedLists =
            kind === FULFILLMENT_REQUEST
              ? [(expected.asset as { params: Array<Record<string, unknown>> }).params]
              : [
                  expected.params as Array<Record<string, unknown>>,
                  ((expected.configuration as { params?: Array<Record<string, unknown>> }).params ??
                    []) as Array<Record<string, unknown>>,
                ];
          const expectedDecoys = new Map<object, Decoy[]>();
          sentLists.forEach((list, l) => {
            list.forEach((entry, i) => {
              const decoy = decoys.get(entry);
              const copy = expectedLists[l]?.[i];
              if (decoy && copy) expectedDecoys.set(copy, decoy);
            });
          });
          // structuredClone turns RawNumber instances into plain objects: render from the sent tree's shape.
          const restore = (from: unknown, to: unknown): unknown => {
            if (from instanceof RawNumber) return from;
            if (Array.isArray(from) && Array.isArray(to)) {
              to.forEach((item, index) => {
                to[index] = restore(from[index], item);
              });
            } else if (from && to && typeof from === 'object' && typeof to === 'object') {
              for (const key of Object.keys(from)) {
                (to as Record<string, unknown>)[key] = restore(
                  (from as Record<string, unknown>)[key],
                  (to as Record<string, unknown>)[key],
                );
              }
            }
            return to;
          };
          restore(tree, expected);
          const inserted = new Map<object, Array<[string, unknown]>>();
          expectedTree(expectedLists, plans, inserted);

          expect(outcome.ok).toBe(true);
          if (!outcome.ok) return;
          expect(outcome.body).toBe(renderJson(expected, seed, { decoys: expectedDecoys, inserted }));
        },
      ),
      { numRuns: 400 },
    );
  });
});
