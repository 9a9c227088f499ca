import { createFulfillmentFunction } from '../../lib/lambda';
import { logger } from '../../lib/observability';
import { parseActivationTemplates } from './activation-templates';
import { createDemoProvisioner } from './provisioner';
import { createPurchaseHandler } from './purchase';

export const handler = createFulfillmentFunction(
  createPurchaseHandler({
    provisioner: createDemoProvisioner(() => logger.info('Provisioning the account in the vendor system')),
    activationTemplates: parseActivationTemplates(process.env.CONNECT_ACTIVATION_TEMPLATE_ID),
  }),
);
