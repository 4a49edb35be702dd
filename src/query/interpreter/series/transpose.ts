/**
 * transpose row r… column c… [as …]: one output row per distinct row-key tuple; the values of
 * the column fields (joined by `_` when several) become column names; the cell is the value of
 * the first remaining field of the source row (normally the aggregate, e.g. `_count`). Missing
 * cells are null. Dynamic columns are sorted alphabetically and capped at 300 (Sumo's limit).
 */
import { getField, setKeyOrder, toText, type Row, type Value } from '../values.js';
import { keyOf } from './group.js';

export interface TransposeOptions {
  row: readonly string[];
  column: readonly string[];
  /** named columns of `as`; empty with `star` = all */
  asFields: readonly string[];
  star: boolean;
}

export const TRANSPOSE_MAX_COLUMNS = 300;

/** Returns the pivoted rows and their column order. */
export function transposeRows(rows: readonly Row[], opts: TransposeOptions): { rows: Row[]; columns: string[] } {
  const out = new Map<string, Row>();
  const dynamic = new Set<string>();
  const skip = new Set([...opts.row, ...opts.column]);
  for (const r of rows) {
    const colName = opts.column.map((c) => toText(getField(r, c)) ?? 'null').join('_');
    const valueField = Object.keys(r).find((k) => !skip.has(k) && !k.startsWith('__'));
    const cell: Value = valueField === undefined ? null : getField(r, valueField);
    const k = keyOf(r, opts.row);
    let target = out.get(k);
    if (target === undefined) {
      target = {};
      for (const f of opts.row) target[f] = getField(r, f);
      out.set(k, target);
    }
    if (!dynamic.has(colName) && dynamic.size >= TRANSPOSE_MAX_COLUMNS) continue;
    dynamic.add(colName);
    target[colName] = cell;
  }
  const sorted = [...dynamic].sort();
  let cols: string[];
  if (opts.asFields.length === 0) cols = sorted;
  else if (opts.star) cols = [...opts.asFields, ...sorted.filter((c) => !opts.asFields.includes(c))];
  else cols = [...opts.asFields];
  const columns = [...opts.row, ...cols];
  const result = [...out.values()].map((r) => {
    const o: Row = {};
    for (const c of columns) o[c] = getField(r, c);
    return setKeyOrder(o, columns);
  });
  return { rows: result, columns };
}
