/**
 * The planner: pushes the longest supported prefix of a query into one SQL statement over the
 * `logs` table and leaves the rest to the interpreter. Two shapes:
 * - messages: WHERE time range AND scope, newest first; every stage runs in JS (streamed);
 * - aggregate: the scope, timeslice and the first aggregate (or the count of a `top` that counts)
 *   run as one GROUP BY statement; the stages after it (sort, where, eval, limit, top, and that
 *   top's ranking) run in JS over the records.
 */
import type { AggregateStage, Query, ScopeExpr, Stage, TopStage } from '../../query/ast.js';
import { topForm } from '../../query/interpreter/top-form.js';
import { pushAggregate, pushParseRegex, pushTimeslice, whereSql, type AggregateContext, type ComputedFields } from './aggregate-sql.js';
import type { PushdownCapabilities } from './capabilities.js';
import { scopeToSql, type IndexNarrowing } from './scope-sql.js';
import { sizeForBuckets, timesliceStart } from '../../query/interpreter/timeslice.js';
import { parseFixedOffset } from '../../query/interpreter/time-zone.js';
import { TARGET_BUCKETS } from '../histogram.js';
import { histogramKeySql } from './execute.js';
import { metadataColumn } from './fields.js';
import { rollupAggregate, scopeOnRollupColumns } from './rollup.js';
import { ParamBinder, quoteIdentifier } from './sql.js';

/**
 * The one-statement form of an aggregate with pushed timeslice keys: each such key is grouped by
 * its slice number counted from the range's first slice (a UInt16, which ClickHouse groups by array
 * index instead of hashing the Int64 start: 40 vs 47 ms median for 1 m slices over 714k rows,
 * measured) and the slice start is computed per group. Only for message-time ranges (a row's
 * number is then never negative) of fewer than 65,000 slices, and keys whose per-row value no
 * other output reads. The staged (sliced) form keeps the plain keys.
 */
function sliceNumberKeys(
  agg: { select: string[]; groupBy: string[]; keySliceMs: (number | undefined)[] },
  inner: readonly string[],
  order: string | undefined,
  ctx: PlanContext,
  binder: ParamBinder,
): { inner: string[]; select: string[]; groupBy: string[]; order: string | undefined } {
  const out = { inner: [...inner], select: [...agg.select], groupBy: [...agg.groupBy], order };
  agg.keySliceMs.forEach((sizeMs, i) => {
    if (sizeMs === undefined || parseFixedOffset(ctx.timeZone) === null) return;
    const anchor = timesliceStart(ctx.from, sizeMs, ctx.timeZone);
    if (!((ctx.to - anchor) / sizeMs < 65_000)) return;
    const m = /^(`v\d+`) AS (`c\d+`)$/.exec(out.select[i] ?? '');
    if (m === null) return;
    const [, value, column] = m as unknown as [string, string, string];
    if (out.select.some((item, j) => j !== i && item.includes(value))) return;
    const at = out.inner.findIndex((item) => item.endsWith(` AS ${value}`));
    if (at < 0) return;
    const a = binder.bind(anchor, 'Int64');
    const size = binder.bind(sizeMs, 'Int64');
    out.inner[at] = `toUInt16(intDiv(toUnixTimestamp64Milli(\`ts\`) - ${a}, ${size})) AS ${value}`;
    out.select[i] = `${a} + toInt64(${value}) * ${size} AS ${column}`;
    out.groupBy[i] = value;
    if (out.order === `${column} DESC`) out.order = `${value} DESC`;
  });
  return out;
}

/** What a plan needs to know about the search. */
export interface PlanContext {
  /** query range [from, to), epoch ms */
  from: number;
  to: number;
  timeZone: string;
  byReceiptTime: boolean;
  caps: PushdownCapabilities;
  /** extra narrowing from the store's full-text index, when it has one */
  index?: IndexNarrowing | undefined;
  /** the store keeps per-minute counts (the rollup form may read them; rollup.ts) */
  minuteCounts?: boolean | undefined;
}

