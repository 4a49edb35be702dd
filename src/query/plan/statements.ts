/**
 * The statements of a plan that the search runs besides its records: pages of messages (newest
 * first), the ties of a page's last millisecond, and the histogram's counts.
 */
import { parseFixedOffset } from '../interpreter/time-zone.js';
import { sizeForBuckets, timesliceStart } from '../interpreter/timeslice.js';
import { allFields, id, param, raw, rowCount, sql, timeCompare, timeMs, type Sql } from '../sql/tree.js';
import type { PushdownPlan } from './plan.js';

/** Number of histogram buckets a search aims for over its range. */
export const TARGET_BUCKETS = 120;

/** The histogram's bucket size for a range [from, to): round, about TARGET_BUCKETS of them. */
export function histogramBucketMs(from: number, to: number): number {
  return sizeForBuckets(Math.max(1, to - from), TARGET_BUCKETS);
}

// Aliases must not shadow the columns the WHERE clause reads.
const MESSAGE_COLUMNS = sql`${timeMs('ts')} AS ts_ms, ${timeMs('receipt_ts')} AS receipt_ms, partition,
  source_category, source_host, source_name, collector, source, size, format, message, ${allFields()} AS fields`;

/**
 * The statement of one page of messages: the newest `limit` rows. It has no `WITH TIES`, which
 * keeps the engine's top-N optimisations (dynamic filtering of granules, lazy reading of the other
 * columns; measured on the 5M table: the first page of `*` over 24 h 79 ms instead of 1,435 ms,
 * of `timeout` over 7 days 256 ms instead of 1,614 ms). The rows of the page's last millisecond
 * come from `messageTiesSql`.
 */
export function messagePageSql(plan: PushdownPlan, limit: number, upper: number | undefined): Sql {
  const col = id(plan.timeColumn);
  const before = upper === undefined ? raw('') : sql` AND ${timeCompare(plan.timeColumn, '<', param(upper, 'Int64'))}`;
  return sql`SELECT ${MESSAGE_COLUMNS} FROM logs WHERE ${plan.where}${before} ORDER BY ${col} DESC LIMIT ${rowCount(limit)}`;
}

/** Every message of the plan at one millisecond (the last of a full page, which may hold only some of them). */
export function messageTiesSql(plan: PushdownPlan, at: number): Sql {
  return sql`SELECT ${MESSAGE_COLUMNS} FROM logs WHERE ${plan.where} AND ${timeCompare(plan.timeColumn, '=', param(at, 'Int64'))}`;
}

const MINUTE = 60_000;
/** Every zone offset since 1972 is whole minutes (Monrovia was the last with seconds). */
const WHOLE_MINUTE_OFFSETS_FROM = Date.UTC(1972, 6, 1);

/**
 * One statement counting the plan's matches per histogram bucket. Rows are grouped by the
 * bucket itself (fixed-offset zones) or by a unit that never straddles a bucket boundary
 * (minutes or seconds); each group reports a time inside its bucket, which the caller buckets.
 */
export function histogramSql(plan: PushdownPlan, bucketMs: number, timeZone: string, from: number, to?: number): Sql {
  const key = histogramKeySql(timeMs(plan.timeColumn), bucketMs, timeZone, from, to);
  return sql`SELECT ${key.timeOf(id('k'))} AS t, count() AS n FROM logs WHERE ${plan.where} GROUP BY ${key.key} AS ${id('k')}`;
}

/** A histogram grouping key, and per group a time inside the group's bucket (and the range). */
export interface HistogramKeySql {
  /** the key of a row, from its epoch milliseconds */
  key: Sql;
  /** a time (epoch ms, Int64) in the bucket of every row of the group whose key is `key` */
  timeOf: (key: Sql) => Sql;
}

/**
 * The histogram grouping key of epoch milliseconds `ms` (rows in [from, to)): the bucket's number
 * counted from the bucket of `from` (fixed-offset zones), else the number of a unit that never
 * straddles a bucket boundary (minutes, or seconds before mid-1972). A group's time is computed
 * from its key, not aggregated row by row; with `to` known a small bucket number is a UInt16,
 * which ClickHouse groups by array index instead of hashing.
 */
export function histogramKeySql(ms: Sql, bucketMs: number, timeZone: string, from: number, to?: number): HistogramKeySql {
  const isFixed = parseFixedOffset(timeZone) !== null && Number.isInteger(bucketMs) && bucketMs > 0;
  const unit = isFixed ? bucketMs : bucketMs % MINUTE === 0 && from >= WHOLE_MINUTE_OFFSETS_FROM ? MINUTE : 1000;
  // The first bucket (or unit) starts at or before `from`, so (ms - anchor) is never negative.
  const anchor = isFixed ? timesliceStart(from, bucketMs, timeZone) : Math.floor(from / unit) * unit;
  const a = param(anchor, 'Int64');
  const u = param(unit, 'Int64');
  const f = param(from, 'Int64');
  const number = sql`intDiv(${ms} - ${a}, ${u})`;
  const isSmall = to !== undefined && (to - anchor) / unit < 65_000;
  return {
    key: isSmall ? sql`toUInt16(${number})` : number,
    // The first group's start may lie before `from`; `from` is in the same bucket.
    timeOf: (key) => sql`greatest(${f}, ${a} + toInt64(${key}) * ${u})`,
  };
}
