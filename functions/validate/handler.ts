/**
 * POST /connect/validate as a Lambda: the route (validate.ts) with its errors mapped at the edge, and its
 * composition root: the configuration (the webhook route's secrets, the `validation` section), the verifier
 * and the automation table's validators, rebuilt when the secrets rotate. No Connect client is built: the
 * route makes no call.
 */
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { AutomationTable } from '../../lib/automation';
import { configSource, perConfig } from '../../lib/config';
import { entryFor } from '../../lib/dispatch';
import { createEdgeHandler } from '../../lib/lambda';
import { appendRequestContext, logger, type MetricsRecorder, metrics } from '../../lib/observability';
import { createWebhookVerifier } from '../../lib/webhook';
import { automation } from '../automation';
import { type ValidateDeps, type ValidatorLookup, validateRequest } from './validate';

export type ValidateRouteOptions = {
  /** The route's dependencies for this invocation (built from the current configuration). */
  deps: () => Promise<ValidateDeps>;
  logger: PowertoolsLogger;
  /** Flushed when each call ends (the route's refusals, its validations). */
  metrics?: MetricsRecorder;
  newCorrelationId?: () => string;
};

export function createValidateRoute({ deps, ...options }: ValidateRouteOptions) {
  return createEdgeHandler(
    async (call, correlationId) => validateRequest(call, correlationId, await deps()),
    {
      ...options,
      route: 'Validation',
      metricsRoute: 'validate',
    },
  );
}

/** The validators of the automation table: `entry.validate[phase]` of the type's entry. */
export function validatorsOf(table: AutomationTable): ValidatorLookup {
  return (objectClass, type, phase) => entryFor(table, objectClass, type)?.validate?.[phase];
}

const config = configSource({ requireWebhookSecrets: true, requireApiKey: false });

const depsFor = perConfig(
  (current): ValidateDeps => ({
    verifier: createWebhookVerifier({ secrets: current.webhookSecrets }),
    validatorFor: validatorsOf(automation(current)),
    onError: current.validation.onError,
    deadlineMs: current.validation.deadlineMs,
    logger,
    metrics,
    appendContext: (context) => appendRequestContext(context, logger),
  }),
);

export const handler = createValidateRoute({ deps: async () => depsFor(await config()), logger, metrics });
