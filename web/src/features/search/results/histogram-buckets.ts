import type { HistogramBucket } from '../../../../../src/protocol/search.js';

/** Sums the increments per bucket start, in time order. */
export function sumBuckets(buckets: readonly HistogramBucket[]): HistogramBucket[] {
  const byStart = new Map<number, HistogramBucket>();
  for (const b of buckets) {
    const seen = byStart.get(b.startTimestamp);
    byStart.set(b.startTimestamp, { startTimestamp: b.startTimestamp, length: b.length, count: (seen?.count ?? 0) + b.count });
  }
  return [...byStart.values()].sort((a, b) => a.startTimestamp - b.startTimestamp);
}
