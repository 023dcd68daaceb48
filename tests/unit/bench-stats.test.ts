import { describe, expect, it } from 'vitest';
import { percentile, ratio, row } from '../../bench/stats.js';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('formats ratios against the baseline', () => {
    expect(ratio(row('x', 5, 'ms', 'b', 20))).toBe('0.25x');
    expect(ratio(row('x', 5, 'ms', 'b', 0))).toBe('n/a');
  });
});
