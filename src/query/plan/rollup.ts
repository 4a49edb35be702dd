/**
 * The rollup form of an aggregate: counts read from the store's per-minute counts (the
 * `minute_counts` projection: rows per partition, category and minute, with the newest time)
 * instead of from the rows. It applies when every answer is a function of those: the scope names
 * only `_index` / `_sourceCategory`, the group keys are those fields or timeslices of whole minutes,
 * every aggregate is a plain `count`, and the histogram's buckets are whole minutes.
 *
 * A search range rarely starts and ends on a minute: the whole minutes inside it are read from
 * the counts, and the rows of the partial minutes at either end from the table, in the same
 * statement. Both pieces group by the same keys, computed from the row's minute (a bucket of whole
 * minutes holds a row exactly when it holds the row's minute).
 */
import type { AggregateStage, ScopeExpr } from '../ast.js';
import { parseFixedOffset } from '../interpreter/time-zone.js';
import { countsEveryRow, type AggregateSql, type ComputedFields } from './aggregate-sql.js';
import { histogramKeySql } from './statements.js';
import { metadataColumn } from './fields.js';
import { id, join, param, raw, sql, timeCompare, type Sql } from '../sql/tree.js';

const MINUTE = 60_000;
/** Every zone offset since mid-1972 is whole minutes (histogramKeySql relies on the same). */
const WHOLE_MINUTE_OFFSETS_FROM = Date.UTC(1972, 6, 1);
/** The projection's minute is a DateTime (seconds, UInt32): ranges must end before 2106. */
const DATETIME_END = 4_294_967_295_000 - MINUTE;

/** The per-row time every rollup key is computed from: the start of the row's minute, epoch ms. */
export const MINUTE_MS_SQL: Sql = raw('(toInt64(toUnixTimestamp(toStartOfMinute(`ts`))) * 1000)');

/**
 * Ranges estimated to hold fewer rows count from the rows. Measured on 5M rows (7 days, 50
 * categories), median of 7:
 * - a range with partial minutes at its ends pays two reads of rows for them: `count by
 *   _sourceCategory` over 24 h (714k rows) took 27 ms from the rows and 35 ms as a rollup; over
 *   7 days 98 vs 45 ms;
 * - a range of whole minutes has no such reads: at 6 h (180k rows) both took about the same
 *   (22.6 vs 24.2 ms), at 24 h the rollup was faster (32 vs 27 ms; 1-minute slices 21 vs 16 ms).
 */
export const ROLLUP_MIN_ROWS = { partialMinutes: 2_000_000, wholeMinutes: 500_000 };

/**
 * Whether a search over [from, to) holding about `estimatedRows` rows counts from the per-minute
 * counts (when its plan allows): `minRows` overrides both thresholds.
 */
export function worthRollup(estimatedRows: number, from: number, to: number, minRows?: number): boolean {
  const whole = from % MINUTE === 0 && to % MINUTE === 0;
  return (
    estimatedRows >= (minRows ?? (whole ? ROLLUP_MIN_ROWS.wholeMinutes : ROLLUP_MIN_ROWS.partialMinutes))
  );
}

/** Columns the per-minute counts are grouped by (besides the minute). */
const ROLLUP_COLUMNS = new Set(['partition', 'source_category']);

/** True when the scope restricts only `_index` and `_sourceCategory` (or nothing). */
export function scopeOnRollupColumns(scope: ScopeExpr | undefined): boolean {
  if (scope === undefined) return true;
  switch (scope.kind) {
    case 'ScopeTerm':
      return /^\*+$/.test(scope.text);
    case 'ScopePhrase':
      return scope.value === '';
    case 'ScopeFieldMatch':
      return ROLLUP_COLUMNS.has(metadataColumn(scope.field.name) ?? '');
    case 'ScopeNot':
      return scopeOnRollupColumns(scope.operand);
    case 'ScopeAnd':
    case 'ScopeOr':
      return scope.operands.every(scopeOnRollupColumns);
    default:
      return false;
  }
}

/** What the rollup form needs from the planner. */
export interface RollupInput {
  stage: AggregateStage;
  agg: AggregateSql;
  computed: ComputedFields;
  /** the pushed scope (over partition / source_category only), if any */
  scopeSql: Sql | undefined;
  from: number;
  to: number;
  timeZone: string;
  /** the histogram's bucket size, or undefined when the records already hold the histogram */
  histogramBucketMs: number | undefined;
}

/** The rollup statement: records (and histogram rows, `gh` = 0, when asked), or why not. */
export interface RollupStatement {
  statement: Sql;
  withHistogram: boolean;
}

/** Whole minutes of a fixed-offset zone line up with UTC minutes (every offset since 1972 does). */
function zoneInWholeMinutes(timeZone: string): boolean {
  const offset = parseFixedOffset(timeZone);
  return offset === null || offset % MINUTE === 0;
}