/** A pushed GROUP BY statement. */
export interface AggregateStatement {
  sql: string;
  /** output names: SQL column `c{i}` is `columns[i]` */
  columns: string[];
  /**
   * The statement also returns the histogram (GROUPING SETS: one scan for both): rows with
   * `gh` = 0 carry a time `ht` inside a histogram group's bucket and its count `hn`.
   */
  withHistogram: boolean;
  /**
   * The statement's pieces, for running it as partial states over time slices (sliced.ts);
   * undefined for the rollup form, which reads per-minute counts and runs as one statement.
   */
  parts: AggregateParts | undefined;
  /** Counts come from the store's per-minute counts (rollup.ts), not from the rows. */
  rollup: boolean;
  /**
   * The records determine the histogram (a count by a timeslice whose slices never straddle a
   * histogram bucket): each record adds its count at its slice's start, no extra grouping.
   */
  histogramFromRecords: { sliceColumn: number; countColumn: number; from: number } | undefined;
}

/** `SELECT select FROM (SELECT inner from) GROUP BY groupBy ORDER BY order`, piece by piece. */
export interface AggregateParts {
  /** per-row projections; `t` is the row's time, `h` its histogram group when withHistogram */
  inner: string[];
  /** `FROM logs WHERE …` of the inner SELECT */
  from: string;
  /** aggregate SELECT list: group keys (`expr AS alias`, aliases in groupBy) and outputs */
  select: string[];
  groupBy: string[];
  /** ORDER BY of the groups (undefined without group keys) */
  order: string | undefined;
}

export interface PushdownPlan {
  kind: 'messages' | 'aggregate';
  /** the time column of the range (`ts` or `receipt_ts`) */
  timeColumn: 'ts' | 'receipt_ts';
  /** WHERE clause (time range and pushed scope) shared by every statement of the plan */
  where: string;
  /** bound parameters of every statement of the plan */
  params: Record<string, string | number>;
  /** true when the SQL decides the scope exactly (else the interpreter re-checks it) */
  scopeExact: boolean;
  /** the records statement of an aggregate plan */
  aggregate: AggregateStatement | undefined;
  /** stages of the query pushed into SQL (after the scope) */
  pushedStages: number;
  /**
   * What the SQL computes after the scope, as stages: the first `pushedStages` of the query, a
   * `top` written as the `count by` it pushes (its ranking is the first stage of `rest`).
   */
  pushed: Stage[];
  /** what the interpreter still runs: the scope when not exact, and the remaining stages */
  rest: Query;
  /** why pushing stopped before the end of the query, if it did */
  stoppedBecause: string | undefined;
  /** engine settings for the message page statements (see `messagePageSettings`) */
  pageSettings?: Record<string, number> | undefined;
}

/** Stages that behave the same over pushed records as after the interpreter's own aggregate. */
const SAFE_AFTER_AGGREGATE = new Set<Stage['kind']>(['Sort', 'Where', 'Eval']);
/** Safe after an aggregate once a sort fixed the order. */
const SAFE_AFTER_SORT = new Set<Stage['kind']>(['Limit', 'Top']);

function tailIsSafe(stages: readonly Stage[], isSorted: boolean): string | undefined {
  let sorted = isSorted;
  for (const s of stages) {
    if (s.kind === 'Sort') sorted = true;
    if (SAFE_AFTER_AGGREGATE.has(s.kind) || (sorted && SAFE_AFTER_SORT.has(s.kind))) continue;
    return `${s.kind.toLowerCase()} after the aggregate runs in JS, so the aggregate does too`;
  }
  return undefined;
}

const WEEK = 7 * 86_400_000;
const MONDAY_EPOCH = 4 * 86_400_000;
/** Where bucketStartSql / timesliceStart anchor buckets of a size (weeks start on a Monday). */
const anchorOf = (size: number): number => (size % WEEK === 0 ? MONDAY_EPOCH : 0);

/** True when every slice of `sliceMs` lies inside one histogram bucket of `bucketMs` (same zone). */
function slicesNest(sliceMs: number, bucketMs: number): boolean {
  return bucketMs % sliceMs === 0 && (anchorOf(bucketMs) - anchorOf(sliceMs)) % sliceMs === 0;
}

/**
 * Engine settings for the message pages of a search. A scope that pins `_sourceCategory` to one
 * value (ANDed at its top) already narrows what a page reads through the primary key; there the
 * engine's top-N dynamic filtering costs more than it saves, while elsewhere it is what makes a
 * first page fast. Measured first pages (newest 100) on the 5M table, with / without it:
 * `_sourceCategory=prod/api timeout` 24 h 148 / 66 ms, `_sourceCategory=prod/api error` 7 d
 * 434 / 315 ms, `_sourceCategory=prod/api` 24 h 41 / 28 ms; `timeout` 7 d 256 / 856 ms, `*` 24 h
 * 79 / 81 ms, `500` 7 d 360 / 1,066 ms.
 */
