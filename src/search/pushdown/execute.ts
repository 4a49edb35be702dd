/**
 * Runs a plan's statements against a LogStore: message pages newest first, the records of a
 * pushed aggregate, and the histogram of a search as one GROUP BY.
 */
import { parseFixedOffset } from '../../query/interpreter/time-zone.js';
import { timesliceStart } from '../../query/interpreter/timeslice.js';
import { setKeyOrder, type Row, type Value } from '../../query/interpreter/values.js';
import type { LogStore, SearchWork, SelectRow } from '../../store/log-store.js';
import { userFields } from '../../store/internal-fields.js';
import type { PushdownPlan } from './plan.js';
import { statementOptions, type EngineTime, type RowBudget } from './row-budget.js';
import { id, param, raw, sql, type Sql } from '../../query/sql/tree.js';

/** Per-statement options: cancellation and engine settings (guards), and the search's row limit. */
export interface ExecuteOptions {
  signal?: AbortSignal | undefined;
  settings?: Record<string, string | number> | undefined;
  budget?: RowBudget | undefined;
  /** The search the statements are for (the store schedules searches fairly). */
  work?: SearchWork | undefined;
  /** Adds up the engine time of the statements. */
  engine?: EngineTime | undefined;
}

// Aliases must not shadow the columns the WHERE clause reads.
const MESSAGE_COLUMNS = raw(`toUnixTimestamp64Milli(ts) AS ts_ms, toUnixTimestamp64Milli(receipt_ts) AS receipt_ms, partition,
  source_category, source_host, source_name, collector, source, size, format, message, fields`);

/** A selected message as the interpreter's row (same shape and key order as search-job toRow). */
export function messageRow(r: SelectRow): Row {
  const row: Row = {
    _messageTime: Number(r.ts_ms),
    _receiptTime: Number(r.receipt_ms),
    _index: r.partition as string,
    _sourceCategory: r.source_category as string,
    _sourceHost: r.source_host as string,
    _sourceName: r.source_name as string,
    _collector: r.collector as string,
    _source: r.source as string,
    _size: Number(r.size),
    _format: r.format as string,
    _raw: r.message as string,
  };
  const fields = userFields(r.fields as Record<string, string>);
  for (const k in fields) row[k] = fields[k] as string;
  return row;
}

/**
 * The statement of one page of messages: the newest `limit` rows. It has no `WITH TIES`, which
 * keeps the engine's top-N optimisations (dynamic filtering of granules, lazy reading of the other
 * columns; measured on the 5M table: the first page of `*` over 24 h 79 ms instead of 1,435 ms,
 * of `timeout` over 7 days 256 ms instead of 1,614 ms). The rows of the page's last millisecond
 * come from `messageTiesSql`.
 */
export function messagePageSql(plan: PushdownPlan, limit: number, upper: number | undefined): Sql {
  const col = id(plan.timeColumn);
  const before = upper === undefined ? raw('') : sql` AND ${col} < fromUnixTimestamp64Milli(${param(upper, 'Int64')})`;
  return sql`SELECT ${MESSAGE_COLUMNS} FROM logs WHERE ${plan.where}${before} ORDER BY ${col} DESC LIMIT ${param(limit, 'UInt64')}`;
}

/** Every message of the plan at one millisecond (the last of a full page, which may hold only some of them). */
export function messageTiesSql(plan: PushdownPlan, at: number): Sql {
  const col = id(plan.timeColumn);
  return sql`SELECT ${MESSAGE_COLUMNS} FROM logs WHERE ${plan.where} AND ${col} = fromUnixTimestamp64Milli(${param(at, 'Int64')})`;
}

/**
 * Page sizes: a small first page (results show at once), then large ones. A later page reads the
 * range below it again, so fewer pages read less: with the default cap of 100,000 messages a
 * search needs at most one more (measured on the 5M table, `error` over 7 days: the cap reached
 * in 3.1–4.0 s, against 9.0–9.4 s in pages of 20,000). A page's rows are in memory at once.
 */
export const FIRST_PAGE = 100;
export const NEXT_PAGE = 100_000;

/**
 * The messages of a plan, newest first, in pages; a millisecond never splits across pages. Each
 * page is one statement; when it is full, its last millisecond may have more rows than it held,
 * so one more statement reads all rows at that millisecond and the ones the page lacked follow
 * it. The next page starts below that millisecond.
 */
