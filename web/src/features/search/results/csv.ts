import type { SearchField } from '../../../../../src/protocol/search.js';
import { isoTime, isTimeField } from './time-fields.js';

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * RFC 4180 CSV: a header of the field names, one line per row. With `timeZone` (the search's),
 * time fields are written as ISO-8601 in it, as `quarry search --format csv` writes them; without,
 * every value as the API gave it.
 */
export function toCsv(
  fields: readonly SearchField[],
  rows: readonly Record<string, string>[],
  timeZone?: string,
): string {
  const names = fields.map((f) => f.name);
  const isTime = names.map((n) => timeZone !== undefined && isTimeField(n));
  const cell = (row: Record<string, string>, i: number): string => {
    const value = row[names[i] ?? ''] ?? '';
    return csvCell(isTime[i] && timeZone !== undefined ? isoTime(value, timeZone) : value);
  };
  const lines = [names.map(csvCell).join(',')];
  for (const row of rows) lines.push(names.map((_, i) => cell(row, i)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
