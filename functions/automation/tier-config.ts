/**
 * Tier config requests, in the seed's spirit (`processTierConfigRequest`): every required ordering
 * parameter of the request's tier must have a value, otherwise Inquire; then approve with the tier
 * template, or with a representation when no template is configured.
 */
import {
  approveWithTemplate,
  approveWithTile,
  Inquire,
  type Param,
  type TierConfigHandler,
} from '../../lib/automation';

/** The error of an empty required ordering parameter: the handler's Inquire and the validator both give it. */
export const MISSING_TIER_PARAM_ERROR = 'This parameter is required, please provide it';
export const DEFAULT_TIER_REPRESENTATION = 'Tier configuration approved';

/** The ordering parameters the customer must fill in (`constraints.required`). */
export function requiredOrderingParams(params: readonly Param[]): Param[] {
  return params.filter((param) => param.phase === 'ordering' && param.constraints?.required === true);
}

/** The rule, shared by the handler and the validator: a required ordering parameter must not be empty. */
export function isMissing(param: Param): boolean {
  return !param.value?.trim();
}

export type TierConfigDeps = { tierTemplateId: string | undefined };

export function createTierConfigHandler(deps: TierConfigDeps): TierConfigHandler {
  return (request) => {
    const missing = requiredOrderingParams(request.params).filter(isMissing);
    if (missing.length > 0) {
      throw new Inquire(Object.fromEntries(missing.map((param) => [param.id, MISSING_TIER_PARAM_ERROR])));
    }
    return deps.tierTemplateId
      ? approveWithTemplate(deps.tierTemplateId)
      : approveWithTile(DEFAULT_TIER_REPRESENTATION);
  };
}
