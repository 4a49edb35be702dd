/**
 * Aggregate records → chart series. Pure: the search page and dashboard panels share it, and the
 * unit tests drive it without a browser. Every value arrives as a string (the records API's form).
 */
import type { SearchField } from '../../../../src/protocol/search.js';

export type ChartRecord = Readonly<Record<string, string>>;

/** What each field of the records plays in a chart. */
export interface ChartRoles {
  /** The x axis: a time key (`_timeslice` …) or the first group key. */
  x: string | undefined;
  isTime: boolean;
  /** Keys besides x: one series per value (tuple) of them. */
  groups: string[];
  /** Numeric, non-key columns: the plotted numbers. */
  values: string[];
}

export interface ChartSeries {
  name: string;
  /** One cell per category; null where the records have no value. */
  data: (number | null)[];
  total: number;
  /** The series that sums the ones left out by the cap. */
  isOther: boolean;
}

export interface ChartData {
  roles: ChartRoles;
  /** The x values in order: epoch ms for time (gaps of a regular slice filled), else the key's text. */
  categories: (number | string)[];
  /** The slice size of a time axis, when it is regular. */
  step: number | undefined;
  series: ChartSeries[];
  /** Counts (or sums) across the values of a group: the series add up, so they stack. */
  isStacked: boolean;
  /** Every number is whole: the value axis ticks only at whole numbers. */
  isInteger: boolean;
  /** Why the chart shows less than the records hold; undefined when it shows everything. */
  note: string | undefined;
}

export interface ChartLimits {
  /** Series drawn at most; the rest are summed as "other" (stacked) or left out. */
  maxSeries: number;
  /** Categories of a non-time axis drawn at most (the largest). */
  maxCategories: number;
  /** Time slices a regular axis is filled out to at most. */
  maxFilledSlices: number;
}

export const DEFAULT_CHART_LIMITS: ChartLimits = { maxSeries: 20, maxCategories: 60, maxFilledSlices: 5000 };

/** 1990 … 2100 in epoch ms: a whole number outside it is not a time. */
const EPOCH_MS_MIN = 631_152_000_000;
const EPOCH_MS_MAX = 4_102_444_800_000;
/** Names of keys that can hold times; a numeric key by another name (`user_id`) stays a category. */
const TIME_NAME = /time|slice|date|day|hour|minute|week|month|^ts$|_ts$/i;
/** Aggregate outputs that add up across groups: counts and sums (not averages, maxima, distinct counts). */
const ADDITIVE_NAME = /^_?(?:count|sum)$|_(?:count|sum)$/i;
const EMPTY_LABEL = '(empty)';

function hasValue(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

function isNumericColumn(rows: readonly ChartRecord[], field: string): boolean {
  let seen = 0;
  for (const row of rows) {
    const v = row[field];
    if (!hasValue(v)) continue;
    if (!Number.isFinite(Number(v))) return false;
    seen++;
  }
  return seen > 0;
}

function hasAnyValue(rows: readonly ChartRecord[], field: string): boolean {
  return rows.some((r) => hasValue(r[field]));
}

/**
 * A time key: `_timeslice` holding whole numbers (the timeslice operator's epoch ms), or a key named
 * like a time and holding whole epoch milliseconds of 1990–2100 only.
 */
export function isTimeColumn(rows: readonly ChartRecord[], field: string): boolean {
  const isSlice = field === '_timeslice';
  if (!isSlice && !TIME_NAME.test(field)) return false;
  let seen = 0;
  for (const row of rows) {
    const v = row[field];
    if (!hasValue(v)) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || (!isSlice && (n < EPOCH_MS_MIN || n > EPOCH_MS_MAX))) return false;
    seen++;
  }
  return seen > 0;
}

/**
 * Which field is x, which split the series and which are plotted. Keys (the `by` fields) are never
 * plotted even when their values are numbers (`status` 200/404).
 */