export async function* messagePages(store: LogStore, plan: PushdownPlan, options: ExecuteOptions = {}): AsyncGenerator<Row[]> {
  let upper: number | undefined;
  let limit = FIRST_PAGE;
  const timeKey = plan.timeColumn === 'ts' ? 'ts_ms' : 'receipt_ms';
  const select = (statement: Sql): AsyncIterable<SelectRow[]> => {
    const selectOptions = statementOptions(options);
    return store.select(statement, plan.pageSettings ? { ...selectOptions, settings: { ...selectOptions.settings, ...plan.pageSettings } } : selectOptions);
  };
  for (;;) {
    if (options.signal?.aborted) return;
    // The statement's whole result is in memory once it ends (the store reads it in one piece).
    const page: SelectRow[] = [];
    for await (const batch of select(messagePageSql(plan, limit, upper))) page.push(...batch);
    const tail = page[page.length - 1];
    if (page.length < limit || tail === undefined) {
      if (page.length > 0) yield page.map(messageRow);
      return;
    }
    // The whole page goes out at once (a first page shows without waiting for the next statement);
    // of its last millisecond's rows, the ties statement then adds those the page did not hold.
    // Rows alike in every column are interchangeable, so they are matched by count.
    const last = Number(tail[timeKey]);
    const held = new Map<string, number>();
    for (const r of page) {
      if (Number(r[timeKey]) !== last) continue;
      const key = JSON.stringify(r);
      held.set(key, (held.get(key) ?? 0) + 1);
    }
    yield page.map(messageRow);
    if (options.signal?.aborted) return;
    for await (const batch of select(messageTiesSql(plan, last))) {
      const more = batch.filter((r) => {
        const key = JSON.stringify(r);
        const n = held.get(key) ?? 0;
        if (n > 0) held.set(key, n - 1);
        return n === 0;
      });
      if (more.length > 0) yield more.map(messageRow);
    }
    upper = last;
    limit = NEXT_PAGE;
  }
}

/**
 * The records of an aggregate plan (key and output names as the interpreter names them). A
 * combined statement also carries the histogram rows (`gh` = 0), which go to `onHistogram`.
 */
export async function* aggregateRecords(
  store: LogStore,
  plan: PushdownPlan,
  options: ExecuteOptions & { onHistogram?: (time: number, count: number) => void } = {},
): AsyncGenerator<Row[]> {
  const agg = plan.aggregate;
  if (agg === undefined) return;
  const fromRecords = agg.histogramFromRecords;
  // Records are built in column order; the order hint is needed only where JavaScript would list
  // keys otherwise (integer-like names come first).
  const needsHint = agg.columns.some((name) => /^(?:0|[1-9]\d*)$/.test(name));
  for await (const batch of store.select(agg.statement, statementOptions(options))) {
    const records: Row[] = [];
    for (const r of batch) {
      if (agg.withHistogram && Number(r.gh) === 0) {
        options.onHistogram?.(Number(r.ht), Number(r.hn));
        continue;
      }
      // The first slice may start before the range; its rows (and its bucket) are those of `from`.
      if (fromRecords !== undefined) {
        options.onHistogram?.(Math.max(fromRecords.from, Number(r[`c${fromRecords.sliceColumn}`])), Number(r[`c${fromRecords.countColumn}`]));
      }
      const out: Row = {};
      agg.columns.forEach((name, i) => (out[name] = (r[`c${i}`] ?? null) as Value));
      records.push(needsHint ? setKeyOrder(out, agg.columns) : out);
    }
    if (records.length > 0) yield records;
  }
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
  const key = histogramKeySql(sql`toUnixTimestamp64Milli(${id(plan.timeColumn)})`, bucketMs, timeZone, from, to);
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

/** Runs the histogram statement: (a time in the bucket, count) per group. */
export async function histogramCounts(
  store: LogStore,
  statement: Sql,
  options: ExecuteOptions = {},
): Promise<{ time: number; count: number }[]> {
  const out: { time: number; count: number }[] = [];
  for await (const batch of store.select(statement, statementOptions(options))) {
    for (const r of batch) out.push({ time: Number(r.t), count: Number(r.n) });
  }
  return out;
}
