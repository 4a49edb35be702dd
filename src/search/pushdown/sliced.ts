/**
 * Runs a plan's statements in time slices when its range holds more rows than one slice (see
 * slices.ts): messages slice by slice, newest first; the histogram per slice, added up; an aggregate
 * as partial states per slice in a staged table, merged by one final statement. A range within one
 * slice runs exactly as execute.ts runs it.
 */
import type { Row } from '../../query/interpreter/values.js';
import type { CountFilter, LogStore, RowSpan, SearchWork } from '../../store/log-store.js';
import { StoreError, StoreErrorKind } from '../../store/store-error.js';
import { aggregateRecords, histogramCounts, messagePages, type ExecuteOptions } from './execute.js';
import type { PushdownPlan } from '../../query/plan/plan.js';
import { EngineTime, statementOptions } from './row-budget.js';
import { stagedAggregate } from '../../query/plan/staged.js';
import { estimateRows, SliceSizer, timeSlices, type SliceOptions, type TimeSlice } from './slices.js';
import { aggregate, id, join, param, raw, selectList, sql, timeCompare, type Sql } from '../../query/sql/tree.js';

/** What slicing needs besides the plan. */
export interface SliceContext {
  /** the search range [from, to) */
  from: number;
  to: number;
  options: SliceOptions;
}

/** Staged tables are numbered per process: two searches never share one. */
let stagedTables = 0;

/** The condition that bounds the plan's time column to a slice. */
function sliceBounds(plan: PushdownPlan, slice: TimeSlice): Sql {
  return sql`${timeCompare(plan.timeColumn, '>=', param(slice.from, 'Int64'))} AND ${timeCompare(plan.timeColumn, '<', param(slice.to, 'Int64'))}`;
}

/** The plan restricted to one slice (its statements also bound the time column to the slice). */
export function planForSlice(plan: PushdownPlan, slice: TimeSlice): PushdownPlan {
  return { ...plan, where: sql`${plan.where} AND ${sliceBounds(plan, slice)}` };
}

interface Sliced {
  slices: Generator<TimeSlice>;
  sizer: SliceSizer;
  rowsIn: (s: TimeSlice) => number;
  /** options for the next statement: the time limit is what is left of the search's own */
  next: () => ExecuteOptions;
}

/**
 * How long a store's row spans are reused. They only decide whether and where to slice: a minute
 * of ingest (at most a few million rows here) moves a slice boundary, never an answer, and the
 * statement that reads them costs a search 5–9 ms (measured) that most searches then skip.
 */
const SPANS_TTL_MS = 60_000;
const spansByStore = new WeakMap<LogStore, { at: number; spans: Promise<RowSpan[]> }>();

/** The store's row spans, asked at most every SPANS_TTL_MS (one statement less for most searches). */
export function cachedRowSpans(store: LogStore): Promise<RowSpan[]> {
  const now = Date.now();
  const hit = spansByStore.get(store);
  if (hit !== undefined && now - hit.at < SPANS_TTL_MS) return hit.spans;
  const spans = store.rowSpans();
  spansByStore.set(store, { at: now, spans });
  // A failed read is not reused.
  spans.catch(() => spansByStore.delete(store));
  return spans;
}

/** The slices of a search, or undefined when it runs as one statement. */
async function slicesOf(store: LogStore, ctx: SliceContext, options: ExecuteOptions): Promise<Sliced | undefined> {
  const spans = await cachedRowSpans(store);
  if (estimateRows(spans, ctx.from, ctx.to) <= ctx.options.rows) return undefined;
  const sizer = new SliceSizer(ctx.options);
  const limitS = Number(options.settings?.max_execution_time ?? 0);
  const deadline = performance.now() + limitS * 1000;
  const next = (): ExecuteOptions => {
    if (!(limitS > 0)) return options;
    const leftS = (deadline - performance.now()) / 1000;
    // The same error as the engine's for one statement, so the job reports it the same way.
    if (leftS <= 0) throw new StoreError(StoreErrorKind.Timeout);
    return { ...options, settings: { ...options.settings, max_execution_time: Math.max(1, Math.ceil(leftS)) } };
  };
  return { slices: timeSlices(spans, ctx.from, ctx.to, sizer), sizer, rowsIn: (s) => estimateRows(spans, s.from, s.to), next };
}

/**
 * `store.count` of a filter that scans messages (`contains`), as time slices when its range holds
 * more rows than one slice: a count over everything never holds the store (which runs one
 * statement at a time) longer than about a slice. An open end of the range is the store's. Counts
 * that need no scan run as one statement.
 */
export async function slicedCount(store: LogStore, filter: CountFilter, options: SliceOptions, work?: SearchWork): Promise<number> {
  const countOptions = work === undefined ? {} : { work };
  if (filter.contains === undefined) return store.count(filter, countOptions);
  const spans = await cachedRowSpans(store);
  if (spans.length === 0) return store.count(filter, countOptions);
  const from = filter.from ?? Math.min(...spans.map((s) => s.from));
  const to = filter.to ?? Math.max(...spans.map((s) => s.to));
  const sliced = await slicesOf(store, { from, to, options }, {});
  if (sliced === undefined) return store.count(filter, countOptions);
  const { from: _from, to: _to, ...rest } = filter;
  let total = 0;
  for (const slice of sliced.slices) {
    const engine = new EngineTime();
    // An open end stays open in the slice at that end: rows newer (or older) than the spans count.
    const lower = slice.from === from ? filter.from : slice.from;
    const upper = slice.to === to ? filter.to : slice.to;
    total += await store.count({ ...rest, ...(lower === undefined ? {} : { from: lower }), ...(upper === undefined ? {} : { to: upper }) }, { ...countOptions, onEngineMs: engine.add });
    sliced.sizer.done(sliced.rowsIn(slice), engine.ms);
  }
  return total;
}

