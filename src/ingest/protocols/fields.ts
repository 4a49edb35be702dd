/**
 * Turning structured values into Quarry fields (string → string), the same way for every intake
 * protocol: nested objects are flattened with `.` (`{http:{method:"GET"}}` → `http.method=GET`),
 * arrays become JSON text, numbers and booleans their text, null is left out.
 */

/** Nesting deeper than this is kept as JSON text in one field. */
const MAX_DEPTH = 8;
/** Fields per record at most; the rest are dropped (a record is not a database). */
export const MAX_FIELDS_PER_RECORD = 256;

/** Text of a JSON scalar or structure as a field value. */
export function fieldText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Adds `value` under `key` to `fields`, flattening plain objects with `.`; at most MAX_FIELDS_PER_RECORD fields. */
export function flattenInto(fields: Record<string, string>, key: string, value: unknown): void {
  let count = Object.keys(fields).length;
  const visit = (name: string, v: unknown, depth: number): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) visit(name === '' ? k : `${name}.${k}`, inner, depth + 1);
      return;
    }
    if (name === '') return;
    const isNew = !(name in fields);
    if (isNew && count >= MAX_FIELDS_PER_RECORD) return;
    const text = fieldText(v);
    if (text === undefined) return;
    fields[name] = text;
    if (isNew) count++;
  };
  visit(key, value, 0);
}
