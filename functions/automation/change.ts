/** The seed's change logic: log what was added, changed and removed, then approve. */
import {
  changedItems,
  type FulfillmentHandler,
  newItems,
  quantityDelta,
  removedItems,
} from '../../lib/automation';

export const logChanges: FulfillmentHandler = (request, ctx) => {
  const describe = (items: ReturnType<typeof newItems>) =>
    items.map((item) => ({
      id: item.id,
      mpn: item.mpn,
      quantity: item.quantity,
      delta: quantityDelta(item),
    }));
  ctx.logger.info('Change request items', {
    added: describe(newItems(request)),
    changed: describe(changedItems(request)),
    removed: describe(removedItems(request)),
  });
};
