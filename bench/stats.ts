// Statistics and table rows for the benchmarks (pure; tested in tests/unit/bench-stats.test.ts).

export interface Row {
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  aim?: string;
  /** true when bigger is better (throughput): the ratio is value / baseline either way. */
  higherIsBetter?: boolean;
}

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function row(name: string, value: number, unit: string, baselineName: string, baseline: number, aim?: string, higherIsBetter = false): Row {
  return { name, value, unit, baselineName, baseline, aim, higherIsBetter };
}

/** value / baseline, formatted like "0.42x". */
export function ratio(r: Row): string {
  if (!Number.isFinite(r.baseline) || r.baseline === 0) return 'n/a';
  return `${(r.value / r.baseline).toFixed(2)}x`;
}