export function chartRoles(fields: readonly SearchField[], rows: readonly ChartRecord[]): ChartRoles {
  const names = fields.map((f) => f.name);
  const keys = fields.filter((f) => f.keyField).map((f) => f.name);
  const timeKey = ['_timeslice', ...keys.filter((k) => k !== '_timeslice')].find(
    (n) => names.includes(n) && isTimeColumn(rows, n),
  );
  const x = timeKey ?? keys[0] ?? names.find((n) => hasAnyValue(rows, n) && !isNumericColumn(rows, n));
  const values = names.filter((n) => n !== x && !keys.includes(n) && isNumericColumn(rows, n));
  // Without key information (no field is a key), text columns split the series as keys would; with it,
  // a text column beside the keys is a label derived from them (`formatDate(_timeslice) as day`).
  const groups = names.filter(
    (n) => n !== x && !values.includes(n) && (keys.length > 0 ? keys.includes(n) : hasAnyValue(rows, n)),
  );
  return { x, isTime: timeKey !== undefined, groups, values };
}

/**
 * Whether the series add up: one count (or sum) split by group values, or — without a group — the
 * columns `transpose` makes from group values. Those are told from columns an aggregate names
 * (`_count`, `_avg` …, or `count as hits, avg(ms) as ms`) by their names not starting with `_`
 * and holding only whole non-negative numbers; a hand-named set of counts also stacks then.
 */
function isAdditive(roles: ChartRoles, rows: readonly ChartRecord[]): boolean {
  const [first, ...rest] = roles.values;
  if (first === undefined) return false;
  if (roles.groups.length > 0) return rest.length === 0 && ADDITIVE_NAME.test(first);
  if (rest.length === 0) return false;
  return roles.values.every(
    (v) =>
      !v.startsWith('_') &&
      rows.every((r) => {
        const cell = r[v];
        if (!hasValue(cell)) return true;
        const n = Number(cell);
        return Number.isInteger(n) && n >= 0;
      }),
  );
}

