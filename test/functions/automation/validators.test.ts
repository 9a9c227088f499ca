/**
 * The shipped validators (functions/automation/validate-*.ts), each a pure function of the request: the
 * purchase's email rule, the change's cleared errors, the tier config request's required ordering
 * parameters (the tier-config handler's rule and message, on both copies of each parameter).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { automation } from '../../../functions/automation';
import { EMAIL_PARAM, MISSING_EMAIL_ERROR } from '../../../functions/automation/purchase';
import { createTierConfigHandler, MISSING_TIER_PARAM_ERROR } from '../../../functions/automation/tier-config';
import { clearErrors } from '../../../functions/automation/validate-change';
import {
  INVALID_EMAIL_ERROR,
  isEmailAddress,
  validatePurchase,
} from '../../../functions/automation/validate-purchase';
import { validateTierConfig } from '../../../functions/automation/validate-tier-config';
import { getParam, Inquire, type ValidatorContext } from '../../../lib/automation';
import type { Param } from '../../../lib/connect';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';
import { RecordingLogger } from '../../support/recording-logger';

const ctx: ValidatorContext = {
  phase: 'draft',
  logger: new RecordingLogger(),
  signal: new AbortController().signal,
};

const purchaseWithEmail = (value: string | null, valueError = '') =>
  fulfillmentRequest({
    status: 'draft',
    params: [
      { id: EMAIL_PARAM, phase: 'ordering', value, value_error: valueError },
      { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: 'stale' },
    ],
  });

describe('validatePurchase', () => {
  it.each([
    ['empty', '', MISSING_EMAIL_ERROR],
    ['blank', '   ', MISSING_EMAIL_ERROR],
    ['null', null, MISSING_EMAIL_ERROR],
    ['not an address', 'nobody', INVALID_EMAIL_ERROR],
    ['no domain dot', 'ops@example', INVALID_EMAIL_ERROR],
    ['two at signs', 'a@b@example.com', INVALID_EMAIL_ERROR],
    ['a space inside', 'ops team@example.com', INVALID_EMAIL_ERROR],
    ['valid', 'ops@example.com', ''],
    ['valid, padded', '  ops@example.com ', ''],
  ])('an email that is %s → value_error %j', (_name, value, expected) => {
    const request = purchaseWithEmail(value, 'a previous error');

    validatePurchase(request, ctx);

    expect(getParam(request, EMAIL_PARAM)?.value_error).toBe(expected);
  });

  it('reuses the purchase handler message, and touches no other parameter or field', () => {
    expect(MISSING_EMAIL_ERROR).toBe('Email address has not been provided, please provide one');
    const request = purchaseWithEmail('');
    const before = structuredClone(request);

    validatePurchase(request, ctx);

    expect(request.asset.params[1]).toEqual(before.asset.params[1]);
    expect(request.asset.params[0]?.value).toBe('');
  });

  it('leaves a product without an email parameter alone', () => {
    const request = fulfillmentRequest({ status: 'draft', params: [{ id: 'other', value: '' }] });
    const before = structuredClone(request);
    validatePurchase(request, ctx);
    expect(request).toEqual(before);
  });

  it('accepts what a mail form accepts, in linear time on long input', () => {
    expect(['a@b.co', 'first.last+tag@sub.example.org'].every(isEmailAddress)).toBe(true);
    expect(['@example.com', 'a@', 'a@.com', 'a@b..com', 'a@b.', ''].some(isEmailAddress)).toBe(false);
    const started = performance.now();
    isEmailAddress(`${'a'.repeat(200_000)}@${'b.'.repeat(200_000)}`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('clearErrors (change requests)', () => {
  it('clears every parameter error and changes no value', () => {
    const request = fulfillmentRequest({
      type: 'change',
      status: 'draft',
      params: [
        { id: 'email', value: 'x', value_error: 'Bad' },
        { id: 'seats', value: '3', value_error: 'Too many' },
        { id: 'none', value: '' },
      ],
    });

    clearErrors(request, ctx);

    expect(request.asset.params.map((param) => [param.id, param.value, param.value_error])).toEqual([
      ['email', 'x', ''],
      ['seats', '3', ''],
      ['none', '', ''],
    ]);
  });
});

const tierParam = (id: string, value: string | null, extra: Partial<Param> = {}): Param => ({
  id,
  phase: 'ordering',
  value,
  value_error: '',
  constraints: { required: true },
  ...extra,
});

describe('validateTierConfig', () => {
  it('gives an empty required ordering parameter the handler message, in both copies', () => {
    const params = [
      tierParam('TIER_PARTNER_ID', ''),
      tierParam('TIER_REGION', 'EU', { value_error: 'old error' }),
      tierParam('OPTIONAL', '', { constraints: { required: false } }),
      tierParam('FULFILMENT', '', { phase: 'fulfillment' }),
    ];
    const request = tierConfigRequest({ status: 'draft', tierLevel: 2, params });
    request.configuration.params = structuredClone(request.params);

    validateTierConfig(request, ctx);

    for (const list of [request.params, request.configuration.params]) {
      expect(list.map((param) => [param.id, param.value_error])).toEqual([
        ['TIER_PARTNER_ID', MISSING_TIER_PARAM_ERROR],
        ['TIER_REGION', ''],
        ['OPTIONAL', ''],
        ['FULFILMENT', ''],
      ]);
    }
  });

  it('errs on exactly the parameters the tier-config handler inquires about (one rule)', () => {
    const handler = createTierConfigHandler({ tierTemplateId: undefined });
    const paramArb = fc.record({
      id: fc.constantFrom('A', 'B', 'C', 'D', 'E'),
      phase: fc.constantFrom('ordering', 'fulfillment', null),
      value: fc.oneof(fc.constantFrom('', ' ', 'x', null)),
      value_error: fc.constant(''),
      constraints: fc.oneof(fc.constant(null), fc.record({ required: fc.boolean() })),
    });
    fc.assert(
      fc.property(fc.uniqueArray(paramArb, { selector: (param) => param.id, maxLength: 5 }), (params) => {
        const request = tierConfigRequest({ status: 'draft', params });
        validateTierConfig(request, ctx);
        const erred = request.params
          .filter((param) => param.value_error === MISSING_TIER_PARAM_ERROR)
          .map((param) => param.id);
        let inquired: string[] = [];
        try {
          handler(tierConfigRequest({ status: 'pending', params }), {} as never);
        } catch (error) {
          if (!(error instanceof Inquire)) throw error;
          inquired = error.params.map((param) => param.id);
        }
        expect(erred).toEqual(inquired);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the automation table', () => {
  it('validates purchases, changes and tier setups and updates, in both phases', () => {
    const table = automation({ templates: { activation: () => undefined, tier: undefined } });
    expect(table.fulfillment_request.purchase?.validate).toEqual({
      draft: validatePurchase,
      inquiring: validatePurchase,
    });
    expect(table.fulfillment_request.change?.validate).toEqual({
      draft: clearErrors,
      inquiring: clearErrors,
    });
    for (const type of ['setup', 'update'] as const) {
      expect(table.tier_config_request[type]?.validate).toEqual({
        draft: validateTierConfig,
        inquiring: validateTierConfig,
      });
    }
    expect(table.fulfillment_request.suspend?.validate).toBeUndefined();
    expect(table.tier_config_request.adjustment?.validate).toBeUndefined();
  });
});
