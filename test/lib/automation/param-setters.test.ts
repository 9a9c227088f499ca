/**
 * The validators' parameter setters: the same for a fulfillment request's `asset.params` and a tier config
 * request's two copies (`params`, `configuration.params`); they change only the named field of the named
 * parameter, and never add one.
 */
import { describe, expect, it } from 'vitest';
import { clearParamError, getParam, paramValue, setParamError, setParamValue } from '../../../lib/automation';
import { fulfillmentRequest, tierConfigRequest } from '../../support/builders';

describe('the parameter setters on a fulfillment request', () => {
  it('set and clear an error, and fill a value in, on asset.params', () => {
    const request = fulfillmentRequest();

    expect(setParamError(request, 'email', 'Invalid email')).toBe(true);
    expect(getParam(request, 'email')?.value_error).toBe('Invalid email');
    expect(clearParamError(request, 'email')).toBe(true);
    expect(getParam(request, 'email')?.value_error).toBe('');
    expect(setParamValue(request, 'ActivationKey', 'KEY-1')).toBe(true);
    expect(paramValue(request, 'ActivationKey')).toBe('KEY-1');
  });

  it('change nothing else: the other fields and the other parameters stay as they were', () => {
    const request = fulfillmentRequest();
    const before = structuredClone(request);

    setParamError(request, 'email', 'Wrong');

    const { value_error, ...rest } = request.asset.params[0] ?? { value_error: undefined };
    const { value_error: _before, ...restBefore } = before.asset.params[0] ?? { value_error: undefined };
    expect(value_error).toBe('Wrong');
    expect(rest).toEqual(restBefore);
    expect(request.asset.params.slice(1)).toEqual(before.asset.params.slice(1));
    expect({ ...request, asset: { ...request.asset, params: [] } }).toEqual({
      ...before,
      asset: { ...before.asset, params: [] },
    });
  });

  it('answer false and add nothing for a parameter the request does not have', () => {
    const request = fulfillmentRequest();
    const before = structuredClone(request);

    expect(setParamError(request, 'nope', 'x')).toBe(false);
    expect(clearParamError(request, 'nope')).toBe(false);
    expect(setParamValue(request, 'nope', 'x')).toBe(false);
    expect(request).toEqual(before);
  });

  it('refuse a value that is not a string (a validator written in plain JavaScript)', () => {
    const request = fulfillmentRequest();
    expect(() => setParamValue(request, 'email', 42 as unknown as string)).toThrow(TypeError);
  });
});

describe('the parameter setters on a tier config request', () => {
  const tcrParams = [
    { id: 'TIER_PARTNER_ID', phase: 'ordering', value: '', value_error: '', constraints: { required: true } },
    { id: 'TIER_REGION', phase: 'ordering', value: 'EU', value_error: '' },
  ];

  it('write both copies: params and configuration.params', () => {
    const request = tierConfigRequest({ params: tcrParams, tierLevel: 2 });
    request.configuration.params = structuredClone(tcrParams);

    setParamError(request, 'TIER_PARTNER_ID', 'Required');
    setParamValue(request, 'TIER_REGION', 'US');

    for (const list of [request.params, request.configuration.params]) {
      expect(list.find((param) => param.id === 'TIER_PARTNER_ID')?.value_error).toBe('Required');
      expect(list.find((param) => param.id === 'TIER_REGION')?.value).toBe('US');
    }
    clearParamError(request, 'TIER_PARTNER_ID');
    expect(request.configuration.params.find((param) => param.id === 'TIER_PARTNER_ID')?.value_error).toBe(
      '',
    );
    expect(request.params.find((param) => param.id === 'TIER_PARTNER_ID')?.value_error).toBe('');
  });

  it('write the copy there is when the configuration carries no params', () => {
    const request = tierConfigRequest({ params: tcrParams });
    request.configuration.params = undefined;

    expect(setParamError(request, 'TIER_PARTNER_ID', 'Required')).toBe(true);
    expect(request.params[0]?.value_error).toBe('Required');
    expect(request.configuration.params).toBeUndefined();
  });

  it('find a parameter that only the configuration carries', () => {
    const request = tierConfigRequest({ params: [] });
    request.configuration.params = structuredClone(tcrParams);

    expect(setParamError(request, 'TIER_REGION', 'Not served')).toBe(true);
    expect(request.configuration.params[1]?.value_error).toBe('Not served');
    expect(request.params).toEqual([]);
  });
});
