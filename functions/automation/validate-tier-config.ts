/**
 * A tier config request's dynamic validation (draft and inquiring): the tier-config handler's rule, applied
 * while the tier fills the form in: an empty required ordering parameter gets the handler's error, a filled
 * one has its error cleared. Written to both copies of each parameter (`params`, `configuration.params`).
 */
import { clearParamError, setParamError, type TierConfigValidator } from '../../lib/automation';
import { isMissing, MISSING_TIER_PARAM_ERROR, requiredOrderingParams } from './tier-config';

export const validateTierConfig: TierConfigValidator = (request) => {
  for (const param of requiredOrderingParams(request.params)) {
    if (isMissing(param)) setParamError(request, param.id, MISSING_TIER_PARAM_ERROR);
    else clearParamError(request, param.id);
  }
};
