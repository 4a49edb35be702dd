/**
 * Row-order series operators: accum, total, diff, backshift, smooth, rollingstd. Each works on the
 * rows in their current order, per group of `by` fields, and writes one output field. Rows whose
 * value is not numeric are passed through with a null output and do not enter the series.
 */
import { extendRow, getField, toNumber, type Row, type Value } from '../values.js';
import { keyOf } from './group.js';

export const SeriesKind = {
  Accum: 'Accum',
  Total: 'Total',
  Diff: 'Diff',
  Backshift: 'Backshift',
  Smooth: 'Smooth',
  RollingStd: 'RollingStd',
} as const;
export type SeriesKind = (typeof SeriesKind)[keyof typeof SeriesKind];

/** Default output names (`_accum` …). */
export const SERIES_OUTPUT: Readonly<Record<SeriesKind, string>> = {
  Accum: '_accum',
  Total: '_total',
  Diff: '_diff',
  Backshift: '_backshift',
  Smooth: '_smooth',
  RollingStd: '_rollingstd',
};

export interface SeriesOptions {
  kind: SeriesKind;
  field: string;
  output: string;
  /** backshift distance / smooth and rollingstd window */
  window: number | undefined;
  by: readonly string[];
}

function stddevSample(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return Math.sqrt(ss / (values.length - 1));
}

/** Applies one series operator; returns new row objects in the same order. */
export function applySeries(rows: readonly Row[], opts: SeriesOptions): Row[] {
  const state = new Map<string, { sum: number; history: number[] }>();
  const getState = (k: string): { sum: number; history: number[] } => {
    let s = state.get(k);
    if (s === undefined) {
      s = { sum: 0, history: [] };
      state.set(k, s);
    }
    return s;
  };
  if (opts.kind === 'Total') {
    for (const r of rows) {
      const x = toNumber(getField(r, opts.field));
      if (x !== null) getState(keyOf(r, opts.by)).sum += x;
    }
    return rows.map((r) => extendRow(r, { [opts.output]: state.get(keyOf(r, opts.by))?.sum ?? null }));
  }
  const window = opts.window ?? (opts.kind === 'Backshift' ? 1 : 10);
  return rows.map((r) => {
    const x = toNumber(getField(r, opts.field));
    const s = getState(keyOf(r, opts.by));
    let out: Value = null;
    if (x !== null) {
      switch (opts.kind) {
        case 'Accum':
          s.sum += x;
          out = s.sum;
          break;
        case 'Diff':
          out = s.history.length === 0 ? null : x - (s.history[s.history.length - 1] as number);
          s.history = [x];
          break;
        case 'Backshift':
          out = s.history.length >= window ? (s.history[s.history.length - window] as number) : null;
          s.history.push(x);
          if (s.history.length > window) s.history.shift();
          break;
        case 'Smooth':
          s.history.push(x);
          if (s.history.length > window) s.history.shift();
          out = s.history.reduce((a, b) => a + b, 0) / s.history.length;
          break;
        case 'RollingStd':
          s.history.push(x);
          if (s.history.length > window) s.history.shift();
          out = stddevSample(s.history);
          break;
      }
    }
    return extendRow(r, { [opts.output]: out });
  });
}
