/**
 * The seed's purchase logic (the PHP SDK's "Fulfillment Example"):
 * - a product without an `email` parameter → Park: nothing to ask, nothing to write, a person must look;
 * - no email → Inquire, the email parameter gets a value_error;
 * - an item over 1000000 units → Fail;
 * - otherwise provision (the vendor's system may answer "in progress": Reschedule until it is done), write
 *   the ActivationKey fulfillment parameter, and approve with the product's activation template, or with the
 *   welcome tile when none is configured.
 */
import {
  approveWithTemplate,
  approveWithTile,
  Fail,
  type FulfillmentHandler,
  type FulfillmentRequest,
  getParam,
  Inquire,
  Park,
  paramValue,
  parseQuantity,
  Reschedule,
} from '../../lib/automation';
import type { Provisioner } from './provisioner';

/** The activation template of a product (lib/config `templates.activation`); `undefined`: the welcome tile. */
export type ActivationTemplates = (productId: string) => string | undefined;

export const EMAIL_PARAM = 'email';
export const ACTIVATION_KEY_PARAM = 'ActivationKey';
export const MAX_QUANTITY = 1_000_000;
export const MISSING_EMAIL_ERROR = 'Email address has not been provided, please provide one';
export const MISSING_EMAIL_PARAM = 'the product has no parameter `email`';
export const WELCOME_TILE =
  '# Welcome to Fallball!\n\nYes, you decided to have an account in our amazing service!';

export type PurchaseDeps = { provisioner: Provisioner; activationTemplates: ActivationTemplates };

function oversizedItem(request: FulfillmentRequest) {
  return request.asset.items.find((item) => {
    const quantity = parseQuantity(item.quantity);
    return quantity !== 'unlimited' && quantity > MAX_QUANTITY;
  });
}

// #region handler
export function createPurchaseHandler(deps: PurchaseDeps): FulfillmentHandler {
  return async (request, ctx) => {
    // Real products name their parameters as they like: writing a value_error to a parameter the product
    // does not have would be refused by Connect, for ever.
    if (getParam(request, EMAIL_PARAM) === undefined) throw new Park(MISSING_EMAIL_PARAM);
    if (!paramValue(request, EMAIL_PARAM)?.trim()) {
      throw new Inquire({ [EMAIL_PARAM]: MISSING_EMAIL_ERROR });
    }
    const oversized = oversizedItem(request);
    if (oversized) {
      throw new Fail(
        `Is Not possible to purchase product ${oversized.id} more than ${MAX_QUANTITY} time, requested: ${oversized.quantity}`,
      );
    }
    // The ActivationKey is the checkpoint: a retry after a crash finds it and does not provision again.
    if (paramValue(request, ACTIVATION_KEY_PARAM)) {
      ctx.logger.info('Already provisioned: reusing the ActivationKey');
    } else {
      ctx.logger.info('Provisioning the account in the vendor system');
      const provisioning = await deps.provisioner.provision(request);
      if ('inProgress' in provisioning) {
        throw new Reschedule(provisioning.retryAfterSeconds, 'Provisioning in progress in the vendor system');
      }
      await ctx.updateParameters([
        { id: ACTIVATION_KEY_PARAM, value: provisioning.activationKey, value_error: '' },
      ]);
    }
    const templateId = deps.activationTemplates(request.asset.product.id);
    return templateId ? approveWithTemplate(templateId) : approveWithTile(WELCOME_TILE);
  };
}
// #endregion handler
