/**
 * compare with timeshift: joins the current records with the records of the same query run over
 * earlier ranges. Rows join on the group-by keys; `_timeslice` keys are shifted forward by the
 * shift before matching. Naming (Sumo's time-compare page): `<f>_<shift>` per shifted run
 * (`_count_1d`, and `_count_1d … _count_7d` for `timeshift 1d 7`), `<f>_<n·shift>_<agg>` for the
 * aggregate form (`_count_7d_avg`), and `<f>_<alias>` when aliased. Current rows drive the
 * output (a left join); keys only present in a shifted run are not added.
 */
import { extendRow, getField, groupKeyPart, toNumber, type Row, type Value } from '../values.js';

export interface ShiftSpec {
  /** as written, e.g. `1d` */
  text: string;
  ms: number;
  periods: number;
  aggregate: 'avg' | 'min' | 'max' | undefined;
  alias: string | undefined;
}

export interface CompareOptions {
  keys: readonly string[];
  values: readonly string[];
  timeField: string;
  shifts: readonly ShiftSpec[];
}

function keyFor(row: Row, keys: readonly string[], timeField: string, shiftMs: number): string {
  return keys
    .map((k) => {
      const v = getField(row, k);
      if (k === timeField) {
        const n = toNumber(v);
        return groupKeyPart(n === null ? null : n + shiftMs);
      }
      return groupKeyPart(v);
    })
    .join('\u0001');
}

/** Multiplies a duration text (`1d` × 3 → `3d`). */
export function scaleDurationText(text: string, k: number): string {
  const m = /^(-?\d+(?:\.\d+)?)([a-z]+)$/i.exec(text);
  return m === null ? `${text}x${k}` : `${Number(m[1]) * k}${m[2]}`;
}

/** Adds the shifted columns; `shifted[i][p]` are the rows of shift i, period p+1. */
export function compareRows(current: readonly Row[], shifted: ReadonlyArray<ReadonlyArray<readonly Row[]>>, opts: CompareOptions): Row[] {
  const maps = shifted.map((runs, i) =>
    runs.map((rows, p) => {
      const m = new Map<string, Row>();
      const shiftMs = (opts.shifts[i] as ShiftSpec).ms * (p + 1);
      for (const r of rows) m.set(keyFor(r, opts.keys, opts.timeField, shiftMs), r);
      return m;
    }),
  );
  return current.map((row) => {
    const out: Row = extendRow(row);
    const k = keyFor(row, opts.keys, opts.timeField, 0);
    opts.shifts.forEach((s, i) => {
      const runs = maps[i] ?? [];
      for (const f of opts.values) {
        const vals: Value[] = runs.map((m) => (m.get(k) === undefined ? null : getField(m.get(k) as Row, f)));
        if (s.aggregate !== undefined) {
          const nums = vals.map(toNumber).filter((x): x is number => x !== null);
          const v = nums.length === 0 ? null : s.aggregate === 'avg' ? nums.reduce((a, b) => a + b, 0) / nums.length : s.aggregate === 'min' ? Math.min(...nums) : Math.max(...nums);
          out[`${f}_${s.alias ?? `${scaleDurationText(s.text, s.periods)}_${s.aggregate}`}`] = v;
        } else if (s.periods === 1) {
          out[`${f}_${s.alias ?? s.text}`] = vals[0] ?? null;
        } else {
          vals.forEach((v, p) => {
            out[`${f}_${s.alias !== undefined ? `${s.alias}_${p + 1}` : scaleDurationText(s.text, p + 1)}`] = v;
          });
        }
      }
    });
    return out;
  });
}
