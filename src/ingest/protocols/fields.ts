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

/** Adds `value` under `key` to `fields`, flattening plain objects with `.`. */
export function flattenInto(fields: Record<string, string>, key: string, value: unknown, depth = 0): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flattenInto(fields, key === '' ? k : `${key}.${k}`, v, depth + 1);
    }
    return;
  }
  if (key === '') return;
  if (!(key in fields) && Object.keys(fields).length >= MAX_FIELDS_PER_RECORD) return;
  const text = fieldText(value);
  if (text !== undefined) fields[key] = text;
}
