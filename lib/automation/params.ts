/**
 * Parameters, the same for both kinds of request: a fulfillment request's `asset.params`, a tier config
 * request's `params` (then, for reading, its `configuration.params`).
 *
 * The setters are for validators: they change the request they are given (a validator answers Connect with
 * that object), and for a tier config request they write every copy of the parameter.
 */
import type { Param } from '../connect';
import { type AnyRequest, objectClassOf } from '../object-classes';

/** The parameter with this id, if any. */
export function getParam(request: AnyRequest, id: string): Param | undefined {
  for (const params of objectClassOf(request).paramLists(request)) {
    const found = params.find((param) => param.id === id);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The value of the parameter with this id; `undefined` when the parameter is missing. `null` reads as `""`. */
export function paramValue(request: AnyRequest, id: string): string | undefined {
  const param = getParam(request, id);
  return param === undefined ? undefined : (param.value ?? '');
}
