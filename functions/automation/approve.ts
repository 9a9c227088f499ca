/** The seed's logic for suspend, resume, cancel and adjustment: approve, with the tile "Activation succeeded". */
import type { FulfillmentHandler } from '../../lib/automation';

export const approve: FulfillmentHandler = () => undefined;
