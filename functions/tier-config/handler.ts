import { createTierConfigFunction } from '../../lib/lambda';
import { createTierConfigHandler } from './tier-config';

export const handler = createTierConfigFunction(
  createTierConfigHandler({ tierTemplateId: process.env.CONNECT_TIER_TEMPLATE_ID?.trim() || undefined }),
);