/** The regular slice of sorted times: the smallest gap, when every gap is a whole number of it. */
function regularStep(times: readonly number[]): number | undefined {
  let step = Infinity;
  for (let i = 1; i < times.length; i++) step = Math.min(step, times[i]! - times[i - 1]!);
  if (!Number.isFinite(step) || step <= 0) return undefined;
  for (let i = 1; i < times.length; i++) if ((times[i]! - times[i - 1]!) % step !== 0) return undefined;
  return step;
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** The series of a chart of these records, or undefined when they have nothing to plot against an x. */
export function chartData(
  fields: readonly SearchField[],
  rows: readonly ChartRecord[],
  limits: Partial<ChartLimits> = {},
): ChartData | undefined {
  return chartDataOf(chartRoles(fields, rows), rows, limits);
}

/** As `chartData`, with the roles already decided. */
export function chartDataOf(
  roles: ChartRoles,
  rows: readonly ChartRecord[],
  limits: Partial<ChartLimits> = {},
): ChartData | undefined {
  const { maxSeries, maxCategories, maxFilledSlices } = { ...DEFAULT_CHART_LIMITS, ...limits };
  const { x, groups, values } = roles;
  if (x === undefined || values.length === 0) return undefined;
  const isStacked = isAdditive(roles, rows);
  const notes: string[] = [];

  // Cells by series name, then by category key (the x value's text).
  const cells = new Map<string, Map<string, number>>();
  const seriesOrder: string[] = [];
  const categoryTotals = new Map<string, number>();
  for (const row of rows) {
    const xValue = row[x];
    if (!hasValue(xValue) && roles.isTime) continue;
    const category = xValue ?? '';
    const groupLabel =
      groups.length > 0
        ? groups.map((g) => (hasValue(row[g]) ? row[g] : EMPTY_LABEL)).join(' / ')
        : undefined;
    for (const v of values) {
      const cell = row[v];
      if (!hasValue(cell)) continue;
      const n = Number(cell);
      if (!Number.isFinite(n)) continue;
      const name = groupLabel === undefined ? v : values.length > 1 ? `${groupLabel} · ${v}` : groupLabel;
      let byCategory = cells.get(name);
      if (!byCategory) {
        byCategory = new Map();
        cells.set(name, byCategory);
        seriesOrder.push(name);
      }
      // Two records for one cell (possible when no field is a key): counts add, others keep the last.
      byCategory.set(category, isStacked ? (byCategory.get(category) ?? 0) + n : n);
      categoryTotals.set(category, (categoryTotals.get(category) ?? 0) + Math.abs(n));
    }
    if (!categoryTotals.has(category)) categoryTotals.set(category, 0);
  }

  // Categories: time in order (a regular slice filled out), else the records' order, the largest kept.
  let categories: (number | string)[];
  let keys: string[];
  let step: number | undefined;
  if (roles.isTime) {
    const times = [...new Set([...categoryTotals.keys()].map(Number))].sort((a, b) => a - b);
    step = regularStep(times);
    const first = times[0];
    const last = times[times.length - 1];
    if (
      step !== undefined &&
      first !== undefined &&
      last !== undefined &&
      (last - first) / step < maxFilledSlices
    ) {
      categories = [];
      for (let t = first; t <= last; t += step) categories.push(t);
    } else {
      categories = times;
    }
    keys = categories.map(String);
  } else {
    keys = [...categoryTotals.keys()];
    if (keys.length > maxCategories) {
      const kept = new Set(
        [...keys]
          .sort((a, b) => (categoryTotals.get(b) ?? 0) - (categoryTotals.get(a) ?? 0))
          .slice(0, maxCategories),
      );
      notes.push(
        `Showing the ${maxCategories} largest of ${plural(keys.length, 'category', 'categories')} of ${x}.`,
      );
      keys = keys.filter((k) => kept.has(k));
    }
    categories = keys;
  }

  // A missing cell of a count is zero; of anything else, a gap.
  const missing = isStacked ? 0 : null;
  let series: ChartSeries[] = seriesOrder.map((name) => {
    const byCategory = cells.get(name)!;
    const data = keys.map((k) => byCategory.get(k) ?? missing);
    return { name, data, total: data.reduce<number>((s, v) => s + Math.abs(v ?? 0), 0), isOther: false };
  });
  // Group values in natural order (200, 404, 500; host2 before host10); columns keep theirs.
  if (groups.length > 0) series.sort((a, b) => naturalOrder.compare(a.name, b.name));

  if (series.length > maxSeries) {
    const kept = new Set([...series].sort((a, b) => b.total - a.total).slice(0, maxSeries));
    const rest = series.filter((s) => !kept.has(s));
    series = series.filter((s) => kept.has(s));
    if (isStacked) {
      const names = new Set(series.map((s) => s.name));
      const name = names.has('other') ? 'all other' : 'other';
      const data = keys.map((_, i) => rest.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
      series.push({ name, data, total: data.reduce((s, v) => s + v, 0), isOther: true });
      notes.push(
        `Showing the ${maxSeries} largest of ${plural(rest.length + maxSeries, 'series', 'series')}; the other ${rest.length} are summed as “${name}”.`,
      );
    } else {
      notes.push(
        `Showing the ${maxSeries} largest of ${plural(rest.length + maxSeries, 'series', 'series')}; ${rest.length} more are not drawn.`,
      );
    }
  }

  const isInteger = series.every((s) => s.data.every((v) => v === null || Number.isInteger(v)));
  return {
    roles,
    categories,
    step,
    series,
    isStacked,
    isInteger,
    note: notes.length > 0 ? notes.join(' ') : undefined,
  };
}

export interface PieSlice {
  name: string;
  value: number;
}

/** Pie slices: one per series when there are several (their totals), else one per category; the smallest beyond `max` as "other". */
export function pieSlices(data: ChartData, max = 8): PieSlice[] {
  const all: PieSlice[] =
    data.series.length > 1
      ? data.series.map((s) => ({ name: s.name, value: s.total }))
      : data.categories.map((c, i) => ({ name: String(c), value: Math.abs(data.series[0]?.data[i] ?? 0) }));
  const sorted = all.filter((s) => s.value > 0).sort((a, b) => b.value - a.value);
  if (sorted.length <= max) return sorted;
  const shown = sorted.slice(0, max);
  shown.push({ name: 'other', value: sorted.slice(max).reduce((s, p) => s + p.value, 0) });
  return shown;
}
