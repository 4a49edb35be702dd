/** Stable multi-key sort and top-N helpers over records. */
import { compareForSort, type Row, type Value } from '../values.js';

export interface SortSpec {
  get(row: Row): Value;
  descending: boolean;
}

/** Stable sort: nulls are smallest, so they come last in the default descending order. */
export function sortRows(rows: readonly Row[], keys: readonly SortSpec[]): Row[] {
  const decorated = rows.map((row, i) => ({ row, i, k: keys.map((s) => s.get(row)) }));
  decorated.sort((a, b) => {
    for (let j = 0; j < keys.length; j++) {
      const c = compareForSort(a.k[j] ?? null, b.k[j] ?? null);
      if (c !== 0) return (keys[j] as SortSpec).descending ? -c : c;
    }
    return a.i - b.i;
  });
  return decorated.map((d) => d.row);
}