/** messagePages over slices, newest first. */
export async function* slicedMessagePages(store: LogStore, plan: PushdownPlan, ctx: SliceContext, options: ExecuteOptions = {}): AsyncGenerator<Row[]> {
  const sliced = await slicesOf(store, ctx, options);
  if (sliced === undefined) {
    yield* messagePages(store, plan, options);
    return;
  }
  for (const slice of sliced.slices) {
    if (options.signal?.aborted) return;
    // Engine time only: the pages are consumed (by the interpreter) between the statements.
    const engine = new EngineTime();
    yield* messagePages(store, planForSlice(plan, slice), { ...sliced.next(), engine });
    sliced.sizer.done(sliced.rowsIn(slice), engine.ms);
  }
}

/** histogramCounts of a statement built per slice, added up. */
export async function slicedHistogramCounts(
  store: LogStore,
  plan: PushdownPlan,
  statementFor: (plan: PushdownPlan) => Sql,
  ctx: SliceContext,
  options: ExecuteOptions = {},
): Promise<{ time: number; count: number }[]> {
  const sliced = await slicesOf(store, ctx, options);
  if (sliced === undefined) return histogramCounts(store, statementFor(plan), options);
  const out: { time: number; count: number }[] = [];
  for (const slice of sliced.slices) {
    if (options.signal?.aborted) break;
    const engine = new EngineTime();
    out.push(...(await histogramCounts(store, statementFor(planForSlice(plan, slice)), { ...sliced.next(), engine })));
    sliced.sizer.done(sliced.rowsIn(slice), engine.ms);
  }
  return out;
}

/**
 * aggregateRecords over slices: each slice adds its partial states (and histogram groups) to a
 * staged table; one final statement merges them into the records. Falls back to one statement when
 * the aggregate has no staged form.
 */
export async function* slicedAggregateRecords(
  store: LogStore,
  plan: PushdownPlan,
  ctx: SliceContext,
  options: ExecuteOptions & { onHistogram?: (time: number, count: number) => void } = {},
): AsyncGenerator<Row[]> {
  const agg = plan.aggregate;
  const parts = agg?.parts;
  const sliced = agg === undefined || parts === undefined ? undefined : await slicesOf(store, ctx, options);
  const newest = aggregate('min', id('t'));
  const count = aggregate('count');
  const histogramCalls = agg?.withHistogram ? [newest, count] : [];
  const orderCalls = parts?.order === undefined ? [] : [parts.order];
  const staged = parts === undefined ? undefined : stagedAggregate(parts.select, parts.groupBy, [...histogramCalls, ...orderCalls]);
  if (agg === undefined || parts === undefined || sliced === undefined || staged === undefined) {
    yield* aggregateRecords(store, plan, options);
    return;
  }
  const table = `quarry_stage_${++stagedTables}`;
  const keys = join(parts.groupBy.map((alias) => id(alias)), ', ');
  try {
    for (const slice of sliced.slices) {
      if (options.signal?.aborted) return;
      const histogramKey = agg.withHistogram ? raw(', `h`, grouping(`h`) AS `gh`') : raw('');
      const grouping = agg.withHistogram ? sql` GROUP BY GROUPING SETS ((${keys}), (\`h\`))` : parts.groupBy.length > 0 ? sql` GROUP BY ${keys}` : raw('');
      const statement = sql`SELECT ${selectList(staged.stateSelect)}${histogramKey} FROM (SELECT ${selectList(parts.inner)} FROM logs WHERE ${parts.where} AND ${sliceBounds(plan, slice)})${grouping}`;
      const { elapsedMs } = await store.stage(table, statement, statementOptions(sliced.next()));
      sliced.sizer.done(sliced.rowsIn(slice), elapsedMs);
    }
    if (options.signal?.aborted) return;
    if (agg.withHistogram) {
      const histogram = sql`SELECT ${staged.finalExpression(newest)} AS \`ht\`, ${staged.finalExpression(count)} AS \`hn\` FROM ${id(table)} WHERE \`gh\` = 0 GROUP BY \`h\``;
      // Statements over the staged rows read no log rows: the search's row limit is not theirs.
      for await (const batch of store.select(histogram, statementOptions({ ...sliced.next(), budget: undefined }))) {
        for (const r of batch) options.onHistogram?.(Number(r.ht), Number(r.hn));
      }
    }
    const where = agg.withHistogram ? raw(' WHERE `gh` = 1') : raw('');
    const order = parts.order === undefined ? raw('') : sql` ORDER BY ${staged.finalExpression(parts.order)}`;
    const grouped = parts.groupBy.length > 0 ? sql` GROUP BY ${keys}${order}` : raw('');
    const final = sql`SELECT ${selectList(staged.finalSelect)} FROM ${id(table)}${where}${grouped}`;
    // The merged records have the single statement's columns: read them the same way.
    yield* aggregateRecords(store, { ...plan, aggregate: { ...agg, statement: final, withHistogram: false } }, { ...options, ...sliced.next(), budget: undefined });
  } finally {
    await store.dropStaged(table);
  }
}