/** Builds the rollup statement of an aggregate, or says why it cannot be used. */
export function rollupAggregate(input: RollupInput): RollupStatement | string {
  const { stage, agg, computed, from, to } = input;
  if (from < WHOLE_MINUTE_OFFSETS_FROM || to > DATETIME_END) return 'the range is outside 1972–2106';
  const first = Math.ceil(from / MINUTE) * MINUTE;
  const last = Math.floor(to / MINUTE) * MINUTE;
  if (first >= last) return 'the range holds no whole minute';
  if (!zoneInWholeMinutes(input.timeZone)) return 'the zone offset is not whole minutes';
  if (!stage.aggregations.every(countsEveryRow)) return 'an aggregate other than count';
  const keys: Sql[] = [];
  for (const [i, key] of stage.groupBy.entries()) {
    const sliceMs = agg.keySliceMs[i];
    const slice = computed.get(key.name.toLowerCase());
    if (sliceMs !== undefined && slice !== undefined) {
      if (sliceMs % MINUTE !== 0) return 'a timeslice shorter than a minute or not whole minutes';
      // A key that cannot be computed from the row's minute would answer right but never from the counts.
      if (slice.sliceOf === undefined) return `timeslice ${key.name} is not computed from the row's time`;
      keys.push(slice.sliceOf(MINUTE_MS_SQL));
      continue;
    }
    const column = metadataColumn(key.name);
    if (slice !== undefined || column === undefined || !ROLLUP_COLUMNS.has(column))
      return `group key ${key.name}`;
    keys.push(raw(column));
  }
  const bucketMs = input.histogramBucketMs;
  if (bucketMs !== undefined && bucketMs % MINUTE !== 0) return 'histogram buckets shorter than a minute';

  // The whole minutes from the counts (the condition names the projection's minute), the partial
  // minutes at the ends from the rows.
  const scope = input.scopeSql === undefined ? [] : [input.scopeSql];
  const minutes = sql`toStartOfMinute(\`ts\`) >= toDateTime(${param(first / 1000, 'Int64')}, 'UTC') AND toStartOfMinute(\`ts\`) < toDateTime(${param(last / 1000, 'Int64')}, 'UTC')`;
  const ends: Sql[] = [];
  const rows = (lo: number, hi: number): Sql =>
    sql`(${timeCompare('ts', '>=', param(lo, 'Int64'))} AND ${timeCompare('ts', '<', param(hi, 'Int64'))})`;
  if (first > from) ends.push(rows(from, first));
  if (last < to) ends.push(rows(last, to));
  const pieces = [minutes, ...(ends.length === 0 ? [] : [sql`(${join(ends, ' OR ')})`])].map((w) => join([...scope, w], ' AND '));

  // Each piece groups by the keys (and the histogram bucket); the outer statement adds the pieces
  // up. One read of the partial minutes serves both the records and the histogram.
  const r = keys.map((_, i) => id(`r${i}`));
  const perPiece = keys.map((k, i) => sql`${k} AS ${r[i] as Sql}`);
  const pieceKeys = [...r];
  const histogram = bucketMs === undefined ? undefined : histogramKeySql(MINUTE_MS_SQL, bucketMs, input.timeZone, from, to);
  if (histogram !== undefined) {
    perPiece.push(sql`${histogram.key} AS ${id('h')}`);
    pieceKeys.push(id('h'));
  }
  const pieceGroup = pieceKeys.length === 0 ? raw('') : sql` GROUP BY ${join(pieceKeys, ', ')}`;
  // Groups newest first, as the rows form orders them: by slice for a single timeslice key, else by
  // the newest row (`mt`, read only then).
  const singleSlice = keys.length === 1 && agg.keySliceMs[0] !== undefined;
  const newest = histogram !== undefined || (keys.length > 0 && !singleSlice);
  const perRow = [...perPiece, raw('count() AS `n`'), ...(newest ? [raw('max(`ts`) AS `mt`')] : [])];
  const inner = join(
    pieces.map((w) => sql`SELECT ${join(perRow, ', ')} FROM logs WHERE ${w}${pieceGroup}`),
    ' UNION ALL ',
  );
  const outputs = (value: Sql): Sql[] => stage.aggregations.map((_, j) => sql`${value} AS ${id(`c${keys.length + j}`)}`);
  const select = [...r.map((alias, i) => sql`${alias} AS ${id(`c${i}`)}`), ...outputs(raw('toFloat64(sum(`n`))'))];
  if (histogram === undefined) {
    const group = keys.length === 0 ? raw('') : sql` GROUP BY ${join(r, ', ')}`;
    const order = keys.length === 0 ? raw('') : sql` ORDER BY ${singleSlice ? (r[0] as Sql) : raw('max(`mt`)')} DESC`;
    if (pieces.length === 1) {
      // Whole minutes only: one GROUP BY over the counts, nothing to add up (measured 18 vs 24 ms
      // for 1-minute slices over a day of 714k rows).
      const c = keys.map((_, i) => id(`c${i}`));
      const flat = [...keys.map((k, i) => sql`${k} AS ${c[i] as Sql}`), ...outputs(raw('toFloat64(count())'))];
      const flatGroup = keys.length === 0 ? raw('') : sql` GROUP BY ${join(c, ', ')} ORDER BY ${singleSlice ? (c[0] as Sql) : raw('max(`ts`)')} DESC`;
      return { statement: sql`SELECT ${join(flat, ', ')} FROM logs WHERE ${pieces[0] as Sql}${flatGroup}`, withHistogram: false };
    }
    return { statement: sql`SELECT ${join(select, ', ')} FROM (${inner})${group}${order}`, withHistogram: false };
  }
  select.push(sql`${histogram.timeOf(id('h'))} AS \`ht\``, raw('sum(`n`) AS `hn`'), raw('grouping(`h`) AS `gh`'));
  return {
    statement: sql`SELECT ${join(select, ', ')} FROM (${inner}) GROUP BY GROUPING SETS ((${join(r, ', ')}), (${id('h')})) ORDER BY max(\`mt\`) DESC`,
    withHistogram: true,
  };
}
