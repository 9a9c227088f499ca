/**
 * The port to the vendor's own system, and the demo implementation that ships with the seed.
 * A real vendor replaces `createDemoProvisioner` with a call to their provisioning API.
 */
import { createHash } from 'node:crypto';
import { type FulfillmentRequest, paramValue } from '../../lib/automation';

/** Provisioned (the key to write), or still in progress in the vendor's system (ask again later). */
export type Provisioning = { activationKey: string } | { inProgress: true; retryAfterSeconds: number };

export interface Provisioner {
  /**
   * Creates the customer's account for this subscription. Must be idempotent on the asset id: Lambda may
   * run a purchase twice (retries), and the purchase handler only calls it when no ActivationKey exists yet.
   */
  provision(request: FulfillmentRequest): Promise<Provisioning>;
}

/**
 * The demo's slow provisioning: a purchase with this parameter set to `slow` is in progress twice first (set to
 * a number, that many times). Set to `broken`, the demo vendor system throws every time (a bug that always
 * fails: retried, then parked).
 */
export const DEMO_PROVISIONING_PARAM = 'demo_provisioning';

export type DemoProvisionerOptions = {
  onProvision?: (request: FulfillmentRequest) => void;
  /** How often a slow provisioning answers "in progress" before it completes. Default 2. */
  slowAnswers?: number;
  /** The wait it asks for each time. Default 2 s. */
  retryAfterSeconds?: number;
};

/**
 * Derives a stable activation key from the asset id: the same subscription always gets the same key. A
 * purchase marked `demo_provisioning: slow` is "in progress" for its first answers; the count is kept in
 * memory, as a real vendor system keeps it in its own state.
 */
export function createDemoProvisioner(options: DemoProvisionerOptions = {}): Provisioner {
  const asked = new Map<string, number>();
  return {
    async provision(request) {
      options.onProvision?.(request);
      const slow = paramValue(request, DEMO_PROVISIONING_PARAM);
      if (slow === 'broken') throw new Error('The demo vendor system is broken for this subscription');
      const answers =
        slow === 'slow' ? (options.slowAnswers ?? 2) : /^\d+$/.test(slow ?? '') ? Number(slow) : 0;
      if (answers > 0) {
        const count = (asked.get(request.asset.id) ?? 0) + 1;
        asked.set(request.asset.id, count);
        if (count <= answers) {
          return { inProgress: true, retryAfterSeconds: options.retryAfterSeconds ?? 2 };
        }
      }
      const digest = createHash('sha256').update(request.asset.id).digest('hex').toUpperCase();
      return { activationKey: `FB-${digest.slice(0, 4)}-${digest.slice(4, 8)}-${digest.slice(8, 12)}` };
    },
  };
}
