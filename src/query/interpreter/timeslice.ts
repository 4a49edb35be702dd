/**
 * Clock-aligned time buckets. A bucket is aligned on the wall clock of the query's time zone:
 * `1h` starts at hh:00 local, `1d` at local midnight, `1w` on Monday 00:00 local (ISO weeks).
 * Sizes that do not divide a day are aligned on multiples of the size counted from the Unix
 * epoch in local wall-clock time. Across a DST change a `1d` bucket is 23 or 25 hours long,
 * which is the "two buckets on the same day" effect Sumo documents.
 */
import { fromWallClock, zoneOffset } from './time-zone.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** 1970-01-05 was a Monday. */
const MONDAY_EPOCH = 4 * DAY;

/** Start (epoch ms) of the bucket of `sizeMs` containing `epochMs`, aligned in `timeZone`. */
export function timesliceStart(epochMs: number, sizeMs: number, timeZone: string): number {
  if (!(sizeMs > 0)) return epochMs;
  const local = epochMs + zoneOffset(timeZone, epochMs);
  let startLocal: number;
  if (sizeMs % WEEK === 0) {
    startLocal = Math.floor((local - MONDAY_EPOCH) / sizeMs) * sizeMs + MONDAY_EPOCH;
  } else {
    startLocal = Math.floor(local / sizeMs) * sizeMs;
  }
  // Sub-hour buckets are pure arithmetic on the instant when the offset is whole hours; using
  // the wall clock keeps them right for +05:30 / +05:45 zones as well.
  const start = fromWallClock(startLocal, timeZone);
  // A bucket start that falls into a DST gap maps after the instant; step one bucket back.
  return start > epochMs ? fromWallClock(startLocal - sizeMs, timeZone) : start;
}

/** Start of the bucket after the one starting at `start` (wall-clock arithmetic). */
export function nextTimeslice(start: number, sizeMs: number, timeZone: string): number {
  const local = start + zoneOffset(timeZone, start);
  const next = fromWallClock(local + sizeMs, timeZone);
  return next > start ? next : start + sizeMs;
}

/** Round granularities `timeslice N buckets` chooses from (our list; Sumo's is unpublished). */
export const BUCKET_SIZES_MS: readonly number[] = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
  60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
  3_600_000, 2 * 3_600_000, 3 * 3_600_000, 4 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000,
  DAY, 2 * DAY, WEEK,
];

/**
 * `timeslice N buckets`: the smallest round size from `BUCKET_SIZES_MS` that covers the range in
 * at most N buckets (beyond a week: whole weeks).
 */
export function sizeForBuckets(rangeMs: number, buckets: number): number {
  const target = rangeMs / Math.max(1, buckets);
  for (const s of BUCKET_SIZES_MS) if (s >= target) return s;
  return Math.ceil(target / WEEK) * WEEK;
}

/** All bucket starts from the bucket containing `from` up to (excluding) `to`. */
export function timesliceRange(from: number, to: number, sizeMs: number, timeZone: string): number[] {
  const out: number[] = [];
  let t = timesliceStart(from, sizeMs, timeZone);
  while (t < to && out.length < 100_000) {
    out.push(t);
    t = nextTimeslice(t, sizeMs, timeZone);
  }
  return out;
}
