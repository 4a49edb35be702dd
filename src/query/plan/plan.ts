/**
 * The planner: pushes the longest supported prefix of a query into one SQL statement over the
 * `logs` table and leaves the rest to the interpreter. Two shapes:
 * - messages: WHERE time range AND scope, newest first; every stage runs in JS (streamed);
 * - aggregate: the scope, timeslice and the first aggregate (or the count of a `top` that counts)
 *   run as one GROUP BY statement; the stages after it (sort, where, eval, limit, top, and that
 *   top's ranking) run in JS over the records.
 */
import type { AggregateStage, Query, ScopeExpr, Stage, TopStage } from '../ast.js';
import { topForm } from '../interpreter/top-form.js';
import { pushAggregate, pushParseRegex, pushTimeslice, whereSql, type AggregateContext, type ComputedFields } from './aggregate-sql.js';
import type { PushdownCapabilities } from './capabilities.js';
import { scopeToSql, type IndexNarrowing } from './scope-sql.js';
import { timesliceStart } from '../interpreter/timeslice.js';
import { parseFixedOffset } from '../interpreter/time-zone.js';
import { histogramBucketMs, histogramKeySql } from './statements.js';
import { metadataColumn } from './fields.js';
import { rollupAggregate, scopeOnRollupColumns } from './rollup.js';
import { aggregate, id, join, param, raw, references, selectList, sql, timeCompare, timeMs, type SelectItem, type Sql } from '../sql/tree.js';

/**
 * The one-statement form of an aggregate with pushed timeslice keys: each such key is grouped by
 * its slice number counted from the range's first slice (a UInt16, which ClickHouse groups by array
 * index instead of hashing the Int64 start: 40 vs 47 ms median for 1 m slices over 714k rows,
 * measured) and the slice start is computed per group. Only for message-time ranges (a row's
 * number is then never negative) of fewer than 65,000 slices, and keys whose per-row value no
 * other output reads. The staged (sliced) form keeps the plain keys.
 */
function sliceNumberKeys(
  agg: { select: readonly SelectItem[]; groupBy: readonly string[]; keySliceMs: readonly (number | undefined)[] },
  inner: readonly SelectItem[],
  order: Sql | undefined,
  ctx: PlanContext,
): { inner: SelectItem[]; select: SelectItem[]; groupBy: Sql[]; order: Sql | undefined } {
  const out = { inner: [...inner], select: [...agg.select], groupBy: agg.groupBy.map((alias) => id(alias)), order };
  agg.keySliceMs.forEach((sizeMs, i) => {
    if (sizeMs === undefined || parseFixedOffset(ctx.timeZone) === null) return;
    const anchor = timesliceStart(ctx.from, sizeMs, ctx.timeZone);
    if (!((ctx.to - anchor) / sizeMs < 65_000)) return;
    // The key is the inner projection `v{n}` itself, read by no other output.
    const key = out.select[i] as SelectItem;
    const only = key.expr.chunks.length === 1 ? key.expr.chunks[0] : undefined;
    if (only?.kind !== 'identifier') return;
    const value = only.name;
    if (out.select.some((item, j) => j !== i && references(item.expr, value))) return;
    const at = out.inner.findIndex((item) => item.alias === value);
    if (at < 0) return;
    const a = param(anchor, 'Int64');
    const size = param(sizeMs, 'Int64');
    out.inner[at] = { expr: sql`toUInt16(intDiv(${timeMs('ts')} - ${a}, ${size}))`, alias: value };
    out.select[i] = { expr: sql`${a} + toInt64(${id(value)}) * ${size}`, alias: key.alias };
    out.groupBy[i] = id(value);
    if (out.order !== undefined && isDescendingBy(out.order, key.alias)) out.order = sql`${id(value)} DESC`;
  });
  return out;
}

