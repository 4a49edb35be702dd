/**
 * Percentile by the nearest-rank method: the smallest value v such that at least p% of the
 * values are ≤ v, i.e. the ⌈p/100·n⌉-th smallest (1-based; p=0 → the minimum). It is exact and
 * always returns an observed value. Sumo documents pct as exact below 1,000 points and t-digest
 * above without naming its interpolation; nearest rank is our choice, and it agrees with
 * angle-grinder's p10/p90 test. median = pct 50 (for an even count: the lower middle value).
 */
export function nearestRankPercentile(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (p <= 0) return sorted[0] as number;
  if (p >= 100) return sorted[n - 1] as number;
  const rank = Math.ceil((p / 100) * n - 1e-9);
  return sorted[Math.max(0, Math.min(n - 1, rank - 1))] as number;
}
