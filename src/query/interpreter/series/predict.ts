/**
 * predict: fits a model to one numeric series (rows in `_timeslice` order) and forecasts ahead.
 * - linear: least-squares line over the bucket index; `<f>_predicted` is the fitted value on
 *   existing rows and the extrapolation on forecast rows; `<f>_error` = actual − predicted.
 * - ar: an autoregressive model of order p = ar.window (default: ⌊0.45·n⌋, at least 1) fitted by
 *   least squares on the lagged values (with an intercept); `<f>_predicted` is the one-step-ahead
 *   prediction (null for the first p rows), forecasts are iterated; `<f>_linear` carries the
 *   linear model's value alongside.
 * Missing buckets (when the step is known) are filled with 0 first, as Sumo does.
 */
import { extendRow, getField, toNumber, type Row } from '../values.js';

export interface PredictOptions {
  field: string;
  timeField: string;
  stepMs: number | undefined;
  model: 'linear' | 'ar';
  arWindow: number | undefined;
  /** number of forecast points (default 3, at most 100) */
  forecast: number;
}

function linearFit(ys: readonly number[]): { a: number; b: number } {
  const n = ys.length;
  if (n === 0) return { a: 0, b: 0 };
  if (n === 1) return { a: ys[0] as number, b: 0 };
  const mx = (n - 1) / 2;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: my - b * mx, b };
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (null when singular). */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[p] as number[])[c] as number)) p = r;
    if (Math.abs((m[p] as number[])[c] as number) < 1e-12) return null;
    [m[c], m[p]] = [m[p] as number[], m[c] as number[]];
    const pivot = m[c] as number[];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = m[r] as number[];
      const f = (row[c] as number) / (pivot[c] as number);
      for (let k = c; k <= n; k++) row[k] = (row[k] as number) - f * (pivot[k] as number);
    }
  }
  return m.map((row, i) => (row[n] as number) / (row[i] as number));
}

/** AR(p) coefficients [c, φ1..φp] by least squares; null when underdetermined. */
function arFit(ys: readonly number[], p: number): number[] | null {
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let t = p; t < ys.length; t++) {
    const x = [1];
    for (let k = 1; k <= p; k++) x.push(ys[t - k] as number);
    rows.push(x);
    targets.push(ys[t] as number);
  }
  if (rows.length < p + 1) return null;
  const dim = p + 1;
  const ata = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  const atb = new Array<number>(dim).fill(0);
  rows.forEach((x, r) => {
    for (let i = 0; i < dim; i++) {
      atb[i] = (atb[i] as number) + (x[i] as number) * (targets[r] as number);
      for (let j = 0; j < dim; j++) (ata[i] as number[])[j] = ((ata[i] as number[])[j] as number) + (x[i] as number) * (x[j] as number);
    }
  });
  // A tiny ridge keeps constant series solvable.
  for (let i = 1; i < dim; i++) (ata[i] as number[])[i] = ((ata[i] as number[])[i] as number) + 1e-9;
  return solve(ata, atb);
}

function arPredict(coef: readonly number[], history: readonly number[]): number {
  let y = coef[0] as number;
  for (let k = 1; k < coef.length; k++) y += (coef[k] as number) * (history[history.length - k] as number);
  return y;
}

/** Applies predict; returns existing rows (with gaps filled) plus forecast rows. */
export function predictRows(input: readonly Row[], opts: PredictOptions): Row[] {
  const rows = [...input].sort((a, b) => (toNumber(getField(a, opts.timeField)) ?? 0) - (toNumber(getField(b, opts.timeField)) ?? 0));
  const filled: Row[] = [];
  for (const r of rows) {
    const prev = filled[filled.length - 1];
    const t = toNumber(getField(r, opts.timeField));
    if (prev !== undefined && opts.stepMs !== undefined && t !== null) {
      let pt = (toNumber(getField(prev, opts.timeField)) ?? t) + opts.stepMs;
      while (pt < t && filled.length < 20_000) {
        filled.push({ ...Object.fromEntries(Object.keys(r).map((k) => [k, null])), [opts.timeField]: pt, [opts.field]: 0 });
        pt += opts.stepMs;
      }
    }
    filled.push(r);
  }
  const ys = filled.map((r) => toNumber(getField(r, opts.field)) ?? 0);
  const pred = `${opts.field}_predicted`;
  const errName = `${opts.field}_error`;
  const lin = linearFit(ys);
  const n = ys.length;
  const lastT = n > 0 ? toNumber(getField(filled[n - 1] as Row, opts.timeField)) : null;
  const step = opts.stepMs ?? (n >= 2 ? (lastT ?? 0) - (toNumber(getField(filled[n - 2] as Row, opts.timeField)) ?? 0) : 0);
  const out: Row[] = [];
  if (opts.model === 'linear') {
    filled.forEach((r, i) => {
      const p = lin.a + lin.b * i;
      out.push(extendRow(r, { [pred]: p, [errName]: (ys[i] as number) - p }));
    });
    for (let k = 1; k <= opts.forecast; k++) {
      out.push({ [opts.timeField]: lastT === null ? null : lastT + k * step, [opts.field]: null, [pred]: lin.a + lin.b * (n - 1 + k), [errName]: null });
    }
    return out;
  }
  const p = Math.max(1, Math.min(opts.arWindow ?? Math.floor(0.45 * n), n - 2));
  const coef = n >= p + 2 ? arFit(ys, p) : null;
  const linName = `${opts.field}_linear`;
  filled.forEach((r, i) => {
    const value = coef !== null && i >= p ? arPredict(coef, ys.slice(0, i)) : null;
    out.push(extendRow(r, { [pred]: value, [errName]: value === null ? null : (ys[i] as number) - value, [linName]: lin.a + lin.b * i }));
  });
  const history = [...ys];
  for (let k = 1; k <= opts.forecast; k++) {
    const value = coef !== null ? arPredict(coef, history) : null;
    history.push(value ?? 0);
    out.push({
      [opts.timeField]: lastT === null ? null : lastT + k * step,
      [opts.field]: null,
      [pred]: value,
      [errName]: null,
      [linName]: lin.a + lin.b * (n - 1 + k),
    });
  }
  return out;
}
