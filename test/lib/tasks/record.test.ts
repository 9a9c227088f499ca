/** The failure policy that the type functions and the dispatcher share (lib/tasks/record.ts). */
import { describe, expect, it } from 'vitest';
import { failureDecision } from '../../../lib/tasks';

const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const policy = { maxFailures: 5, failureRetrySeconds: 30 };

describe('failureDecision', () => {
  it('counts this failure and makes the request due after a backoff that doubles, capped at an hour', () => {
    const waits = [0, 1, 2, 3].map((before) => failureDecision(before, { ...policy, maxFailures: 99 }, NOW));
    expect(waits.map((decision) => decision.failures)).toEqual([1, 2, 3, 4]);
    expect(waits.map((decision) => (decision.park ? 'park' : decision.retrySeconds))).toEqual([
      30, 60, 120, 240,
    ]);
    expect(waits[0]).toMatchObject({ park: false, dueAt: NOW + 30_000 });
    expect(failureDecision(20, { ...policy, maxFailures: 99 }, NOW)).toMatchObject({ retrySeconds: 3_600 });
  });

  it('parks at the policy limit, not one before', () => {
    expect(failureDecision(3, policy, NOW)).toMatchObject({ failures: 4, park: false });
    expect(failureDecision(4, policy, NOW)).toEqual({ failures: 5, park: true });
    expect(failureDecision(0, { ...policy, maxFailures: 1 }, NOW)).toEqual({ failures: 1, park: true });
  });
});
