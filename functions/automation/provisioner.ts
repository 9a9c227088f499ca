/**
 * The port to the vendor's own system, and the demo implementation that ships with the seed.
 * A real vendor replaces `createDemoProvisioner` with a call to their provisioning API.
 */
import { createHash } from 'node:crypto';
import type { FulfillmentRequest } from '../../lib/automation';

export type Provisioning = { activationKey: string };

export interface Provisioner {
  /**
   * Creates the customer's account for this subscription. Must be idempotent on the asset id: Lambda may
   * run a purchase twice (retries), and the purchase handler only calls it when no ActivationKey exists yet.
   */
  provision(request: FulfillmentRequest): Promise<Provisioning>;
}

/** Derives a stable activation key from the asset id: the same subscription always gets the same key. */
export function createDemoProvisioner(onProvision?: (request: FulfillmentRequest) => void): Provisioner {
  return {
    async provision(request) {
      onProvision?.(request);
      const digest = createHash('sha256').update(request.asset.id).digest('hex').toUpperCase();
      return { activationKey: `FB-${digest.slice(0, 4)}-${digest.slice(4, 8)}-${digest.slice(8, 12)}` };
    },
  };
}