export function messagePageSettings(scope: ScopeExpr | undefined, caps: PushdownCapabilities): Record<string, number> | undefined {
  return caps.topKFilter && pinsCategory(scope) ? { use_top_k_dynamic_filtering: 0 } : undefined;
}

function pinsCategory(scope: ScopeExpr | undefined): boolean {
  if (scope?.kind === 'ScopeAnd') return scope.operands.some(pinsCategory);
  return scope?.kind === 'ScopeFieldMatch' && scope.operator === '=' && !scope.hasWildcard && metadataColumn(scope.field.name) === 'source_category';
}

/**
 * The aggregate a stage pushes and the ranking the interpreter then runs over its records: an
 * aggregate pushes itself; a `top` that counts (top-form.ts) pushes `count by` its fields and
 * leaves `top N … by _count` (ranking records) to JS; any other stage says why it stops the push.
 */
function groupingOf(stage: Stage): { grouped: AggregateStage; ranking: TopStage[] } | string {
  if (stage.kind === 'Aggregate') return { grouped: stage, ranking: [] };
  if (stage.kind !== 'Top') return `${stage.kind.toLowerCase()} before an aggregate runs in JS`;
  // Before the first aggregate a top reads messages.
  const form = topForm(stage, false);
  if (form.kind !== 'count') return 'top ranking messages by a field runs in JS';
  const span = stage.span;
  const grouped: AggregateStage = {
    kind: 'Aggregate',
    span,
    aggregations: [{ kind: 'Aggregation', function: 'count', functionSpan: span, args: [], alias: undefined, span }],
    groupBy: form.fields,
  };
  return { grouped, ranking: [{ kind: 'Top', span, count: form.count, fields: form.fields, by: form.keys }] };
}

