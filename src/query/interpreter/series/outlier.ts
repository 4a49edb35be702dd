/**
 * outlier: for each row (per `by` group, in `_timeslice` order when present) the mean μ and the
 * sample standard deviation σ of the previous `window` values (the row itself excluded) give a
 * band μ ± threshold·σ. Outputs: `<f>_error` = value − μ, `<f>_lower`, `<f>_upper`,
 * `<f>_indicator` (1 when outside the band in the chosen direction) and `<f>_violation` (1 when
 * the last `consecutive` indicators, this row included, are all 1). Until `window` previous
 * values exist the band is null and both flags are 0. Sumo also ignores the last, incomplete
 * bucket of a live range; the interpreter does not know which bucket is incomplete and keeps it.
 */
import { extendRow, getField, toNumber, type Row } from '../values.js';
import { keyOf } from './group.js';

export interface OutlierOptions {
  field: string;
  by: readonly string[];
  window: number;
  threshold: number;
  consecutive: number;
  direction: '+-' | '+' | '-';
  timeField: string;
}

/** Applies outlier detection; row order is kept. */
export function outlierRows(rows: readonly Row[], opts: OutlierOptions): Row[] {
  const order = rows.map((r, i) => i);
  if (rows.some((r) => getField(r, opts.timeField) !== null)) {
    order.sort((a, b) => (toNumber(getField(rows[a] as Row, opts.timeField)) ?? 0) - (toNumber(getField(rows[b] as Row, opts.timeField)) ?? 0) || a - b);
  }
  const state = new Map<string, { history: number[]; streak: number }>();
  const out = new Array<Row>(rows.length);
  const f = opts.field;
  for (const i of order) {
    const r = rows[i] as Row;
    const k = keyOf(r, opts.by);
    let s = state.get(k);
    if (s === undefined) {
      s = { history: [], streak: 0 };
      state.set(k, s);
    }
    const x = toNumber(getField(r, f));
    const o: Row = extendRow(r, { [`${f}_error`]: null, [`${f}_lower`]: null, [`${f}_upper`]: null, [`${f}_indicator`]: 0, [`${f}_violation`]: 0 });
    if (x !== null) {
      if (s.history.length >= opts.window) {
        const w = s.history.slice(-opts.window);
        const mean = w.reduce((a, b) => a + b, 0) / w.length;
        const sd = w.length < 2 ? 0 : Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1));
        const lower = mean - opts.threshold * sd;
        const upper = mean + opts.threshold * sd;
        const hit = (opts.direction !== '-' && x > upper) || (opts.direction !== '+' && x < lower);
        s.streak = hit ? s.streak + 1 : 0;
        o[`${f}_error`] = x - mean;
        o[`${f}_lower`] = lower;
        o[`${f}_upper`] = upper;
        o[`${f}_indicator`] = hit ? 1 : 0;
        o[`${f}_violation`] = hit && s.streak >= opts.consecutive ? 1 : 0;
      }
      s.history.push(x);
      if (s.history.length > opts.window) s.history.shift();
    }
    out[i] = o;
  }
  return out;
}
