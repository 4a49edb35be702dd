/**
 * Time slices: how a search is split into statements that each take a bounded time.
 *
 * The embedded store runs one statement at a time, so one long statement would hold every ingest
 * acknowledgement and every other search until it ends, and cancelling could not stop it. Every
 * search whose range holds more rows than a first slice runs as statements over adjacent time
 * slices, newest first: between two slices the store's scheduler runs appends and other searches
 * (store/work-scheduler.ts), and a cancelled search stops. The first slice is small, since nothing
 * is known yet of how costly the search is per row (a regex parse and aggregate ran at 8 µs a row
 * here, a needle count with the text index at well under 0.01 µs); each later one is sized from
 * the speed measured so far to take about `targetMs` of engine time, growing at most 64-fold and
 * shrinking at most 8-fold from one slice to the next.
 *
 * Row counts come from the store's spans (part metadata: rows and min/max message time), assuming rows
 * are spread evenly within a span. They only size slices; answers never depend on them.
 */
import type { RowSpan } from '../../store/log-store.js';

/** How searches are split (config `search.sliceRows` / `search.sliceTargetMs`). */
export interface SliceOptions {
  /** A range estimated to hold at most this many rows runs as one statement; also the first slice's size. */
  rows: number;
  /** Later slices are sized to take about this long (from the speed of the previous ones); 0 = every slice holds `rows`. */
  targetMs: number;
}

export const defaultSliceOptions: SliceOptions = { rows: 32_768, targetMs: 250 };

/**
 * Pushed stages whose cost per row is unknown and can be high: regex and field extraction (a
 * four-group regex with percentiles ran at ~1.5 µs a row here with ten at once). A search without
 * them only filters, slices time and counts — tens of millions of rows a second — so it starts with
 * a first slice CHEAP_FIRST_SLICE_FACTOR times larger: on 1M rows the small first slice had doubled
 * the needle, timeslice and regex searches (33 → 79 ms, 22 → 60 ms, 212 → 412 ms).
 */
const EXTRACTING_STAGES = new Set(['ParseRegex', 'Parse', 'Json', 'KeyValue', 'Csv', 'Split']);
export const CHEAP_FIRST_SLICE_FACTOR = 64;

/** The slicing of a search whose pushed stages are of these kinds (fixed-size slicing is kept as is). */
export function sliceOptionsFor(options: SliceOptions, pushedStageKinds: readonly string[]): SliceOptions {
  if (options.targetMs <= 0 || pushedStageKinds.some((kind) => EXTRACTING_STAGES.has(kind))) return options;
  return { ...options, rows: options.rows * CHEAP_FIRST_SLICE_FACTOR };
}

/** Slices grow at most this many times and shrink at most 8 times from one to the next. */
const MAX_GROWTH = 64;
const MAX_SHRINK = 8;

/** Estimated rows with message times in [from, to). */
export function estimateRows(spans: readonly RowSpan[], from: number, to: number): number {
  let rows = 0;
  for (const s of spans) {
    const lo = Math.max(from, s.from);
    const hi = Math.min(to, s.to);
    if (hi > lo) rows += (s.rows * (hi - lo)) / Math.max(1, s.to - s.from);
  }
  return rows;
}

/**
 * The start of the slice that ends at `upper` and holds about `rows` rows (never below `from`, always
 * below `upper`, whole milliseconds). Stretches without rows are taken whole.
 */
export function sliceStart(spans: readonly RowSpan[], from: number, upper: number, rows: number): number {
  if (estimateRows(spans, from, upper) <= rows) return from;
  // Bisection on the start: the estimate grows as the start moves back (monotone), 50 steps reach 1 ms.
  let lo = from;
  let hi = upper - 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (estimateRows(spans, mid, upper) > rows) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Sizes slices: the first from options, later ones from the rows per ms seen so far. */
export class SliceSizer {
  private rowsDone = 0;
  private msSpent = 0;
  private last: number;

  constructor(private readonly options: SliceOptions) {
    this.last = options.rows;
  }

  /** Rows for the next slice. */
  next(): number {
    const { rows, targetMs } = this.options;
    if (targetMs <= 0) return rows;
    if (this.rowsDone <= 0) return this.last;
    // A slice that took no measurable time says only that the search is fast: grow all it may.
    const wanted = this.msSpent <= 0 ? Infinity : (this.rowsDone / this.msSpent) * targetMs;
    return Math.max(this.last / MAX_SHRINK, Math.min(this.last * MAX_GROWTH, wanted), 1024);
  }

  /** Records a slice's estimated rows and how long the engine worked on it. */
  done(rows: number, ms: number): void {
    this.rowsDone += rows;
    this.msSpent += ms;
    if (rows > 0) this.last = rows;
  }
}

/** One statement's time bounds: [from, to). */
export interface TimeSlice {
  from: number;
  to: number;
}

/**
 * Yields the slices of [from, to), newest first, sized by `sizer` (ask it after each slice ran). A
 * range within one slice's rows is a single slice.
 */
export function* timeSlices(
  spans: readonly RowSpan[],
  from: number,
  to: number,
  sizer: SliceSizer,
): Generator<TimeSlice> {
  let upper = to;
  while (upper > from) {
    const start = sliceStart(spans, from, upper, sizer.next());
    yield { from: start, to: upper };
    upper = start;
  }
}
