/**
 * Times in the CLI's readable outputs (table, csv): `quarry query` and `quarry search` print a
 * time field's epoch milliseconds as ISO-8601 in the chosen zone, with its offset
 * (`2026-12-06T21:30:00.000+01:00`). JSON and NDJSON keep epoch milliseconds.
 */
import { formatDate } from '../query/interpreter/date-format.js';

/** The pattern of a printed time (formatDate's, as `quarry query` prints `_messageTime`). */
export const TIME_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

const TIME_FIELDS = new Set(['_messagetime', '_receipttime', '_timeslice']);

/** Whether a field holds times: `_messageTime`, `_receiptTime`, `_timeslice` in any case (the API lower-cases them). */
export function isTimeField(name: string): boolean {
  return TIME_FIELDS.has(name.toLowerCase());
}

/** A time field's value — epoch ms as a number or as the API's digits — as ISO-8601 in `timeZone`; anything else unchanged. */
export function formatTimeValue(value: string | number, timeZone: string): string {
  const ms = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(ms) ? formatDate(ms, TIME_PATTERN, timeZone) : String(value);
}

/** The rows with the time fields among `fields` as readable times in `timeZone` (new objects; other values as they were). */
export function withReadableTimes(
  rows: readonly Record<string, string>[],
  fields: readonly string[],
  timeZone: string,
): Record<string, string>[] {
  const times = fields.filter(isTimeField);
  if (times.length === 0) return [...rows];
  return rows.map((row) => {
    const out = { ...row };
    for (const f of times) {
      const v = row[f];
      if (v !== undefined && v !== '') out[f] = formatTimeValue(v, timeZone);
    }
    return out;
  });
}
