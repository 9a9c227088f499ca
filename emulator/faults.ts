/**
 * Fault injection for the Connect API routes: latency, injected 5xx, 429 and never-answered calls.
 * Deterministic for a given seed (mulberry32): one draw decides each call.
 */
import { z } from 'zod';

export const FaultConfigSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
  rateLimitRate: z.number().min(0).max(1).default(0),
  timeoutRate: z.number().min(0).max(1).default(0),
  seed: z.number().int().default(1),
});
export type FaultConfig = z.output<typeof FaultConfigSchema>;
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'rateLimit' }
  | { kind: 'timeout' };

export type InjectedCounts = { errors: number; rateLimits: number; timeouts: number };

/** mulberry32: a tiny, well-known seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ERROR_STATUSES = [500, 502, 503] as const;

export class FaultInjector {
  private current: FaultConfig = FaultConfigSchema.parse({});
  private random = mulberry32(this.current.seed);
  private counts: InjectedCounts = { errors: 0, rateLimits: 0, timeouts: 0 };

  get config(): FaultConfig {
    return { ...this.current };
  }

  get injected(): InjectedCounts {
    return { ...this.counts };
  }

  /** Replaces the whole configuration (missing fields fall back to "no fault") and re-seeds. */
  configure(config: FaultConfig): void {
    this.current = { ...config };
    this.random = mulberry32(config.seed);
  }

  reset(): void {
    this.configure(FaultConfigSchema.parse({}));
    this.counts = { errors: 0, rateLimits: 0, timeouts: 0 };
  }

  decide(): FaultDecision {
    const { timeoutRate, errorRate, rateLimitRate } = this.current;
    if (timeoutRate + errorRate + rateLimitRate === 0) return { kind: 'none' };
    const draw = this.random();
    if (draw < timeoutRate) {
      this.counts.timeouts += 1;
      return { kind: 'timeout' };
    }
    if (draw < timeoutRate + errorRate) {
      this.counts.errors += 1;
      const status = ERROR_STATUSES[Math.floor(this.random() * ERROR_STATUSES.length)] ?? 503;
      return { kind: 'error', status };
    }
    if (draw < timeoutRate + errorRate + rateLimitRate) {
      this.counts.rateLimits += 1;
      return { kind: 'rateLimit' };
    }
    return { kind: 'none' };
  }
}
