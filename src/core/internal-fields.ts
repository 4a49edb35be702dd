/**
 * Custom fields Quarry stores for itself, never shown to people: not in search rows (so not in the
 * field browser, expanded rows, exports or `fields *`), not readable by a query (the pushed SQL
 * reads them as absent, like the interpreter), not in the tail API.
 * - `collector_batch`: the collector's batch id, used to store a resent batch at most once.
 */
export const INTERNAL_FIELDS: ReadonlySet<string> = new Set(['collector_batch']);

/** The fields without Quarry's internal ones (the same object when there are none). */
export function userFields(fields: Record<string, string>): Record<string, string> {
  let copy: Record<string, string> | undefined;
  for (const name of INTERNAL_FIELDS) {
    if (name in fields) {
      copy ??= { ...fields };
      delete copy[name];
    }
  }
  return copy ?? fields;
}
