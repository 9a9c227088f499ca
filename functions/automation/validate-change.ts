/** The change request's dynamic validation: the seed has no rule for it, so every parameter error is cleared. */
import { clearParamError, type FulfillmentValidator } from '../../lib/automation';

export const clearErrors: FulfillmentValidator = (request) => {
  for (const param of request.asset.params) clearParamError(request, param.id);
};
