/**
 * fillmissing: builds the cartesian product of the generators (timeslice buckets over the query
 * range, listed values, or all values seen) and adds a row for every missing key tuple. Other
 * fields get the `with` value when named there, else a default by the type seen in existing rows:
 * number → 0, boolean → false, string → null (Sumo's int/double/boolean/string defaults).
 * At most 10,000 combinations are generated.
 */
import { getField, groupKeyPart, type Row, type Value } from '../values.js';

export interface FillDimension {
  field: string;
  values: readonly Value[];
}

export interface FillOptions {
  dimensions: readonly FillDimension[];
  fill: { value: Value; fields: readonly string[] } | undefined;
  /** columns of the result (to know which other fields need defaults) */
  columns: readonly string[];
}

export const FILL_MAX_COMBINATIONS = 10_000;

/** Rows plus the generated ones (appended after the existing rows). */
export function fillMissingRows(rows: readonly Row[], opts: FillOptions): Row[] {
  const dims = opts.dimensions;
  const key = (r: Row): string => dims.map((d) => groupKeyPart(getField(r, d.field))).join('\u0001');
  const present = new Set(rows.map(key));
  const defaults: Row = {};
  for (const c of opts.columns) {
    if (dims.some((d) => d.field === c)) continue;
    const sample = rows.map((r) => getField(r, c)).find((v) => v !== null);
    defaults[c] = typeof sample === 'number' ? 0 : typeof sample === 'boolean' ? false : null;
  }
  if (opts.fill !== undefined) for (const f of opts.fill.fields) defaults[f] = opts.fill.value;
  const out = [...rows];
  let combos: Row[] = [{}];
  for (const d of dims) {
    const next: Row[] = [];
    for (const c of combos) {
      for (const v of d.values) {
        if (next.length >= FILL_MAX_COMBINATIONS) break;
        next.push({ ...c, [d.field]: v });
      }
    }
    combos = next;
  }
  for (const c of combos) {
    if (present.has(key(c))) continue;
    const row: Row = {};
    for (const col of opts.columns) row[col] = col in c ? (c[col] as Value) : (defaults[col] ?? null);
    for (const d of dims) row[d.field] = c[d.field] ?? null;
    out.push(row);
  }
  return out;
}
