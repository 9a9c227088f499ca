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

/** Every copy of the parameter with this id (a TCR's `params` and `configuration.params`), in that order. */
function everyCopy(request: AnyRequest, id: string): Param[] {
  return objectClassOf(request)
    .paramLists(request)
    .flatMap((params) => params.filter((param) => param.id === id));
}

function writeAll(request: AnyRequest, id: string, field: 'value' | 'value_error', text: string): boolean {
  if (typeof text !== 'string') throw new TypeError(`${field} of parameter ${id} must be a string`);
  const copies = everyCopy(request, id);
  for (const param of copies) param[field] = text;
  return copies.length > 0;
}

/**
 * Marks the parameter as wrong: the customer sees `message` beside it. Returns false (and changes nothing)
 * when the request has no parameter with this id.
 */
export function setParamError(request: AnyRequest, id: string, message: string): boolean {
  return writeAll(request, id, 'value_error', message);
}

/** Clears the parameter's error (`value_error: ""`). Returns false when the request has no such parameter. */
export function clearParamError(request: AnyRequest, id: string): boolean {
  return writeAll(request, id, 'value_error', '');
}

/**
 * Fills the parameter in ("multi-step order population": a value derived from the others). Returns false when
 * the request has no such parameter: a validator cannot add one.
 */
export function setParamValue(request: AnyRequest, id: string, value: string): boolean {
  return writeAll(request, id, 'value', value);
}
