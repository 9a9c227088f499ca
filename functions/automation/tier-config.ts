/**
 * Tier config requests, in the seed's spirit (`processTierConfigRequest`): every required ordering
 * parameter of the request's tier must have a value, otherwise Inquire; then approve with the tier
 * template, or with a representation when no template is configured.
 */
import { approveWithTemplate, approveWithTile, Inquire, type TierConfigHandler } from '../../lib/automation';

export const MISSING_TIER_PARAM_ERROR = 'This parameter is required, please provide it';
export const DEFAULT_TIER_REPRESENTATION = 'Tier configuration approved';

export type TierConfigDeps = { tierTemplateId: string | undefined };

export function createTierConfigHandler(deps: TierConfigDeps): TierConfigHandler {
  return (request) => {
    const missing = request.params.filter(
      (param) => param.phase === 'ordering' && param.constraints?.required === true && !param.value?.trim(),
    );
    if (missing.length > 0) {
      throw new Inquire(Object.fromEntries(missing.map((param) => [param.id, MISSING_TIER_PARAM_ERROR])));
    }
    return deps.tierTemplateId
      ? approveWithTemplate(deps.tierTemplateId)
      : approveWithTile(DEFAULT_TIER_REPRESENTATION);
  };
}
