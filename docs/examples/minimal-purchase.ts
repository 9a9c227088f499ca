import {
  approveWithTemplate,
  Fail,
  type FulfillmentHandler,
  Inquire,
  paramValue,
} from '../../lib/automation';

export const purchase: FulfillmentHandler = async (request, ctx) => {
  if (!paramValue(request, 'email')) throw new Inquire({ email: 'Please provide an email' });
  if (request.asset.items.length === 0) throw new Fail('Nothing to purchase');
  await ctx.updateParameters([{ id: 'ActivationKey', value: 'KEY-1' }]); // PUT, only what changes
  return approveWithTemplate('TL-111-222-333');
};
