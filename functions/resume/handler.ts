/** The seed's resume logic: approve (returning nothing approves with the tile "Activation succeeded"). */
import { createFulfillmentFunction } from '../../lib/lambda';

export const handler = createFulfillmentFunction(() => undefined);