/** True for the ORDER BY `alias DESC`. */
function isDescendingBy(order: Sql, alias: string): boolean {
  const [first, second, ...more] = order.chunks;
  return more.length === 0 && first?.kind === 'identifier' && first.name === alias && second?.kind === 'text' && second.text === ' DESC';
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
  statement: Sql;
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

/** `SELECT select FROM (SELECT inner FROM logs WHERE where) GROUP BY groupBy ORDER BY order`, piece by piece. */
export interface AggregateParts {
  /** per-row projections; `t` is the row's time, `h` its histogram group when withHistogram */
  inner: SelectItem[];
  /** the WHERE of the inner SELECT: the plan's, and the conditions of pushed parse and where stages */
  where: Sql;
  /** aggregate SELECT list: group keys (aliases in groupBy) and outputs */
  select: SelectItem[];
  /** aliases of the group keys */
  groupBy: string[];
  /** ORDER BY of the groups (undefined without group keys) */
  order: Sql | undefined;
}

export interface PushdownPlan {
  kind: 'messages' | 'aggregate';
  /** the time column of the range (`ts` or `receipt_ts`) */
  timeColumn: 'ts' | 'receipt_ts';
  /** WHERE clause (time range and pushed scope) shared by every statement of the plan */
  where: Sql;
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
  const timeColumn = ctx.byReceiptTime ? 'receipt_ts' : 'ts';
  const conditions = [timeCompare(timeColumn, '>=', param(ctx.from, 'Int64')), timeCompare(timeColumn, '<', param(ctx.to, 'Int64'))];
  const scope = ctx.caps.scope ? scopeToSql(query.scope, ctx.caps, ctx.index) : { sql: undefined, exact: query.scope === undefined };
  if (scope.sql !== undefined) conditions.push(scope.sql);
  const where = join(conditions, ' AND ');
  const messages = (stoppedBecause: string | undefined): PushdownPlan => ({
    kind: 'messages',
    timeColumn,
    where,
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
  const actx: AggregateContext = { caps: ctx.caps, from: ctx.from, to: ctx.to, timeZone: ctx.timeZone, computed };
  // Conditions of pushed parse stages: they drop rows for the records, not for the histogram.
  const parsed: Sql[] = [];
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
    const ms = timeMs(timeColumn);
    const inner: SelectItem[] = [...agg.inner, { expr: ms, alias: 't' }];
    const rowsWhere = join([where, ...parsed], ' AND ');
    const bucketMs = histogramBucketMs(ctx.from, ctx.to);
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
      const rollup = rollupAggregate({ stage: grouped, agg, computed, scopeSql: scope.sql, from: ctx.from, to: ctx.to, timeZone: ctx.timeZone, histogramBucketMs });
      if (typeof rollup !== 'string') {
        return done({ statement: rollup.statement, columns: agg.columns, withHistogram: rollup.withHistogram, histogramFromRecords, parts: undefined, rollup: true });
      }
    }
    const withHistogram = histogramFromRecords === undefined && ctx.caps.histogram && parsed.length === 0;
    const newestRow = sql`${aggregate('max', id('t'))} DESC`;
    let statement: Sql;
    let order: Sql | undefined;
    const keys = join(agg.groupBy.map((alias) => id(alias)), ', ');
    if (withHistogram) {
      order = newestRow;
      const key = histogramKeySql(ms, bucketMs, ctx.timeZone, ctx.from, ctx.to);
      const withKey: SelectItem[] = [...inner, { expr: key.key, alias: 'h' }];
      const select = sql`${selectList(agg.select)}, ${key.timeOf(id('h'))} AS \`ht\`, ${aggregate('count')} AS \`hn\`, grouping(\`h\`) AS \`gh\``;
      statement = sql`SELECT ${select} FROM (SELECT ${selectList(withKey)} FROM logs WHERE ${rowsWhere}) GROUP BY GROUPING SETS ((${keys}), (\`h\`)) ORDER BY ${order}`;
      return done({ statement, columns: agg.columns, withHistogram, histogramFromRecords, parts: { inner: withKey, where: rowsWhere, select: agg.select, groupBy: agg.groupBy, order }, rollup: false });
    }
    // Slices are disjoint in time: newest slice first is newest row first.
    if (agg.groupBy.length > 0) order = agg.groupBy.length === 1 && agg.keySliceMs[0] !== undefined ? sql`${id(agg.groupBy[0] as string)} DESC` : newestRow;
    const k = timeColumn === 'ts' ? sliceNumberKeys(agg, inner, order, ctx) : { inner, select: agg.select, groupBy: agg.groupBy.map((alias) => id(alias)), order };
    const groups = k.order === undefined ? raw('') : sql` GROUP BY ${join(k.groupBy, ', ')} ORDER BY ${k.order}`;
    statement = sql`SELECT ${selectList(k.select)} FROM (SELECT ${selectList(k.inner)} FROM logs WHERE ${rowsWhere})${groups}`;
    return done({ statement, columns: agg.columns, withHistogram, histogramFromRecords, parts: { inner, where: rowsWhere, select: agg.select, groupBy: agg.groupBy, order }, rollup: false });
  }
  return messages(undefined);
}
