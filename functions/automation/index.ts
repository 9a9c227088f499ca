/**
 * THE automation table: what the function set does with each request type. This is the one place to change
 * the business logic: replace a handler, or add a request type (see docs/handler-api.md, "Adding a request
 * type"). Every rule below is the seed's (Connect's PHP SDK "Fulfillment Example"), each in its own file.
 *
 * Each type with an entry runs in its own Lambda (named after the type; `tier-config` for every tier config
 * request); a type without an entry (renew, transfer) goes to `unsupported`, which fails it with
 * "Operation not supported: <type>". serverless.yml deploys exactly these functions (a test checks it).
 * `validate` answers Connect's validator webhooks for drafts and inquiring requests (docs/validation.md).
 */
import { defineAutomation } from '../../lib/automation';
import { approve } from './approve';
import { logChanges } from './change';
import { createDemoProvisioner } from './provisioner';
import { createPurchaseHandler } from './purchase';
import { createTierConfigHandler } from './tier-config';
import { clearErrors } from './validate-change';
import { validatePurchase } from './validate-purchase';
import { validateTierConfig } from './validate-tier-config';

export const automation = defineAutomation(({ templates }) => {
  const tierConfig = createTierConfigHandler({ tierTemplateId: templates.tier });
  const tierValidation = { draft: validateTierConfig, inquiring: validateTierConfig };
  return {
    fulfillment_request: {
      purchase: {
        // The demo provisioner stands for the vendor's own system: replace it with a call to its API.
        process: createPurchaseHandler({
          provisioner: createDemoProvisioner(),
          activationTemplates: templates.activation,
        }),
        validate: { draft: validatePurchase, inquiring: validatePurchase },
      },
      change: { process: logChanges, validate: { draft: clearErrors, inquiring: clearErrors } },
      suspend: { process: approve },
      resume: { process: approve },
      cancel: { process: approve },
      adjustment: { process: approve },
    },
    tier_config_request: {
      setup: { process: tierConfig, validate: tierValidation },
      update: { process: tierConfig, validate: tierValidation },
      adjustment: { process: tierConfig },
    },
  };
});
