import { histogramBucketMs } from '../query/plan/statements.js';
import { timesliceStart } from '../query/interpreter/timeslice.js';

export interface HistogramBucket {
  startTimestamp: number;
  length: number;
  count: number;
}

/**
 * Message counts over a search's range in round, zone-aligned buckets. Delivery is incremental as
 * in Sumo Logic: each `takeChanged()` returns only what was counted since the previous call, as
 * buckets whose `count` is the increment — a client sums counts per `startTimestamp`.
 */
export class Histogram {
  readonly bucketMs: number;
  private readonly counts = new Map<number, number>();
  private readonly pending = new Map<number, number>();

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly timeZone: string,
  ) {
    this.bucketMs = histogramBucketMs(from, to);
  }

  add(time: number, count = 1): void {
    if (time < this.from || time >= this.to) return;
    const start = timesliceStart(time, this.bucketMs, this.timeZone);
    this.counts.set(start, (this.counts.get(start) ?? 0) + count);
    this.pending.set(start, (this.pending.get(start) ?? 0) + count);
  }

  /** What was counted since the previous call, as increments per bucket. */
  takeChanged(): HistogramBucket[] {
    const out = [...this.pending]
      .sort((a, b) => a[0] - b[0])
      .map(([start, count]) => ({ startTimestamp: start, length: this.bucketMs, count }));
    this.pending.clear();
    return out;
  }

  /** Every non-empty bucket, oldest first. */
  all(): HistogramBucket[] {
    return [...this.counts]
      .sort((a, b) => a[0] - b[0])
      .map(([start, count]) => ({ startTimestamp: start, length: this.bucketMs, count }));
  }
}
