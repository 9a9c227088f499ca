import { describe, expect, it } from 'vitest';
import { formatTable, growth, median, percentile, ratio, runBounded } from '../../bench/stats';

describe('percentile', () => {
  it('takes the nearest rank of unsorted samples', () => {
    // Prepare
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    // Act
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const p0 = percentile(samples, 0);

    // Assess
    expect(p50).toBe(5);
    expect(p99).toBe(10);
    expect(p0).toBe(1);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('gives NaN for no samples and refuses a p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
  });
});

describe('ratio and growth', () => {
  it('rounds a ratio and guards a zero divisor', () => {
    expect(ratio(2, 3)).toBe(0.67);
    expect(ratio(1, 0)).toBeNaN();
  });

  it('measures relative growth', () => {
    expect(growth(100, 105)).toBeCloseTo(0.05);
    expect(growth(100, 90)).toBeCloseTo(-0.1);
    expect(growth(0, 1)).toBeNaN();
  });
});

describe('formatTable', () => {
  it('pads columns to the widest cell under a rule', () => {
    const text = formatTable([
      ['a', 'bb'],
      ['ccc', 'd'],
    ]);
    expect(text.split('\n')).toEqual(['a    bb', '---  --', 'ccc  d']);
  });
});

describe('runBounded', () => {
  it('never runs more than the limit at once and runs every item once', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];

    // Act
    await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight -= 1;
    });

    // Assess
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
