/**
 * The purchase's dynamic validation (draft and inquiring), from the seed's purchase rule: the customer sees
 * the email's problem while filling the order in, instead of an inquiry after it is placed.
 */
import { clearParamError, type FulfillmentValidator, paramValue, setParamError } from '../../lib/automation';
import { EMAIL_PARAM, MISSING_EMAIL_ERROR } from './purchase';

export const INVALID_EMAIL_ERROR = 'Invalid email';

/** One `@`, something before it, a dot in the domain, no spaces: what a mail form accepts, not RFC 5322. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text);
}

// #region validator
export const validatePurchase: FulfillmentValidator = (request) => {
  const email = paramValue(request, EMAIL_PARAM)?.trim();
  if (email === undefined) return; // the product has no email parameter
  if (email === '') setParamError(request, EMAIL_PARAM, MISSING_EMAIL_ERROR);
  else if (!isEmailAddress(email)) setParamError(request, EMAIL_PARAM, INVALID_EMAIL_ERROR);
  else clearParamError(request, EMAIL_PARAM);
};
// #endregion validator