/** Plans a query (already parsed and checked by the interpreter's compiler). */
export function planQuery(query: Query, ctx: PlanContext): PushdownPlan {
  const binder = new ParamBinder();
  const timeColumn = ctx.byReceiptTime ? 'receipt_ts' : 'ts';
  const col = quoteIdentifier(timeColumn);
  const fromParam = binder.bind(ctx.from, 'Int64');
  const toParam = binder.bind(ctx.to, 'Int64');
  const conditions = [`${col} >= fromUnixTimestamp64Milli(${fromParam})`, `${col} < fromUnixTimestamp64Milli(${toParam})`];
  const scope = ctx.caps.scope ? scopeToSql(query.scope, ctx.caps, binder, ctx.index) : { sql: undefined, exact: query.scope === undefined };
  if (scope.sql !== undefined) conditions.push(scope.sql);
  const where = conditions.join(' AND ');
  const messages = (stoppedBecause: string | undefined): PushdownPlan => ({
    kind: 'messages',
    timeColumn,
    where,
    params: binder.params,
    scopeExact: scope.exact,
    aggregate: undefined,
    pushedStages: 0,
    pushed: [],
    rest: { ...query, scope: scope.exact ? undefined : query.scope, stages: query.stages },
    stoppedBecause,
    pageSettings: messagePageSettings(query.scope, ctx.caps),
  });
  if (!scope.exact) return messages(query.stages.length > 0 ? 'the scope is checked in JS, so every stage runs there' : undefined);

  const computed: ComputedFields = new Map();
  const actx: AggregateContext = { caps: ctx.caps, binder, from: ctx.from, to: ctx.to, timeZone: ctx.timeZone, computed };
  // Conditions of pushed parse stages: they drop rows for the records, not for the histogram.
  const parsed: string[] = [];
  for (let i = 0; i < query.stages.length; i++) {
    const stage = query.stages[i] as Stage;
    if (stage.kind === 'Timeslice') {
      const why = pushTimeslice(stage, actx);
      if (why !== undefined) return messages(why);
      continue;
    }
    if (stage.kind === 'Where') {
      const condition = whereSql(stage.condition, actx);
      if (condition === undefined) return messages('where with an expression the planner does not translate');
      parsed.push(condition);
      continue;
    }
    if (stage.kind === 'ParseRegex') {
      const pushed = pushParseRegex(stage, actx);
      if (typeof pushed === 'string') return messages(pushed);
      parsed.push(pushed.where);
      continue;
    }
    const grouping = groupingOf(stage);
    if (typeof grouping === 'string') return messages(grouping);
    const { grouped, ranking } = grouping;
    const tail = [...ranking, ...query.stages.slice(i + 1)];
    // A top's ranking fixes the order as a sort does.
    const unsafe = tailIsSafe(query.stages.slice(i + 1), ranking.length > 0);
    if (unsafe !== undefined) return messages(unsafe);
    const agg = pushAggregate(grouped, actx);
    if (typeof agg === 'string') return messages(agg);
    // Groups come out in the order the interpreter first sees them (newest first), so stable
    // sorts after the aggregate break ties the same way.
    const ms = `toUnixTimestamp64Milli(${col})`;
    const inner = [...agg.inner, `${ms} AS \`t\``];
    const from = `FROM logs WHERE ${[where, ...parsed].join(' AND ')}`;
    const bucketMs = sizeForBuckets(Math.max(1, ctx.to - ctx.from), TARGET_BUCKETS);
    // Without a parse filter the histogram counts the rows the aggregate groups. A count by a
    // timeslice that nests in the histogram's buckets already holds it; otherwise, with group
    // keys, the histogram rides along as a second grouping set (one scan for both).
    const sliceKey = agg.keySliceMs.findIndex((size) => size !== undefined && slicesNest(size, bucketMs));
    const histogramFromRecords =
      ctx.caps.histogram && parsed.length === 0 && timeColumn === 'ts' && sliceKey >= 0 && agg.countAllColumn !== undefined
        ? { sliceColumn: sliceKey, countColumn: agg.countAllColumn, from: ctx.from }
        : undefined;
    const done = (aggregate: AggregateStatement): PushdownPlan => ({
      kind: 'aggregate',
      timeColumn,
      where,
      params: binder.params,
      scopeExact: true,
      aggregate,
      pushedStages: i + 1,
      pushed: [...query.stages.slice(0, i), grouped],
      rest: { ...query, scope: undefined, stages: tail },
      stoppedBecause: undefined,
    });
    // Counts over partition / category / whole minutes come from the per-minute counts (rollup.ts).
    if (ctx.minuteCounts === true && ctx.caps.histogram && timeColumn === 'ts' && parsed.length === 0 && scopeOnRollupColumns(query.scope)) {
      const histogramBucketMs = histogramFromRecords === undefined ? bucketMs : undefined;
      const rollup = rollupAggregate({ stage: grouped, agg, computed, scopeSql: scope.sql, fromParam, toParam, from: ctx.from, to: ctx.to, timeZone: ctx.timeZone, histogramBucketMs, binder });
      if (typeof rollup !== 'string') {
        return done({ sql: rollup.sql, columns: agg.columns, withHistogram: rollup.withHistogram, histogramFromRecords, parts: undefined, rollup: true });
      }
    }
    const withHistogram = histogramFromRecords === undefined && ctx.caps.histogram && parsed.length === 0;
    let sql: string;
    let order: string | undefined;
    if (withHistogram) {
      order = 'max(`t`) DESC';
      const key = histogramKeySql(ms, bucketMs, ctx.timeZone, ctx.from, binder, ctx.to);
      inner.push(`${key.key} AS \`h\``);
      const select = [...agg.select, `${key.timeOf('`h`')} AS \`ht\``, 'count() AS `hn`', 'grouping(`h`) AS `gh`'];
      sql = `SELECT ${select.join(', ')} FROM (SELECT ${inner.join(', ')} ${from}) GROUP BY GROUPING SETS ((${agg.groupBy.join(', ')}), (\`h\`)) ORDER BY ${order}`;
    } else {
      // Slices are disjoint in time: newest slice first is newest row first.
      if (agg.groupBy.length > 0) order = agg.groupBy.length === 1 && agg.keySliceMs[0] !== undefined ? `${agg.groupBy[0]} DESC` : 'max(`t`) DESC';
      const k = timeColumn === 'ts' ? sliceNumberKeys(agg, inner, order, ctx, binder) : { inner, select: agg.select, groupBy: agg.groupBy, order };
      const grouped = order === undefined ? '' : ` GROUP BY ${k.groupBy.join(', ')} ORDER BY ${k.order}`;
      sql = `SELECT ${k.select.join(', ')} FROM (SELECT ${k.inner.join(', ')} ${from})${grouped}`;
    }
    return done({ sql, columns: agg.columns, withHistogram, histogramFromRecords, parts: { inner, from, select: agg.select, groupBy: agg.groupBy, order }, rollup: false });
  }
  return messages(undefined);
}
