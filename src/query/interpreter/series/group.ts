import { getField, groupKeyPart, type Row } from '../values.js';

/** Text key of a row's values for the given fields (used to partition series by `by` fields). */
export function keyOf(row: Row, fields: readonly string[]): string {
  if (fields.length === 0) return '';
  let k = '';
  for (const f of fields) k += groupKeyPart(getField(row, f)) + '\u0001';
  return k;
}
